// The simulator's gateway (../shared/discord/PROTOCOL.md §1, §8 items 1-9): Hello, heartbeats and
// ACKs, Identify (token 4004, intents 4013/4014, shard 4010, a second Identify 4005, payloads
// before it 4003, over 4096 bytes 4002, more than 120 sends a minute 4008, one Identify per 5 s per
// rate-limit key or op 9), READY then GUILD_CREATE per guild of the shard, sequence numbers, a
// replay buffer per session and Resume (4007 for a sequence it never sent, op 9 false once the
// session is gone), zlib-stream compression with one deflate stream per connection (optionally
// splitting payloads across two messages), and faults a test injects: drop every connection, stop
// ACKing, op 1, op 7, op 9 with either d, close with any code.
//
// Runs on the simulator's executor; not thread-safe (the simulator posts calls to its thread).
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "net/http_server.h"
#include "sim/world.h"

namespace sim {

struct GatewayOptions {
  std::chrono::milliseconds heartbeat_interval{41'250};
  double heartbeat_tolerance = 1.5;  // no heartbeat for interval * this: close 4009
  std::chrono::milliseconds identify_spacing{5'000};  // per rate-limit key
  int max_concurrency = 1;
  std::chrono::seconds resume_window{180};  // a disconnected session stays resumable this long
  std::size_t replay_limit = 20'000;        // dispatches kept per session for Resume
  // Privileged intents (GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT) switched on for the bot
  // in the "developer portal"; asking for others closes with 4014.
  std::uint64_t privileged_enabled = (1u << 1) | (1u << 8) | (1u << 15);
  int split_every = 0;        // every Nth compressed payload is sent as two messages (0: never)
  int unavailable_first = 0;  // this many guilds come as unavailable GUILD_CREATEs before the rest
  int compression_level = -1;  // zlib's level for zlib-stream: -1 zlib's default (6), 1 fastest
  // Called on the simulator's thread once a payload was written to a connection's socket (the
  // payload before compression, and the world clock's time after the write): a load benchmark
  // times frames as they leave. Empty: not called.
  std::function<void(std::string_view payload, core::Timestamp written)> on_written;
};

struct GatewayStats {
  int connections = 0;            // accepted, in all
  int identifies = 0;             // sessions started
  int resumes = 0;                // sessions resumed
  int resumes_on_resume_url = 0;  // of those, through the resume_gateway_url listener
  int invalid_sessions = 0;       // op 9 sent
  int open = 0;                   // connections open now
  std::vector<int> closes_sent;   // close codes the simulator sent
};

class Gateway {
 public:
  Gateway(boost::asio::any_io_executor executor, World& world, std::string token,
          GatewayOptions options);
  ~Gateway();

  // Serves one upgraded connection until it closes. `on_resume_url`: it came in through the
  // listener READY named as resume_gateway_url.
  boost::asio::awaitable<void> Serve(net::ServerRequest request,
                                     std::unique_ptr<net::ServerWebSocket> socket,
                                     bool on_resume_url);

  // Sends dispatches to every session whose shard holds the guild (shard 0 for guild 0), and
  // keeps them for Resume, also for sessions that are disconnected but resumable.
  void Dispatch(const std::vector<sim::Dispatch>& events);

  void set_resume_url(std::string url) { resume_url_ = std::move(url); }

  // --- faults ---
  void DropConnections();                   // TCP closed, no close frame
  void CloseConnections(int code);          // a close frame with `code`
  void SendReconnect();                     // op 7
  void SendInvalidSession(bool resumable);  // op 9; d=false also forgets the sessions
  void SendHeartbeatRequest();              // op 1
  void SetAcking(bool ack);                 // false: heartbeats go unanswered (a zombie)
  void StopAll();                           // the simulator is stopping

  const GatewayStats& stats() const { return stats_; }

 private:
  struct Connection;
  struct Session;
  boost::asio::awaitable<void> Writer(std::shared_ptr<Connection> c);
  boost::asio::awaitable<void> Watchdog(std::shared_ptr<Connection> c);
  void Send(Connection& c, std::string payload);
  void Close(Connection& c, int code);
  void OnPayload(const std::shared_ptr<Connection>& c, const std::string& text);
  void Identify(const std::shared_ptr<Connection>& c, const nlohmann::json& d);
  void Resume(const std::shared_ptr<Connection>& c, const nlohmann::json& d);
  std::string Frame(Session& s, const std::string& event, const nlohmann::json& d);

  boost::asio::any_io_executor executor_;
  World& world_;
  std::string token_;
  GatewayOptions options_;
  std::string resume_url_;
  bool acking_ = true;
  GatewayStats stats_;
  std::vector<std::shared_ptr<Connection>> connections_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  std::map<int, core::Timestamp> last_identify_;  // by rate-limit key
  std::uint64_t next_session_ = 0;
};

}  // namespace sim

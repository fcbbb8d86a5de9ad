// A gateway shard's protocol logic, apart from its socket (../shared/discord/PROTOCOL.md §1.5-1.8):
// what to send after Hello (Identify, or Resume when a session exists), heartbeats with the initial
// jitter, ACK tracking and zombie detection, the server's heartbeat requests, op 7 and op 9, the
// last sequence, READY's session, and what to do after a close. The socket loop feeds it events and
// carries out the actions it returns; time comes from the injected clock, chance from a seeded
// generator, so every decision can be tested without a socket or a sleep.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "discord/model/entities.h"

namespace discord::gateway {

// GUILDS | GUILD_MEMBERS | GUILD_MODERATION | GUILD_MESSAGES | MESSAGE_CONTENT.
inline constexpr std::uint64_t kDefaultIntents =
    (1u << 0) | (1u << 1) | (1u << 2) | (1u << 9) | (1u << 15);

struct ShardConfig {
  std::string token;  // without "Bot "
  std::uint64_t intents = kDefaultIntents;
  int shard_id = 0;
  int shard_count = 1;
  std::string gateway_url;  // from GET /gateway/bot, with ?v=10&encoding=json&compress=zlib-stream
  // Measurement only (benchmarks): called with each payload's text (inflated) and the time its
  // WebSocket message had been read whole, before it is decoded and dispatched. Unset in
  // production.
  std::function<void(std::string_view text, std::chrono::steady_clock::time_point read)> on_frame;
};

struct Action {
  enum class Kind {
    kSend,       // send `payload` (a JSON text frame)
    kReconnect,  // close (not with 1000/1001) and connect to `url` after `delay`; then Resume if
                 // `resume`, else Identify
    kStop,       // stop the shard: `reason` says why (a fatal close)
  };
  Kind kind = Kind::kSend;
  std::string payload;
  bool identify = false;  // the payload is an Identify: it waits for the identify limiter
  std::string url;
  bool resume = false;
  std::chrono::milliseconds delay{0};
  std::string reason;
};

class ShardSession {
 public:
  ShardSession(ShardConfig config, const core::Clock& clock, std::uint64_t seed = 0);

  // A new connection is open (Hello is next).
  void OnConnected();
  // A payload arrived; returns what to do.
  std::vector<Action> OnPayload(const GatewayPayload& p);
  // Time passed; returns heartbeats that are due, or a reconnect for a zombied connection.
  std::vector<Action> OnTick();
  // When OnTick next has something to do (nullopt: nothing scheduled).
  std::optional<core::Timestamp> NextTick() const { return next_heartbeat_; }
  // The connection closed (`code`: nullopt for a drop without a close frame).
  std::vector<Action> OnClosed(std::optional<int> code);

  const std::string& session_id() const { return session_id_; }
  std::optional<std::int64_t> sequence() const { return sequence_; }
  bool ready() const { return ready_; }
  int identifies() const { return identifies_; }
  int resumes() const { return resumes_; }

 private:
  std::string HeartbeatPayload() const;
  std::string IdentifyPayload() const;
  std::string ResumePayload() const;
  Action Reconnect(bool resume, bool back_off);
  void ForgetSession();

  ShardConfig config_;
  const core::Clock& clock_;
  std::mt19937_64 rng_;
  // Session (survives reconnects until invalidated).
  std::string session_id_;
  std::string resume_url_;
  std::optional<std::int64_t> sequence_;
  // Connection.
  std::chrono::milliseconds interval_{0};
  std::optional<core::Timestamp> next_heartbeat_;
  bool awaiting_ack_ = false;
  bool ready_ = false;
  int failures_ = 0;  // consecutive reconnects without READY/RESUMED, for back-off
  int identifies_ = 0, resumes_ = 0;
};

}  // namespace discord::gateway

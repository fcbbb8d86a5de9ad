// One gateway shard's connection loop: connects with net::WebSocket, inflates zlib-stream frames
// (when the URL asks for them), decodes payloads, lets ShardSession decide (Identify/Resume,
// heartbeats, reconnects, fatal stops) and hands every dispatch to the caller, in order. Runs on
// one executor (one strand of control: no locks); writes are queued so that a heartbeat and an
// Identify never overlap on the socket. Every send goes through the connection's SendLimiter
// (120 per 60 s, 10 of them kept for heartbeats, Identify and Resume), and every Identify waits
// for the IdentifyLimiter shared by the process's shards (one per rate-limit key per 5 s).
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>

#include "core/clock.h"
#include "core/result.h"
#include "discord/gateway/limits.h"
#include "discord/gateway/shard_session.h"

namespace discord::gateway {

class Shard {
 public:
  // Called for each dispatch (op 0), in order, exactly once per sequence number seen.
  using OnDispatch = std::function<void(const GatewayPayload&)>;

  // `identify_limiter`: shared by the shards of one bot (ShardManager passes its own); nullptr
  // for a shard of its own, which then keeps one. It must outlive the shard.
  Shard(boost::asio::any_io_executor executor, ShardConfig config, const core::Clock& clock,
        OnDispatch on_dispatch, std::uint64_t seed = 0,
        IdentifyLimiter* identify_limiter = nullptr);
  ~Shard();

  // Runs until Stop() or a fatal close: ok after Stop(), the fatal close's error otherwise
  // (kFailedPrecondition with the reason: a bad token, disallowed intents, ...).
  boost::asio::awaitable<core::Result<void>> Run();
  void Stop();
  // Queues an ordinary payload (presence update, member request) on the current connection, within
  // the 110 a minute the send limit leaves them; dropped when there is no connection. Call on the
  // shard's executor.
  void Send(std::string payload);

  const ShardSession& session() const;
  int connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace discord::gateway

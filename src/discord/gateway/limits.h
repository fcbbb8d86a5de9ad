// The gateway's own rate limits (../shared/discord/PROTOCOL.md §1.9, §1.10), as clock-driven
// decisions: when a shard may Identify, and when a payload may be sent on a connection.
#pragma once

#include <chrono>
#include <deque>
#include <map>

#include "core/clock.h"

namespace discord::gateway {

// Identify concurrency, shared by every shard of the bot in this process: shards with the same
// rate_limit_key (shard_id % max_concurrency) Identify at most once per 5 s (kept 5.5 s apart).
// Resumes are exempt.
class IdentifyLimiter {
 public:
  IdentifyLimiter(const core::Clock& clock, int max_concurrency);
  // When shard `shard_id` may send its Identify; reserves that moment for it.
  core::Timestamp Reserve(int shard_id);
  // Discord's 5 s, plus slack: the server counts from when an Identify arrives, and the one
  // before may have arrived later than it left (discord.js adds up to 1.5 s at random).
  static constexpr std::chrono::milliseconds kSpacing{5500};

 private:
  const core::Clock& clock_;
  int max_concurrency_;
  std::map<int, core::Timestamp> last_;  // by rate-limit key
};

// The 120-sends-per-60-s limit of one connection (exceeding it closes with 4008). Ordinary sends
// (presence, member requests) may use 110 of each minute; heartbeats, Identify and Resume may use
// all 120. Reservations are first come, first served: a sender that puts heartbeats ahead of
// ordinary payloads in its queue finds the 10 kept back free for them.
class SendLimiter {
 public:
  explicit SendLimiter(const core::Clock& clock);
  // When a payload may be sent (now or later); reserves that moment.
  core::Timestamp Reserve(bool important);
  static constexpr int kLimit = 120;
  static constexpr int kOrdinary = 110;
  static constexpr std::chrono::seconds kWindow{60};

 private:
  const core::Clock& clock_;
  std::deque<core::Timestamp> sent_;  // reserved send times, in order
};

}  // namespace discord::gateway

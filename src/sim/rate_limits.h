// The simulator's REST rate limits (../shared/discord/PROTOCOL.md §4.2, §8 item 11): buckets keyed
// by (bucket hash, major parameter) with every X-RateLimit-* header (fractional Reset-After), a
// global per-second limit answered with X-RateLimit-Global and Scope: global, and 429s injected by
// a test (user, global or shared scope; shared ones leave the bucket's Remaining above zero, a
// sub-limit). A 429 the client earned by not waiting is counted apart from injected ones, so a test
// can assert "the client never exceeded a bucket".
//
// The limits are the simulator's own, configurable (Discord does not publish its numbers); the
// shapes are Discord's. Not thread-safe: the simulator calls it from its thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace sim {

struct RateLimitOptions {
  int route_limit = 10;  // requests per bucket and major parameter per window
  std::chrono::milliseconds route_window{1000};
  int global_per_second = 50;  // interaction callbacks and webhooks are outside it
};

struct Injected429 {
  std::string method;  // "" for any
  std::string route;   // the route template ("/guilds/:id/members/:id/roles/:id"), "" for any
  int count = 1;       // how many requests get it
  double retry_after = 0.5;
  std::string scope = "user";  // "user", "global" or "shared"
};

struct LimitDecision {
  bool limited = false;  // answer 429
  bool injected = false;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // the 429 body
};

class RateLimits {
 public:
  RateLimits(const core::Clock& clock, RateLimitOptions options);

  // Counts one request on (method, route template, major) and says whether to refuse it.
  // `interaction`: an interaction callback or webhook (no global limit).
  LimitDecision Check(const std::string& method, const std::string& route, const std::string& major,
                      bool interaction);

  void Inject(Injected429 rule) { injected_.push_back(std::move(rule)); }
  void set_options(RateLimitOptions o) { options_ = o; }

  int earned_429s() const { return earned_; }  // the client sent when it should have waited
  int injected_429s() const { return injected_count_; }
  int global_429s() const { return global_earned_; }

  // The bucket hash a route has (shared by the routes of one group, as Discord's are).
  static std::string BucketHash(const std::string& method, const std::string& route);

 private:
  struct Bucket {
    core::Timestamp window_start{};
    int used = 0;
    core::Timestamp blocked_until{};
  };
  const core::Clock& clock_;
  RateLimitOptions options_;
  std::map<std::string, Bucket> buckets_;  // "hash|major"
  core::Timestamp global_window_{};
  int global_used_ = 0;
  core::Timestamp global_blocked_until_{};
  std::deque<Injected429> injected_;
  int earned_ = 0, injected_count_ = 0, global_earned_ = 0;
};

}  // namespace sim

#include "sim/rate_limits.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/hash.h"

namespace sim {
namespace {

double Seconds(core::Timestamp::duration d) {
  return std::max(0.0, std::chrono::duration<double>(d).count());
}

std::string Decimal(double s) { return fmt::format("{:.3f}", s); }

}  // namespace

RateLimits::RateLimits(const core::Clock& clock, RateLimitOptions options)
    : clock_(clock), options_(options) {}

std::string RateLimits::BucketHash(const std::string& method, const std::string& route) {
  // Adding and removing a role share a bucket, as on Discord; other routes have their own.
  std::string group = method + " " + route;
  if (route == "/guilds/:id/members/:id/roles/:id") group = "member roles";
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : group) h = (h ^ c) * 1099511628211ULL;
  return fmt::format("{:016x}", core::Fmix64(h));
}

LimitDecision RateLimits::Check(const std::string& method, const std::string& route,
                                const std::string& major, bool interaction) {
  const core::Timestamp now = clock_.Now();
  const std::string hash = BucketHash(method, route);
  Bucket& b = buckets_[hash + "|" + major];
  const auto window = std::chrono::duration_cast<core::Timestamp::duration>(options_.route_window);
  if (now >= b.window_start + window) {
    b.window_start = now;
    b.used = 0;
  }
  const auto reset_at = b.window_start + window;
  const auto route_headers = [&](int remaining, double reset_after) {
    const double epoch = std::chrono::duration<double>(now.time_since_epoch()).count();
    return std::vector<std::pair<std::string, std::string>>{
        {"X-RateLimit-Limit", std::to_string(options_.route_limit)},
        {"X-RateLimit-Remaining", std::to_string(std::max(0, remaining))},
        {"X-RateLimit-Reset", Decimal(epoch + reset_after)},
        {"X-RateLimit-Reset-After", Decimal(reset_after)},
        {"X-RateLimit-Bucket", hash}};
  };
  const auto refuse = [&](double retry_after, const std::string& scope, int remaining,
                          double reset_after) {
    LimitDecision d;
    d.limited = true;
    d.headers = route_headers(remaining, reset_after);
    d.headers.emplace_back("Retry-After",
                           std::to_string(static_cast<long>(std::ceil(retry_after))));
    d.headers.emplace_back("X-RateLimit-Scope", scope);
    if (scope == "global") d.headers.emplace_back("X-RateLimit-Global", "true");
    d.body = nlohmann::json{{"message", "You are being rate limited."},
                            {"retry_after", std::round(retry_after * 1000) / 1000},
                            {"global", scope == "global"}}
                 .dump();
    return d;
  };

  for (auto it = injected_.begin(); it != injected_.end(); ++it) {
    if ((!it->method.empty() && it->method != method) ||
        (!it->route.empty() && it->route != route)) {
      continue;
    }
    const Injected429 rule = *it;
    if (--it->count <= 0) injected_.erase(it);
    ++injected_count_;
    const auto retry = std::chrono::duration_cast<core::Timestamp::duration>(
        std::chrono::duration<double>(rule.retry_after));
    LimitDecision d;
    if (rule.scope == "global") {
      global_blocked_until_ = std::max(global_blocked_until_, now + retry);
      d = refuse(rule.retry_after, "global", options_.route_limit - b.used,
                 Seconds(reset_at - now));
    } else if (rule.scope == "shared") {  // a sub-limit: the bucket itself has room
      d = refuse(rule.retry_after, "shared", std::max(1, options_.route_limit - b.used),
                 Seconds(reset_at - now));
    } else {
      b.blocked_until = std::max(b.blocked_until, now + retry);
      d = refuse(rule.retry_after, "user", 0, rule.retry_after);
    }
    d.injected = true;
    return d;
  }

  if (!interaction) {
    if (now < global_blocked_until_) {
      ++earned_;
      ++global_earned_;
      return refuse(Seconds(global_blocked_until_ - now), "global", options_.route_limit - b.used,
                    Seconds(reset_at - now));
    }
    if (now >= global_window_ + std::chrono::seconds(1)) {
      global_window_ = now;
      global_used_ = 0;
    }
    if (global_used_ >= options_.global_per_second) {
      ++earned_;
      ++global_earned_;
      return refuse(Seconds(global_window_ + std::chrono::seconds(1) - now), "global",
                    options_.route_limit - b.used, Seconds(reset_at - now));
    }
  }
  if (now < b.blocked_until) {
    ++earned_;
    return refuse(Seconds(b.blocked_until - now), "user", 0, Seconds(b.blocked_until - now));
  }
  if (b.used >= options_.route_limit) {
    ++earned_;
    return refuse(Seconds(reset_at - now), "user", 0, Seconds(reset_at - now));
  }
  ++b.used;
  if (!interaction) ++global_used_;
  LimitDecision ok;
  ok.headers = route_headers(options_.route_limit - b.used, Seconds(reset_at - now));
  return ok;
}

}  // namespace sim

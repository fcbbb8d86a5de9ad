#include "discord/rest/rate_limiter.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "core/id.h"
#include "discord/model/route.h"

namespace discord::rest {
namespace {

using std::chrono::microseconds;

// The global limit holds in every span of one second plus the reset slack (the network's jitter).
constexpr microseconds kGlobalSpan =
    std::chrono::seconds(1) + std::chrono::duration_cast<microseconds>(RateLimiter::kResetSlack);

microseconds Seconds(double s) {
  return std::chrono::duration_cast<microseconds>(std::chrono::duration<double>(s));
}

template <typename T>
std::optional<T> Number(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::string_view t = *text;
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  T v{};
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(v)) return std::nullopt;
  }
  if (v < 0) return std::nullopt;
  return v;
}

}  // namespace

Route Route::Of(std::string_view method, std::string_view path, core::Timestamp now,
                std::string_view application_id) {
  RoutePath p = NormaliseRoute(path);
  Route r;
  r.method.assign(method);
  r.path = std::move(p.path);
  r.major = std::move(p.major);
  r.interaction = p.interaction_token || (!p.webhook_id.empty() && !application_id.empty() &&
                                          p.webhook_id == application_id);
  // Deleting a message older than 14 days has a stricter bucket of its own.
  if (r.method == "DELETE" && r.path == "/channels/:id/messages/:id" && !p.last_id.empty()) {
    if (auto id = core::MessageId::Parse(p.last_id);
        id && now - id->CreatedAt() > std::chrono::hours(24 * 14)) {
      r.path += " (old message)";
    }
  }
  return r;
}

RateLimitHeaders RateLimitHeaders::Parse(
    const std::function<std::optional<std::string>(std::string_view)>& header,
    std::optional<double> body_retry_after) {
  RateLimitHeaders h;
  h.limit = Number<int>(header("X-RateLimit-Limit"));
  h.remaining = Number<int>(header("X-RateLimit-Remaining"));
  h.reset_after = Number<double>(header("X-RateLimit-Reset-After"));
  if (auto b = header("X-RateLimit-Bucket"); b && !b->empty() && b->size() <= 128) h.bucket = *b;
  if (auto g = header("X-RateLimit-Global"); g && (*g == "true" || *g == "True")) h.global = true;
  if (auto sc = header("X-RateLimit-Scope"); sc && !sc->empty()) h.scope = *sc;
  if (body_retry_after && std::isfinite(*body_retry_after) && *body_retry_after >= 0) {
    h.retry_after = body_retry_after;
  } else {
    h.retry_after = Number<double>(header("Retry-After"));
  }
  if (h.scope == "global") h.global = true;
  return h;
}

RateLimiter::RateLimiter(const core::Clock& clock, int global_per_second)
    : clock_(clock), global_per_second_(std::max(1, global_per_second)) {}

std::string RateLimiter::BucketKey(const Route& route) const {
  const std::string key = route.Key();
  const auto it = hash_of_route_.find(key);
  return (it == hash_of_route_.end() ? key : it->second) + "|" + route.major;
}

RateLimiter::Bucket& RateLimiter::BucketOf(const Route& route) {
  return buckets_[BucketKey(route)];
}

bool Route::Urgent() const {
  if (path == "/guilds/:id/members/:id/roles/:id") return method == "PUT" || method == "DELETE";
  if (path == "/guilds/:id/members/:id") return method == "PATCH" || method == "DELETE";
  if (path == "/guilds/:id/bans/:id") return method == "PUT";
  return method == "DELETE" && path.starts_with("/channels/:id/messages/:id") &&
         path.find("/reactions") == std::string::npos;
}

core::Timestamp RateLimiter::GlobalSlot(core::Timestamp at) const {
  // A sliding window: no span (kGlobalSpan) holds more than the limit, wherever it starts: the
  // server's window may start at any moment.
  constexpr microseconds span = kGlobalSpan;
  const std::size_t limit = static_cast<std::size_t>(global_per_second_);
  const auto from = [this](core::Timestamp t) {
    return std::lower_bound(global_sent_.begin(), global_sent_.end(), t);
  };
  for (bool moved = true; moved;) {
    moved = false;
    // Quick: fewer than the limit within a span either side of `at`.
    const auto lo = from(at - span + microseconds(1));
    const auto hi = from(at + span);
    if (static_cast<std::size_t>(hi - lo) < limit) break;
    // Otherwise each span holding `at`: those starting at a reservation in (at - span, at], and
    // the one starting at `at` (reservations made ahead of it). A full one: leave it, past its
    // first reservation.
    const auto full = [&](std::deque<core::Timestamp>::const_iterator first) {
      if (static_cast<std::size_t>(from(*first + span) - first) < limit) return false;
      at = std::max(at, *first + span);
      return true;
    };
    for (auto start = lo; !moved && start != global_sent_.end() && *start <= at; ++start) {
      moved = full(start);
    }
    if (const auto ahead = from(at); !moved && ahead != global_sent_.end()) {
      moved = static_cast<std::size_t>(from(at + span) - ahead) >= limit && full(ahead);
    }
  }
  return at;
}

microseconds RateLimiter::GlobalWait(const Route& route) const {
  if (route.interaction) return microseconds(0);
  const core::Timestamp now = clock_.Now();
  return std::chrono::duration_cast<microseconds>(GlobalSlot(std::max(now, global_blocked_until_)) -
                                                  now);
}

microseconds RateLimiter::Reserve(const Route& route) {
  const core::Timestamp now = clock_.Now();
  core::Timestamp at = now;
  Bucket& b = BucketOf(route);
  at = std::max(at, b.blocked_until);
  if (b.known) {
    // A window that is over: the next one starts with the next request and ends a window
    // later (the server's answer then says exactly when).
    if (at >= b.reset) {
      b.remaining = b.limit;
      b.opens = at;
      b.reset = at + b.window;
    }
    if (b.remaining <= 0) {  // full: the first place in the next window
      b.opens = b.reset + kResetSlack;
      b.reset = b.opens + b.window;
      b.remaining = b.limit;
    }
    at = std::max(at, b.opens);
    --b.remaining;
  }
  if (!route.interaction) {
    while (!global_sent_.empty() && global_sent_.front() < now - kGlobalSpan) {
      global_sent_.pop_front();
    }
    at = GlobalSlot(std::max(at, global_blocked_until_));
    global_sent_.insert(
        std::lower_bound(global_sent_.begin(), global_sent_.end(), at + microseconds(1)), at);
  }
  return std::chrono::duration_cast<microseconds>(at - now);
}

microseconds RateLimiter::Update(const Route& route, int status, const RateLimitHeaders& h) {
  const core::Timestamp now = clock_.Now();
  if (h.bucket) hash_of_route_[route.Key()] = *h.bucket;
  Bucket& b = BucketOf(route);
  if (h.limit && h.remaining && h.reset_after && *h.limit > 0) {
    b.known = true;
    b.limit = *h.limit;
    b.remaining = std::min(*h.remaining, *h.limit);
    b.reset = now + Seconds(*h.reset_after);
    b.opens = now;
    if (*h.remaining == *h.limit - 1) b.window = std::max(Seconds(*h.reset_after), microseconds(1));
  }
  if (status != 429) return microseconds(0);
  const microseconds retry = Seconds(h.retry_after.value_or(1.0));
  if (h.global) {
    global_blocked_until_ = std::max(global_blocked_until_, now + retry);
    return retry;
  }
  // A sub-limit (requests were left in the bucket): only this request waits.
  if (h.remaining && *h.remaining > 0) return retry;
  b.blocked_until = std::max(b.blocked_until, now + retry);
  b.remaining = 0;
  return retry;
}

}  // namespace discord::rest

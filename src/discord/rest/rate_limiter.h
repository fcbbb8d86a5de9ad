// Discord's REST rate limits (../shared/discord/PROTOCOL.md §4.2), as a synchronous decision object
// the REST client consults: before a request, how long to wait; after the response, what the
// headers said. It never sleeps and reads time only from the injected clock, so tests drive it with
// a manual clock.
//
// - Buckets are keyed by (bucket hash, major parameter); before a route's hash is known, by
//   (method, route template). Routes that share a hash share the counter for the same major id.
// - The global limit (50 requests per second by default) holds in every span of one second plus
//   the reset slack (a sliding window: Discord's window may start at any moment, and requests
//   arrive a little later than they leave); interaction callbacks and their webhooks are outside
//   it, as Discord says.
// - A 429 with X-RateLimit-Global blocks every route (interactions aside) for retry_after; another
//   429 blocks its bucket; a 429 while the bucket still had requests left (a sub-limit, such as a
//   channel rename) delays only that request.
//
// Not thread-safe: the REST client calls it from one strand.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace discord::rest {

// What a request is for the limiter.
struct Route {
  std::string method;        // "GET", "POST", ...
  std::string path;          // the template: ids as ":id", "/reactions/:reaction", webhook ":token"
  std::string major;         // the channel, guild or webhook id (webhook id/token), or "global"
  bool interaction = false;  // interaction callback or interaction webhook: no global limit

  // discord.js's normalisation: every 17-20 digit id becomes ":id"; the first id after /channels/,
  // /guilds/ or /webhooks/ is the major parameter; everything after /reactions/ is one reaction;
  // deleting a message older than 14 days (by its snowflake, against `now`) is a bucket of its own.
  // `application_id`: the bot's application id; webhooks of that id (interaction follow-ups) are
  // interaction routes.
  static Route Of(std::string_view method, std::string_view path, core::Timestamp now,
                  std::string_view application_id = {});
  std::string Key() const { return method + " " + path; }
  // Acts on a member (role, timeout, kick, ban) or takes a message down: such requests take the
  // global limit's places before ordinary ones (threads, embeds, prompts), so that during a raid
  // members are restricted before the paperwork of earlier cases is done.
  bool Urgent() const;
};

// The rate-limit part of a response. Absent headers are nullopt; malformed ones are ignored
// (treated as absent), never trusted.
struct RateLimitHeaders {
  std::optional<int> limit;
  std::optional<int> remaining;
  std::optional<double> reset_after;  // seconds, with decimals
  std::optional<std::string> bucket;
  bool global = false;
  std::optional<std::string> scope;   // on 429: "user", "global" or "shared"
  std::optional<double> retry_after;  // on 429: seconds (from the body, else Retry-After)

  // `header(name)`: the value of a response header (names as Discord sends them, any case), or
  // nullopt. `body_retry_after`: the 429 body's retry_after, when parsed.
  static RateLimitHeaders Parse(
      const std::function<std::optional<std::string>(std::string_view)>& header,
      std::optional<double> body_retry_after = std::nullopt);
};

class RateLimiter {
 public:
  explicit RateLimiter(const core::Clock& clock, int global_per_second = 50);

  // How long to wait before sending a request on `route`; zero to send now. Takes the request's
  // place in the bucket and in the global limit, so the caller sends once the wait is over. A
  // bucket not yet seen is not limited here: the client sends one request per unknown bucket at a
  // time, until the first response names its limits.
  std::chrono::microseconds Reserve(const Route& route);

  // How long until the global limit has a place for a request on `route`, reserving nothing
  // (zero for interactions). The client holds back ordinary requests while it is not zero, so
  // that urgent ones (Client: acting on a member, deleting a message) take the places first.
  std::chrono::microseconds GlobalWait(const Route& route) const;

  // After the response: learn the bucket from the headers. On 429, the delay before this request
  // may be retried (the bucket, or everything for a global 429, is blocked as long).
  std::chrono::microseconds Update(const Route& route, int status, const RateLimitHeaders& h);

  // Waits added to a reset, as discord.js does: the server's clock and ours are not one.
  static constexpr std::chrono::milliseconds kResetSlack{50};

  // The queue a request on `route` waits in: its bucket (hash and major parameter) once a
  // response named it, before that its route. The client sends one request per queue at a time,
  // so every reservation is made knowing the previous response's headers.
  std::string QueueKey(const Route& route) const { return BucketKey(route); }

 private:
  struct Bucket {
    bool known = false;  // headers seen
    int limit = 0;
    int remaining = 0;
    core::Timestamp reset{};  // when the window being counted ends
    core::Timestamp opens{};  // when it begins (later than now once reservations run ahead)
    std::chrono::microseconds window{std::chrono::seconds(1)};  // reset_after of a fresh window
    core::Timestamp blocked_until{};                            // after a 429
  };
  Bucket& BucketOf(const Route& route);
  // The first time at or after `at` that the global window has a place.
  core::Timestamp GlobalSlot(core::Timestamp at) const;
  std::string BucketKey(const Route& route) const;

  const core::Clock& clock_;
  int global_per_second_;
  std::map<std::string, std::string> hash_of_route_;  // "METHOD path" -> bucket hash
  std::map<std::string, Bucket> buckets_;             // "hash|major" or "METHOD path|major"
  // The global limit: the times requests were (or will be) sent, over the last second and ahead.
  std::deque<core::Timestamp> global_sent_;  // sorted
  core::Timestamp global_blocked_until_{};
};

}  // namespace discord::rest

#include "discord/rest/rate_limiter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>

#include "core/testing/manual_clock.h"

namespace discord::rest {
namespace {

using namespace std::chrono_literals;
using core::testing::ManualClock;
using std::chrono::microseconds;

const std::string kChannel = "1390000000000000010";
const std::string kOtherChannel = "1390000000000000011";
const std::string kGuild = "1390000000000000000";

RateLimitHeaders Headers(int limit, int remaining, double reset_after, std::string bucket) {
  RateLimitHeaders h;
  h.limit = limit;
  h.remaining = remaining;
  h.reset_after = reset_after;
  h.bucket = std::move(bucket);
  return h;
}

TEST(RouteTest, NormalisesLikeDiscordJs) {
  const core::Timestamp now(std::chrono::milliseconds(1'780'000'000'000));
  Route r = Route::Of("POST", "/channels/" + kChannel + "/messages", now);
  EXPECT_EQ(r.path, "/channels/:id/messages");
  EXPECT_EQ(r.major, kChannel);
  EXPECT_FALSE(r.interaction);
  r = Route::Of("PUT",
                "/guilds/" + kGuild + "/members/1401999999999999999/roles/1390000000000000005?x=1",
                now);
  EXPECT_EQ(r.path, "/guilds/:id/members/:id/roles/:id");
  EXPECT_EQ(r.major, kGuild);
  r = Route::Of(
      "PUT", "/channels/" + kChannel + "/messages/1402000000000000001/reactions/%F0%9F%91%8D/@me",
      now);
  EXPECT_EQ(r.path, "/channels/:id/messages/:id/reactions/:reaction");
  r = Route::Of("POST", "/interactions/1402000000000000009/aW50ZXJhY3Rpb24/callback", now);
  EXPECT_EQ(r.path, "/interactions/:id/:token/callback");
  EXPECT_TRUE(r.interaction);
  r = Route::Of("PATCH", "/webhooks/1100000000000000000/aW50ZXJhY3Rpb24/messages/@original", now,
                "1100000000000000000");
  EXPECT_EQ(r.path, "/webhooks/:id/:token/messages/@original");
  EXPECT_TRUE(r.interaction);  // the application's own webhook: an interaction follow-up
  EXPECT_EQ(r.major, "1100000000000000000/aW50ZXJhY3Rpb24");
  EXPECT_FALSE(Route::Of("POST", "/webhooks/1200000000000000000/tok", now, "1100000000000000000")
                   .interaction);
  EXPECT_EQ(Route::Of("GET", "/gateway/bot", now).major, "global");
  // Deleting a message older than 14 days: a bucket of its own. 1402000000000000001 was created
  // in mid-2025 (snowflake time), long before `now`.
  EXPECT_EQ(
      Route::Of("DELETE", "/channels/" + kChannel + "/messages/1402000000000000001", now).path,
      "/channels/:id/messages/:id (old message)");
  const std::uint64_t fresh_id =
      static_cast<std::uint64_t>(1'780'000'000'000 - 3'600'000 - 1420070400000LL) << 22;
  EXPECT_EQ(
      Route::Of("DELETE", "/channels/" + kChannel + "/messages/" + std::to_string(fresh_id), now)
          .path,
      "/channels/:id/messages/:id");
}

TEST(RateLimitHeadersTest, ParsesWhatIsThereAndIgnoresGarbage) {
  std::map<std::string, std::string> headers{{"X-RateLimit-Limit", "5"},
                                             {"X-RateLimit-Remaining", "4"},
                                             {"X-RateLimit-Reset-After", "64.57"},
                                             {"X-RateLimit-Bucket", "abcd1234"},
                                             {"Retry-After", "65"}};
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? std::nullopt : std::optional(it->second);
  };
  RateLimitHeaders h = RateLimitHeaders::Parse(get, 64.57);
  EXPECT_EQ(h.limit, 5);
  EXPECT_EQ(h.remaining, 4);
  EXPECT_DOUBLE_EQ(*h.reset_after, 64.57);
  EXPECT_EQ(h.bucket, "abcd1234");
  EXPECT_DOUBLE_EQ(*h.retry_after, 64.57);  // the body's float beats the header's integer
  EXPECT_FALSE(h.global);
  EXPECT_DOUBLE_EQ(*RateLimitHeaders::Parse(get).retry_after, 65);
  headers = {{"X-RateLimit-Limit", "five"},
             {"X-RateLimit-Remaining", "-1"},
             {"X-RateLimit-Reset-After", "nan"},
             {"X-RateLimit-Global", "true"}};
  h = RateLimitHeaders::Parse(get);
  EXPECT_FALSE(h.limit);
  EXPECT_FALSE(h.remaining);
  EXPECT_FALSE(h.reset_after);
  EXPECT_TRUE(h.global);
  headers = {{"X-RateLimit-Scope", "global"}};
  EXPECT_TRUE(RateLimitHeaders::Parse(get).global);
}

class RateLimiterTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  RateLimiter limiter_{clock_};
  Route messages_ = Route::Of("POST", "/channels/" + kChannel + "/messages", clock_.Now());
  Route other_channel_ =
      Route::Of("POST", "/channels/" + kOtherChannel + "/messages", clock_.Now());
};

TEST_F(RateLimiterTest, FollowsTheBucketFromItsHeaders) {
  EXPECT_EQ(limiter_.Reserve(messages_), 0us);  // unknown bucket: the first request goes
  limiter_.Update(messages_, 200, Headers(5, 4, 5.0, "msg"));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter_.Reserve(messages_), 0us) << i;
  // The sixth in the window waits for the reset, plus the slack.
  EXPECT_EQ(limiter_.Reserve(messages_), microseconds(5s + RateLimiter::kResetSlack));
  clock_.Advance(5s + RateLimiter::kResetSlack);
  // A fresh window: four more (the one above took the first slot).
  for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter_.Reserve(messages_), 0us) << i;
  EXPECT_GT(limiter_.Reserve(messages_), 0us);
}

TEST_F(RateLimiterTest, MajorParametersCountSeparatelyAndSharedHashesTogether) {
  limiter_.Reserve(messages_);
  limiter_.Update(messages_, 200, Headers(1, 0, 2.0, "msg"));
  EXPECT_GT(limiter_.Reserve(messages_), 0us);
  // Another channel on the same route: its own counter (learned from its own response).
  EXPECT_EQ(limiter_.Reserve(other_channel_), 0us);
  // Another route that Discord says shares the bucket, on the same channel: the same counter.
  const Route edit =
      Route::Of("PATCH", "/channels/" + kChannel + "/messages/1402000000000000001", clock_.Now());
  limiter_.Update(edit, 200, Headers(1, 0, 2.0, "msg"));
  EXPECT_GT(limiter_.Reserve(edit), 0us);
}

TEST_F(RateLimiterTest, GlobalLimitIsFiftyPerSecondExceptInteractions) {
  // 60 requests on 60 different channels (no bucket limits): 50 now, 10 in the next second.
  int now = 0, later = 0;
  for (int i = 0; i < 60; ++i) {
    const Route r =
        Route::Of("GET", "/channels/13900000000000001" + std::to_string(10 + i), clock_.Now());
    const auto wait = limiter_.Reserve(r);
    wait == 0us ? ++now : ++later;
    if (wait != 0us) {  // one second after the first, plus the slack for the network's jitter
      EXPECT_EQ(wait, microseconds(1s + RateLimiter::kResetSlack));
    }
  }
  EXPECT_EQ(now, 50);
  EXPECT_EQ(later, 10);
  const Route callback =
      Route::Of("POST", "/interactions/1402000000000000009/tok/callback", clock_.Now());
  EXPECT_EQ(limiter_.Reserve(callback), 0us);  // not counted in the global limit
}

TEST(RouteTest, UrgentRequestsActOnAMemberOrTakeAMessageDown) {
  const core::Timestamp now(std::chrono::milliseconds(1'780'000'000'000));
  const std::string member = "/guilds/" + kGuild + "/members/1401999999999999999";
  EXPECT_TRUE(Route::Of("PUT", member + "/roles/1390000000000000005", now).Urgent());
  EXPECT_TRUE(Route::Of("DELETE", member + "/roles/1390000000000000005", now).Urgent());
  EXPECT_TRUE(Route::Of("PATCH", member, now).Urgent());   // a timeout
  EXPECT_TRUE(Route::Of("DELETE", member, now).Urgent());  // a kick
  EXPECT_TRUE(Route::Of("PUT", "/guilds/" + kGuild + "/bans/1401999999999999999", now).Urgent());
  EXPECT_TRUE(Route::Of("DELETE", "/channels/" + kChannel + "/messages/1402000000000000001", now)
                  .Urgent());  // an old message too: its own bucket, still urgent
  EXPECT_FALSE(Route::Of("GET", member, now).Urgent());
  EXPECT_FALSE(Route::Of("POST", "/channels/" + kChannel + "/messages", now).Urgent());
  EXPECT_FALSE(Route::Of("POST", "/channels/" + kChannel + "/threads", now).Urgent());
  EXPECT_FALSE(Route::Of("PATCH", "/channels/" + kChannel + "/messages/1402000000000000001", now)
                   .Urgent());
  EXPECT_FALSE(
      Route::Of("DELETE",
                "/channels/" + kChannel + "/messages/1402000000000000001/reactions/%F0%9F%91%8D/@me",
                now)
          .Urgent());
}

TEST_F(RateLimiterTest, GlobalWaitReservesNothingAndSeesReservationsAhead) {
  auto channel = [&](int i) {
    return Route::Of("GET", "/channels/13900000000000001" + std::to_string(10 + i), clock_.Now());
  };
  EXPECT_EQ(limiter_.GlobalWait(channel(0)), 0us);
  EXPECT_EQ(limiter_.GlobalWait(channel(0)), 0us);  // asking twice took nothing
  for (int i = 0; i < 50; ++i) EXPECT_EQ(limiter_.Reserve(channel(i)), 0us);
  // Full: the next place is a second (and the slack) away, for anyone asking.
  EXPECT_EQ(limiter_.GlobalWait(channel(60)), microseconds(1s + RateLimiter::kResetSlack));
  // A reservation ahead (an urgent request taking that place) is seen by the next ask.
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(limiter_.Reserve(channel(100 + i)), microseconds(1s + RateLimiter::kResetSlack));
  }
  EXPECT_EQ(limiter_.GlobalWait(channel(60)), microseconds(2 * (1s + RateLimiter::kResetSlack)));
  clock_.Advance(1s + RateLimiter::kResetSlack);
  EXPECT_EQ(limiter_.GlobalWait(channel(60)), microseconds(1s + RateLimiter::kResetSlack));
  // Interactions are outside the global limit.
  EXPECT_EQ(limiter_.GlobalWait(
                Route::Of("POST", "/interactions/1402000000000000009/tok/callback", clock_.Now())),
            0us);
}

TEST_F(RateLimiterTest, NoSpanOfASecondEverHoldsMoreThanTheGlobalLimit) {
  // Requests over many channels, some held back by their buckets (reservations ahead of now),
  // while time moves on in uneven steps: wherever a one-second span (plus the slack) starts, it
  // holds at most 50 sends.
  std::vector<core::Timestamp> sent;
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    const std::string channel = "13900000000000" + std::to_string(10000 + rng() % 40);
    const Route r = Route::Of("POST", "/channels/" + channel + "/messages", clock_.Now());
    const auto wait = limiter_.Reserve(r);
    sent.push_back(clock_.Now() + wait);
    if (rng() % 3 == 0) limiter_.Update(r, 200, Headers(2, 1, 0.5 + (rng() % 100) / 50.0, "m"));
    clock_.Advance(microseconds(rng() % 30000));
  }
  std::sort(sent.begin(), sent.end());
  const auto span = microseconds(1s + RateLimiter::kResetSlack);
  for (std::size_t i = 0; i + 50 < sent.size(); ++i) {
    ASSERT_GE(sent[i + 50] - sent[i], span) << "51 sends within one span at " << i;
  }
}

TEST_F(RateLimiterTest, AGlobal429BlocksEverythingButInteractions) {
  limiter_.Reserve(messages_);
  RateLimitHeaders h;
  h.global = true;
  h.retry_after = 3.5;
  EXPECT_EQ(limiter_.Update(messages_, 429, h), microseconds(3500ms));
  EXPECT_EQ(limiter_.Reserve(other_channel_), microseconds(3500ms));
  EXPECT_EQ(limiter_.Reserve(Route::Of("GET", "/gateway/bot", clock_.Now())), microseconds(3500ms));
  EXPECT_EQ(limiter_.Reserve(
                Route::Of("POST", "/interactions/1402000000000000009/t/callback", clock_.Now())),
            0us);
  clock_.Advance(3500ms);
  EXPECT_EQ(limiter_.Reserve(other_channel_), 0us);
}

TEST_F(RateLimiterTest, ARoute429BlocksItsBucketOnlyAndASubLimitOnlyTheRequest) {
  limiter_.Reserve(messages_);
  RateLimitHeaders h = Headers(5, 0, 2.0, "msg");
  h.retry_after = 2.0;
  h.scope = "user";
  EXPECT_EQ(limiter_.Update(messages_, 429, h), microseconds(2s));
  EXPECT_GE(limiter_.Reserve(messages_), microseconds(2s));
  EXPECT_EQ(limiter_.Reserve(other_channel_), 0us);  // other buckets unaffected
  // A sub-limit: 429 while the bucket still has requests left (a channel rename, say).
  const Route rename = Route::Of("PATCH", "/channels/" + kOtherChannel, clock_.Now());
  limiter_.Reserve(rename);
  RateLimitHeaders sub = Headers(10, 7, 5.0, "chan");
  sub.retry_after = 300;
  EXPECT_EQ(limiter_.Update(rename, 429, sub), microseconds(300s));
  EXPECT_EQ(limiter_.Reserve(rename), 0us);  // the bucket stays open for other requests
}

TEST_F(RateLimiterTest, NeverMoreThanTheBucketAllowsInABurst) {
  // 500 role changes on one guild, bucket 10 per 10 s: count what the limiter lets through per
  // window, the server answering every request with the truth.
  const Route role = Route::Of(
      "PUT", "/guilds/" + kGuild + "/members/1401999999999999999/roles/1390000000000000005",
      clock_.Now());
  limiter_.Reserve(role);
  limiter_.Update(role, 200, Headers(10, 9, 10.0, "roles"));
  std::map<std::int64_t, int> per_window;  // window index -> requests sent in it
  const core::Timestamp start = clock_.Now();
  for (int i = 1; i < 500; ++i) {
    const auto wait = limiter_.Reserve(role);
    const core::Timestamp sent = clock_.Now() + wait;
    ++per_window[(sent - start) / std::chrono::seconds(10)];
  }
  for (const auto& [window, n] : per_window) EXPECT_LE(n, 10) << "window " << window;
  EXPECT_GE(per_window.size(), 49u);  // and it does not stall: ~10 per window
}

}  // namespace
}  // namespace discord::rest

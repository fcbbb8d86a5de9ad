#include "discord/gateway/limits.h"

#include <gtest/gtest.h>

#include "core/testing/manual_clock.h"

namespace discord::gateway {
namespace {

using namespace std::chrono_literals;
using core::testing::ManualClock;

TEST(IdentifyLimiterTest, OneIdentifyPerKeyEveryFiveSeconds) {
  ManualClock clock;
  const core::Timestamp t0 = clock.Now();
  IdentifyLimiter one(clock, 1);  // max_concurrency 1: every shard shares one key
  EXPECT_EQ(one.Reserve(0), t0);
  EXPECT_EQ(one.Reserve(1), t0 + IdentifyLimiter::kSpacing);
  EXPECT_EQ(one.Reserve(2), t0 + 2 * IdentifyLimiter::kSpacing);
  EXPECT_GE(IdentifyLimiter::kSpacing, 5s);  // never below Discord's
  clock.Advance(60s);
  EXPECT_EQ(one.Reserve(3), clock.Now());  // long after: at once

  ManualClock c2;
  IdentifyLimiter four(c2, 4);  // shards 0-3 start together, 4-7 five seconds later
  const core::Timestamp s0 = c2.Now();
  for (int shard = 0; shard < 4; ++shard) EXPECT_EQ(four.Reserve(shard), s0) << shard;
  for (int shard = 4; shard < 8; ++shard)
    EXPECT_EQ(four.Reserve(shard), s0 + IdentifyLimiter::kSpacing) << shard;
}

TEST(SendLimiterTest, NeverMoreThan120PerMinuteAndImportantSendsKeepTheirShare) {
  ManualClock clock;
  SendLimiter limiter(clock);
  const core::Timestamp t0 = clock.Now();
  // 110 ordinary sends go at once; the 111th waits for the window.
  for (int i = 0; i < SendLimiter::kOrdinary; ++i) EXPECT_EQ(limiter.Reserve(false), t0) << i;
  EXPECT_EQ(limiter.Reserve(false), t0 + 60s);
  // After 110 ordinary sends, ten important ones still go at once; the 121st waits.
  ManualClock c2;
  SendLimiter l2(c2);
  for (int i = 0; i < SendLimiter::kOrdinary; ++i) l2.Reserve(false);
  for (int i = 0; i < SendLimiter::kLimit - SendLimiter::kOrdinary; ++i) {
    EXPECT_EQ(l2.Reserve(true), c2.Now()) << i;
  }
  EXPECT_GT(l2.Reserve(true), c2.Now());
  // Over a long burst, no 60 s window ever holds more than 120.
  ManualClock c3;
  SendLimiter l3(c3);
  std::vector<core::Timestamp> at;
  for (int i = 0; i < 1000; ++i) {
    at.push_back(l3.Reserve(i % 10 == 0));
    c3.Advance(100ms);
  }
  for (std::size_t i = 0; i < at.size(); ++i) {
    std::size_t in_window = 0;
    for (std::size_t j = i; j < at.size() && at[j] < at[i] + 60s; ++j) ++in_window;
    ASSERT_LE(in_window, static_cast<std::size_t>(SendLimiter::kLimit)) << i;
  }
}

}  // namespace
}  // namespace discord::gateway

#include "store/pg/analytics_repo.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/clock.h"
#include "store/pg/server_repo.h"
#include "store/pg/testing/pg_harness.h"

namespace store::pg {
namespace {

using namespace std::chrono;
using core::ErrorCode;

constexpr Date kDay{year(2025), month(6), day(15)};
// kDay + n days.
Date Day(int n) { return Date(sys_days(kDay) + days(n)); }

class AnalyticsRepoTest : public testing::PgTest {
 protected:

  AnalyticsRepo repo_{pool()};
};

TEST_F(AnalyticsRepoTest, AddCreatesTheRowThenAddsToIt) {
  const GuildId g = CreateServer();
  ASSERT_TRUE(repo_.Add({{.server_id = g,
                          .date = kDay,
                          .detection_count = 2,
                          .message_count = 5,
                          .metrics = R"({"a": 1})"}}));
  auto first = repo_.Get(g, kDay);
  ASSERT_TRUE(first && first->has_value()) << (first ? "no row" : first.error().ToString());
  EXPECT_EQ((*first)->server_id, g);
  EXPECT_EQ((*first)->date, kDay);
  EXPECT_EQ((*first)->detection_count, 2);
  EXPECT_EQ((*first)->message_count, 5);
  EXPECT_EQ((*first)->ban_count, 0);
  EXPECT_EQ((*first)->metrics, R"({"a": 1})");

  // Two deltas for the same row in one batch (summed before sending), and one for another day.
  const auto before = pool().round_trips();
  auto added = repo_.Add({
      {.server_id = g, .date = kDay, .detection_count = 1, .metrics = R"({"b": 2, "a": 2})"},
      {.server_id = g, .date = Day(1), .join_count = 4},
      {.server_id = g,
       .date = kDay,
       .ban_count = 1,
       .verify_count = 3,
       .false_positive_count = 1,
       .gpt_call_count = 6,
       .metrics = R"({"a": 3})"},
  });
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_LE(pool().round_trips() - before, 2u);  // the statement, and its preparation at most

  auto sum = repo_.Get(g, kDay);
  ASSERT_TRUE(sum && sum->has_value());
  EXPECT_EQ((*sum)->detection_count, 3);
  EXPECT_EQ((*sum)->ban_count, 1);
  EXPECT_EQ((*sum)->verify_count, 3);
  EXPECT_EQ((*sum)->false_positive_count, 1);
  EXPECT_EQ((*sum)->gpt_call_count, 6);
  EXPECT_EQ((*sum)->message_count, 5);
  EXPECT_EQ((*sum)->join_count, 0);
  EXPECT_EQ((*sum)->metrics, R"({"a": 3, "b": 2})");  // later keys win

  auto next = repo_.Get(g, Day(1));
  ASSERT_TRUE(next && next->has_value());
  EXPECT_EQ((*next)->join_count, 4);
}

TEST_F(AnalyticsRepoTest, GetAndRangeOfOneServerInDateOrder) {
  const GuildId g = CreateServer();
  const GuildId other = CreateServer();
  for (int d : {3, 0, 5, 1}) {
    ASSERT_TRUE(repo_.Add({{.server_id = g, .date = Day(d), .message_count = d + 1}}));
  }
  ASSERT_TRUE(repo_.Add({{.server_id = other, .date = Day(1), .message_count = 99}}));

  auto range = repo_.Range(g, Day(1), Day(5));
  ASSERT_TRUE(range) << range.error().ToString();
  ASSERT_EQ(range->size(), 3u);
  EXPECT_EQ((*range)[0].date, Day(1));
  EXPECT_EQ((*range)[0].message_count, 2);
  EXPECT_EQ((*range)[1].date, Day(3));
  EXPECT_EQ((*range)[2].date, Day(5));
  for (const auto& row : *range) EXPECT_EQ(row.server_id, g);

  auto missing = repo_.Get(g, Day(2));
  ASSERT_TRUE(missing) << missing.error().ToString();
  EXPECT_FALSE(missing->has_value());
  auto backwards = repo_.Range(g, Day(5), kDay);
  ASSERT_TRUE(backwards);
  EXPECT_TRUE(backwards->empty());
}

TEST_F(AnalyticsRepoTest, ConcurrentAddsLoseNoIncrements) {
  const GuildId g = CreateServer();
  constexpr int kThreads = 2;
  constexpr int kAdds = 50;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAdds; ++i) {
        if (!repo_.Add({{.server_id = g, .date = kDay, .message_count = 1}})) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(kThreads, 0));
  auto row = repo_.Get(g, kDay);
  ASSERT_TRUE(row && row->has_value());
  EXPECT_EQ((*row)->message_count, kThreads * kAdds);
}

TEST_F(AnalyticsRepoTest, RefusalsAreTypedAndWriteNothing) {
  const GuildId g = CreateServer();
  // An unknown server fails the whole batch, including the valid delta.
  auto unknown = repo_.Add({{.server_id = g, .date = kDay, .detection_count = 1},
                            {.server_id = NewGuild(), .date = kDay, .detection_count = 1}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(unknown.error().subject, "analytics_server_id_fkey");
  auto none = repo_.Get(g, kDay);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(repo_.Add({{.server_id = g, .date = kDay, .ban_count = 1}}));
  // Counters only grow, even when the batch's sum for the row would not be negative.
  auto negative = repo_.Add({{.server_id = g, .date = kDay, .ban_count = -1},
                             {.server_id = g, .date = kDay, .ban_count = 2}});
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(negative.error().subject, "analytics_counts_nonnegative");
  EXPECT_EQ((*repo_.Get(g, kDay))->ban_count, 1);

  auto overflow = repo_.Add({{.server_id = g, .date = kDay, .ban_count = 2'147'483'647}});
  ASSERT_FALSE(overflow);
  EXPECT_EQ(overflow.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ((*repo_.Get(g, kDay))->ban_count, 1);

  auto not_object = repo_.Add({{.server_id = g, .date = kDay, .metrics = "[1]"},
                               {.server_id = g, .date = kDay, .metrics = R"({"a": 1})"}});
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().code, ErrorCode::kInvalidArgument);
  auto not_object_alone = repo_.Add({{.server_id = g, .date = kDay, .metrics = "[1]"}});
  ASSERT_FALSE(not_object_alone);
  EXPECT_EQ(not_object_alone.error().subject, "analytics_metrics_object");

  EXPECT_TRUE(repo_.Add({}));
}

}  // namespace
}  // namespace store::pg

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "store/pg/analytics_repo.h"
#include "store/pg/counter_write.h"
#include "store/pg/gpt_usage_repo.h"
#include "store/pg/member_repo.h"
#include "store/pg/testing/pg_harness.h"

namespace store::pg {
namespace {

using namespace std::chrono;
using core::ErrorCode;

constexpr Date kDay{year(2025), month(6), day(15)};
const Timestamp kNoon = Timestamp(sys_days(kDay)) + hours(12);

class CounterWriteTest : public testing::PgTest {
 protected:
  static GptUsage Call(GuildId g, std::optional<UserId> u, int tokens = 100) {
    return GptUsage{.server_id = g,
                    .user_id = u,
                    .timestamp = kNoon,
                    .model = "gpt-4o-mini",
                    .prompt_tokens = tokens,
                    .total_tokens = tokens,
                    .purpose = "message_check",
                    .latency_ms = 300,
                    .cost_usd = 0.001};
  }
  std::optional<ServerMember> Member(GuildId g, UserId u) {
    auto m = members_.Find(g, u);
    EXPECT_TRUE(m) << m.error().ToString();
    return m ? *m : std::nullopt;
  }
  std::optional<AnalyticsDay> Day(GuildId g) {
    auto d = analytics_.Get(g, kDay);
    EXPECT_TRUE(d) << d.error().ToString();
    return d ? *d : std::nullopt;
  }
  std::int64_t Calls(GuildId g) {
    auto n = usage_.CountSince(g, Timestamp{});
    EXPECT_TRUE(n) << n.error().ToString();
    return n ? *n : -1;
  }

  CounterWriter writer_{pool()};
  MemberRepo members_{pool()};
  AnalyticsRepo analytics_{pool()};
  GptUsageRepo usage_{pool()};
};

TEST_F(CounterWriteTest, AllPartsInOneRoundTripCreatingMissingRows) {
  // Nothing exists yet: not the server, not the users, not the members.
  const GuildId g = NewGuild();
  const UserId a = NewUser();
  const UserId b = NewUser();
  const UserId asker = NewUser();
  const std::vector<MessageCountDelta> counts{
      {.server_id = g, .user_id = a, .count = 3, .last_message_at = kNoon},
      {.server_id = g, .user_id = b, .count = 1, .last_message_at = kNoon + 5s},
      {.server_id = g, .user_id = a, .count = 2, .last_message_at = kNoon - 1h}};  // combined
  const std::vector<AnalyticsDay> days{
      {.server_id = g, .date = kDay, .detection_count = 1, .message_count = 4},
      {.server_id = g, .date = kDay, .message_count = 2, .join_count = 1}};  // combined
  const std::vector<GptUsage> calls{Call(g, asker), Call(g, std::nullopt)};

  Pool unprepared({.url = url(), .size = 1, .prepared_statements = false});
  ASSERT_TRUE(unprepared.Ping());
  CounterWriter w(unprepared);
  const auto before = unprepared.round_trips();
  auto r = w.Write(counts, days, calls);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(unprepared.round_trips() - before, 1u);
  EXPECT_EQ(r->members, 2);
  EXPECT_EQ(r->days, 1);
  EXPECT_EQ(r->llm_calls, 2);
  EXPECT_EQ(r->statements, 1);

  auto ma = Member(g, a);
  ASSERT_TRUE(ma.has_value());
  EXPECT_EQ(ma->message_count, 5);
  EXPECT_EQ(ma->last_message_at, kNoon);
  auto mb = Member(g, b);
  ASSERT_TRUE(mb.has_value());
  EXPECT_EQ(mb->message_count, 1);
  auto day = Day(g);
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(day->detection_count, 1);
  EXPECT_EQ(day->message_count, 6);
  EXPECT_EQ(day->join_count, 1);
  EXPECT_EQ(Calls(g), 2);
}

TEST_F(CounterWriteTest, WithPreparedStatementsOnlyTheFirstUseAlsoPrepares) {
  Pool prepared({.url = url(), .size = 1, .prepared_statements = true});
  ASSERT_TRUE(prepared.Ping());
  CounterWriter w(prepared);
  const GuildId g = NewGuild();
  const std::vector<MessageCountDelta> counts{
      {.server_id = g, .user_id = NewUser(), .count = 1, .last_message_at = kNoon}};
  const std::vector<AnalyticsDay> days{{.server_id = g, .date = kDay, .message_count = 1}};
  const auto cold = prepared.round_trips();
  ASSERT_TRUE(w.Write(counts, days, {}));
  EXPECT_EQ(prepared.round_trips() - cold, 2u);  // prepare + execute
  const auto warm = prepared.round_trips();
  ASSERT_TRUE(w.Write(counts, days, {}));
  EXPECT_EQ(prepared.round_trips() - warm, 1u);
}

TEST_F(CounterWriteTest, AddsToExistingRowsAndMergesMetrics) {
  const GuildId g = NewGuild();
  const UserId u = NewUser();
  const std::vector<MessageCountDelta> first{
      {.server_id = g, .user_id = u, .count = 2, .last_message_at = kNoon}};
  const std::vector<AnalyticsDay> day1{
      {.server_id = g, .date = kDay, .message_count = 2, .metrics = R"({"a": 1, "b": 1})"}};
  ASSERT_TRUE(writer_.Write(first, day1, {}));
  // An older last_message_at does not move it back; later metrics keys win.
  const std::vector<MessageCountDelta> second{
      {.server_id = g, .user_id = u, .count = 3, .last_message_at = kNoon - 1h}};
  const std::vector<AnalyticsDay> day2{
      {.server_id = g, .date = kDay, .message_count = 1, .metrics = R"({"b": 2})"},
      {.server_id = g, .date = kDay, .ban_count = 1, .metrics = R"({"c": 3})"}};
  ASSERT_TRUE(writer_.Write(second, day2, {}));
  auto m = Member(g, u);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->message_count, 5);
  EXPECT_EQ(m->last_message_at, kNoon);
  auto day = Day(g);
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(day->message_count, 3);
  EXPECT_EQ(day->ban_count, 1);
  EXPECT_EQ(day->metrics, R"({"a": 1, "b": 2, "c": 3})");
}

TEST_F(CounterWriteTest, EmptyPartsAreLeftOutAndAnEmptyBatchMakesNoRoundTrip) {
  const auto before = pool().round_trips();
  auto none = writer_.Write({}, {}, {});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->statements, 0);
  EXPECT_EQ(pool().round_trips(), before);

  // Member counts alone: no analytics row, no gpt_usage row.
  const GuildId g = NewGuild();
  const UserId u = NewUser();
  const std::vector<MessageCountDelta> counts{
      {.server_id = g, .user_id = u, .count = 1, .last_message_at = kNoon}};
  auto only_members = writer_.Write(counts, {}, {});
  ASSERT_TRUE(only_members) << only_members.error().ToString();
  EXPECT_EQ(only_members->members, 1);
  EXPECT_EQ(only_members->days, 0);
  EXPECT_EQ(only_members->llm_calls, 0);
  EXPECT_TRUE(Member(g, u).has_value());
  EXPECT_FALSE(Day(g).has_value());
  EXPECT_EQ(Calls(g), 0);

  // Analytics alone, for a server no member count created: the server row is created too.
  const GuildId joins_only = NewGuild();
  const std::vector<AnalyticsDay> days{{.server_id = joins_only, .date = kDay, .join_count = 4}};
  auto only_days = writer_.Write({}, days, {});
  ASSERT_TRUE(only_days) << only_days.error().ToString();
  EXPECT_EQ(only_days->days, 1);
  auto day = Day(joins_only);
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(day->join_count, 4);

  // gpt_usage alone.
  const GuildId asked = NewGuild();
  const std::vector<GptUsage> calls{Call(asked, NewUser())};
  auto only_calls = writer_.Write({}, {}, calls);
  ASSERT_TRUE(only_calls) << only_calls.error().ToString();
  EXPECT_EQ(only_calls->llm_calls, 1);
  EXPECT_EQ(Calls(asked), 1);
  EXPECT_FALSE(Day(asked).has_value());
}

TEST_F(CounterWriteTest, ConcurrentWritersLoseNoIncrements) {
  const GuildId g = NewGuild();
  const std::vector<UserId> users{NewUser(), NewUser(), NewUser()};
  constexpr int kThreads = 4;
  constexpr int kWrites = 25;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      CounterWriter w(pool());
      for (int i = 0; i < kWrites; ++i) {
        // Each thread lists the members in its own order; the writer sorts them.
        std::vector<MessageCountDelta> counts;
        for (std::size_t k = 0; k < users.size(); ++k) {
          const UserId u = users[(k + static_cast<std::size_t>(t)) % users.size()];
          counts.push_back({.server_id = g, .user_id = u, .count = 1, .last_message_at = kNoon});
        }
        const std::vector<AnalyticsDay> days{
            {.server_id = g, .date = kDay, .gpt_call_count = 1, .message_count = 3}};
        const std::vector<GptUsage> calls{Call(g, users[0])};
        if (!w.Write(counts, days, calls)) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(kThreads, 0));
  for (const UserId u : users) {
    auto m = Member(g, u);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->message_count, kThreads * kWrites);
  }
  auto day = Day(g);
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(day->message_count, 3 * kThreads * kWrites);
  EXPECT_EQ(day->gpt_call_count, kThreads * kWrites);
  EXPECT_EQ(Calls(g), kThreads * kWrites);
}

TEST_F(CounterWriteTest, AFailureWritesNothing) {
  const GuildId g = NewGuild();
  const UserId u = NewUser();
  const std::vector<MessageCountDelta> counts{
      {.server_id = g, .user_id = u, .count = 1, .last_message_at = kNoon}};
  const std::vector<AnalyticsDay> days{{.server_id = g, .date = kDay, .message_count = 1}};

  // The database refuses the gpt_usage row: the counts and the day are not written either.
  const std::vector<GptUsage> refused{Call(g, u, -5)};
  auto r = writer_.Write(counts, days, refused);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(r.error().subject, "gpt_usage_tokens_nonnegative");
  EXPECT_FALSE(Member(g, u).has_value());
  EXPECT_FALSE(Day(g).has_value());
  EXPECT_EQ(Calls(g), 0);

  // Refused before sending: nothing written, no round trip.
  const auto before = pool().round_trips();
  const std::vector<AnalyticsDay> negative{{.server_id = g, .date = kDay, .join_count = -1}};
  auto neg = writer_.Write(counts, negative, {});
  ASSERT_FALSE(neg);
  EXPECT_EQ(neg.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(neg.error().subject, "analytics_counts_nonnegative");
  const std::vector<MessageCountDelta> negative_count{
      {.server_id = g, .user_id = u, .count = -1, .last_message_at = kNoon}};
  auto neg_count = writer_.Write(negative_count, days, {});
  ASSERT_FALSE(neg_count);
  EXPECT_EQ(neg_count.error().code, ErrorCode::kInvalidArgument);
  GptUsage nan = Call(g, u);
  nan.cost_usd = std::numeric_limits<double>::quiet_NaN();
  const std::vector<GptUsage> nan_calls{nan};
  auto nan_cost = writer_.Write(counts, days, nan_calls);
  ASSERT_FALSE(nan_cost);
  EXPECT_EQ(nan_cost.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(pool().round_trips(), before);

  // A counter summing above 32 bits: refused by the server, and again nothing is written.
  const std::vector<AnalyticsDay> huge{
      {.server_id = g, .date = kDay, .message_count = std::int64_t{1} << 31}};
  auto overflow = writer_.Write(counts, huge, {});
  ASSERT_FALSE(overflow);
  EXPECT_EQ(overflow.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(Member(g, u).has_value());
  EXPECT_FALSE(Day(g).has_value());

  // And the same batch without the refused parts is written whole.
  ASSERT_TRUE(writer_.Write(counts, days, {}));
  EXPECT_TRUE(Member(g, u).has_value());
  EXPECT_TRUE(Day(g).has_value());
}

}  // namespace
}  // namespace store::pg

#include "store/pg/gpt_usage_repo.h"

#include <gtest/gtest.h>

#include <cmath>

#include <vector>

#include "core/clock.h"
#include "store/pg/detail/session.h"
#include "store/pg/server_repo.h"
#include "store/pg/testing/pg_harness.h"

namespace store::pg {
namespace {

using namespace std::chrono_literals;
using core::ErrorCode;

class GptUsageRepoTest : public testing::PgTest {
 protected:

  GptUsageRepo repo_{pool()};
};

TEST_F(GptUsageRepoTest, RecordReturnsTheStoredRow) {
  const GuildId g = CreateServer();
  const UserId u = CreateUser();
  const GptUsage usage{.server_id = g,
                       .user_id = u,
                       .timestamp = Timestamp(1'750'000'000'123'456us),
                       .model = "gpt-4o-mini",
                       .prompt_tokens = 120,
                       .completion_tokens = 30,
                       .total_tokens = 150,
                       .purpose = "grey_zone",
                       .success = false,
                       .latency_ms = 850,
                       .cost_usd = 0.0123,
                       .metadata = R"({"cache": "miss"})"};
  auto stored = repo_.Record(usage);
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_FALSE(stored->id.value.empty());
  EXPECT_EQ(stored->server_id, g);
  EXPECT_EQ(stored->user_id, u);
  EXPECT_EQ(stored->timestamp, usage.timestamp);
  EXPECT_EQ(stored->model, "gpt-4o-mini");
  EXPECT_EQ(stored->prompt_tokens, 120);
  EXPECT_EQ(stored->completion_tokens, 30);
  EXPECT_EQ(stored->total_tokens, 150);
  EXPECT_EQ(stored->purpose, "grey_zone");
  EXPECT_FALSE(stored->success);
  EXPECT_EQ(stored->latency_ms, 850);
  ASSERT_TRUE(stored->cost_usd.has_value());
  EXPECT_DOUBLE_EQ(*stored->cost_usd, 0.0123);
  EXPECT_EQ(stored->metadata, R"({"cache": "miss"})");

  // Unset optionals stay NULL; a zero timestamp is stamped by the database.
  auto bare = repo_.Record({.server_id = g, .model = "m"});
  ASSERT_TRUE(bare) << bare.error().ToString();
  EXPECT_NE(bare->timestamp, Timestamp{});
  EXPECT_FALSE(bare->user_id.has_value());
  EXPECT_FALSE(bare->latency_ms.has_value());
  EXPECT_FALSE(bare->cost_usd.has_value());
  EXPECT_TRUE(bare->success);
}

TEST_F(GptUsageRepoTest, RecordBatchThenBudgetQueries) {
  const GuildId g = CreateServer();
  const GuildId other = CreateServer();
  const UserId u = CreateUser();
  const Timestamp day(1'750'032'000s);  // midnight UTC
  const std::vector<GptUsage> batch{
      {.server_id = g,
       .user_id = u,
       .timestamp = day - 1s,
       .model = "m",
       .prompt_tokens = 1000,
       .total_tokens = 1000,
       .cost_usd = 1.0},  // yesterday
      {.server_id = g,
       .user_id = u,
       .timestamp = day,
       .model = "m",
       .prompt_tokens = 100,
       .completion_tokens = 20,
       .total_tokens = 120,
       .purpose = "grey \"zone\", {x}",
       .latency_ms = 300,
       .cost_usd = 0.25},
      {.server_id = g, .timestamp = day + 2h, .model = "m", .total_tokens = 30, .success = false},
      {.server_id = g, .timestamp = day + 3h, .model = "m", .total_tokens = 50, .cost_usd = 0.5},
      {.server_id = other, .timestamp = day + 1h, .model = "m", .total_tokens = 7, .cost_usd = 9.0},
  };
  const auto before = pool().round_trips();
  auto recorded = repo_.RecordBatch(batch);
  ASSERT_TRUE(recorded) << recorded.error().ToString();
  EXPECT_LE(pool().round_trips() - before, 2u);  // the statement, and its preparation at most

  auto count = repo_.CountSince(g, day);
  ASSERT_TRUE(count) << count.error().ToString();
  EXPECT_EQ(*count, 3);  // failed calls count: they were made

  auto totals = repo_.TotalsSince(g, day);
  ASSERT_TRUE(totals) << totals.error().ToString();
  EXPECT_EQ(totals->calls, 3);
  EXPECT_EQ(totals->total_tokens, 200);
  EXPECT_DOUBLE_EQ(totals->cost_usd, 0.75);

  auto whole = repo_.TotalsSince(g, day - 24h);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->calls, 4);
  EXPECT_EQ(whole->total_tokens, 1200);

  auto none = repo_.TotalsSince(NewGuild(), day);
  ASSERT_TRUE(none) << none.error().ToString();
  EXPECT_EQ(none->calls, 0);
  EXPECT_EQ(none->total_tokens, 0);
  EXPECT_DOUBLE_EQ(none->cost_usd, 0.0);

  EXPECT_TRUE(repo_.RecordBatch({}));
}

TEST_F(GptUsageRepoTest, NegativeTokensAreRefusedAndTheBatchWritesNothing) {
  const GuildId g = CreateServer();
  auto negative = repo_.Record({.server_id = g, .model = "m", .completion_tokens = -1});
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(negative.error().subject, "gpt_usage_tokens_nonnegative");

  const Timestamp t(1'750'000'000s);
  auto batch = repo_.RecordBatch(std::vector<GptUsage>{
      {.server_id = g, .timestamp = t, .model = "m", .total_tokens = 5},
      {.server_id = g, .timestamp = t, .model = "m", .total_tokens = -5},
  });
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(batch.error().subject, "gpt_usage_tokens_nonnegative");
  auto count = repo_.CountSince(g, t - 1h);
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 0);

  auto empty_model = repo_.Record({.server_id = g, .model = ""});
  ASSERT_FALSE(empty_model);
  EXPECT_EQ(empty_model.error().subject, "gpt_usage_model_nonempty");
  auto no_server = repo_.Record({.server_id = NewGuild(), .model = "m"});
  ASSERT_FALSE(no_server);
  EXPECT_EQ(no_server.error().subject, "gpt_usage_server_id_fkey");
}

}  // namespace
}  // namespace store::pg

namespace store::pg {
namespace {

class GptUsageNanTest : public testing::PgTest {};

TEST_F(GptUsageNanTest, NanCostIsRefusedByTheRepositoryAndTheSchema) {
  const GuildId g = CreateServer();
  GptUsageRepo repo(pool());
  auto r = repo.Record({.server_id = g, .model = "m", .cost_usd = std::nan("")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
  // Behind the repository's back, the schema refuses it too.
  static constexpr Statement kRaw{
      "gpt_usage_pgtest_raw_nan",
      "INSERT INTO gpt_usage (server_id, model, prompt_tokens, completion_tokens, total_tokens, "
      "cost_usd) VALUES ($1, 'm', 0, 0, 0, 'NaN')"};
  auto raw = pool().Run("raw", [&](Session& s) { s.Exec(kRaw, detail::Params(g)); });
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().subject, "gpt_usage_cost_finite");
  auto totals = repo.TotalsSince(g, Timestamp{});
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals->calls, 0);
}

}  // namespace
}  // namespace store::pg

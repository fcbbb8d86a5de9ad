#include "store/pg/server_repo.h"

#include <gtest/gtest.h>

#include "core/testing/manual_clock.h"
#include "store/pg/testing/pg_harness.h"

namespace store::pg {
namespace {

using core::ErrorCode;

class ServerRepoTest : public testing::PgTest {
 protected:
  core::testing::ManualClock clock_;
  ServerRepo repo_{pool(), clock_};
};

TEST_F(ServerRepoTest, UpsertCreatesWithDefaultsThenPatches) {
  const GuildId g = NewGuild();
  auto created = repo_.Upsert(g);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(created->guild_id, g);
  EXPECT_EQ(created->settings, "{}");
  EXPECT_TRUE(created->is_active);
  EXPECT_FALSE(created->restricted_role_id.has_value());

  auto patched = repo_.Upsert(g, {.restricted_role_id = RoleId(42),
                                  .settings = R"({"min_risk": 0.7})"});
  ASSERT_TRUE(patched) << patched.error().ToString();
  EXPECT_EQ(patched->restricted_role_id, RoleId(42));
  EXPECT_EQ(patched->settings, R"({"min_risk": 0.7})");
  EXPECT_EQ(patched->created_at, created->created_at);

  // An empty patch leaves configured values alone.
  auto again = repo_.Upsert(g);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->restricted_role_id, RoleId(42));
}

TEST_F(ServerRepoTest, FindUnknownIsEmptyNotAnError) {
  auto found = repo_.Find(NewGuild());
  ASSERT_TRUE(found) << found.error().ToString();
  EXPECT_FALSE(found->has_value());
}

TEST_F(ServerRepoTest, UpdateAndRemoveUnknownAreNotFound) {
  Server ghost{.guild_id = NewGuild()};
  auto updated = repo_.Update(ghost);
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, ErrorCode::kNotFound);
  auto removed = repo_.Remove(ghost.guild_id);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, ErrorCode::kNotFound);
}

TEST_F(ServerRepoTest, UpdateReplacesConfiguration) {
  const GuildId g = NewGuild();
  ASSERT_TRUE(repo_.Upsert(g, {.admin_channel_id = ChannelId(7)}));
  Server s{.guild_id = g, .verification_channel_id = ChannelId(8), .is_active = false};
  auto updated = repo_.Update(s);
  ASSERT_TRUE(updated) << updated.error().ToString();
  EXPECT_FALSE(updated->admin_channel_id.has_value());
  EXPECT_EQ(updated->verification_channel_id, ChannelId(8));
  EXPECT_FALSE(updated->is_active);
  auto active = repo_.ListActive();
  ASSERT_TRUE(active);
  for (const auto& a : *active) EXPECT_NE(a.guild_id, g);
}

TEST_F(ServerRepoTest, InvalidSettingsJsonIsRefusedWithTheConstraintName) {
  auto r = repo_.Upsert(NewGuild(), {.settings = "[1, 2]"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(r.error().subject, "servers_settings_object");
  auto not_json = repo_.Upsert(NewGuild(), {.settings = "{oops"});
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ServerRepoTest, GetServesFromCacheUntilTtlOrInvalidate) {
  const GuildId g = NewGuild();
  ASSERT_TRUE(repo_.Upsert(g, {.admin_channel_id = ChannelId(1)}));
  ASSERT_TRUE(repo_.Get(g));
  // Another writer (a second repository, as another process would be) changes the row.
  core::testing::ManualClock other_clock;
  ServerRepo other(pool(), other_clock);
  ASSERT_TRUE(other.Upsert(g, {.admin_channel_id = ChannelId(2)}));

  auto cached = repo_.Get(g);
  ASSERT_TRUE(cached && cached->has_value());
  EXPECT_EQ((*cached)->admin_channel_id, ChannelId(1));

  clock_.Advance(std::chrono::seconds(31));
  auto fresh = repo_.Get(g);
  ASSERT_TRUE(fresh && fresh->has_value());
  EXPECT_EQ((*fresh)->admin_channel_id, ChannelId(2));

  ASSERT_TRUE(other.Upsert(g, {.admin_channel_id = ChannelId(3)}));
  repo_.Invalidate(g);
  EXPECT_EQ((*repo_.Get(g))->admin_channel_id, ChannelId(3));
}

TEST_F(ServerRepoTest, RemoveCascades) {
  const GuildId g = NewGuild();
  ASSERT_TRUE(repo_.Upsert(g));
  ASSERT_TRUE(repo_.Remove(g));
  auto found = repo_.Find(g);
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
}

TEST_F(ServerRepoTest, UpsertManyWritesEveryRowAndRefreshesTheCache) {
  const GuildId existing = NewGuild();
  const GuildId fresh = NewGuild();
  ASSERT_TRUE(repo_.Upsert(
      existing, {.admin_channel_id = ChannelId(1), .verification_channel_id = ChannelId(5)}));
  ASSERT_TRUE(repo_.Get(existing));  // cached with admin channel 1
  const std::vector<std::pair<GuildId, ServerPatch>> rows{
      {existing, {.admin_channel_id = ChannelId(2), .updated_by = UserId(77)}},
      {fresh, {.restricted_role_id = RoleId(3)}},
  };
  auto written = repo_.UpsertMany(rows);
  ASSERT_TRUE(written) << written.error().ToString();
  ASSERT_EQ(written->size(), 2u);
  EXPECT_EQ((*written)[0].guild_id, existing);
  EXPECT_EQ((*written)[0].admin_channel_id, ChannelId(2));
  EXPECT_EQ((*written)[0].verification_channel_id, ChannelId(5));  // unset: left alone
  EXPECT_EQ((*written)[0].updated_by, UserId(77));
  EXPECT_EQ((*written)[1].guild_id, fresh);
  EXPECT_EQ((*written)[1].restricted_role_id, RoleId(3));
  EXPECT_FALSE((*written)[1].admin_channel_id.has_value());

  // The cache holds the written rows at once (no TTL wait).
  auto cached = repo_.Get(existing);
  ASSERT_TRUE(cached && cached->has_value());
  EXPECT_EQ((*cached)->admin_channel_id, ChannelId(2));
  auto stored = repo_.Find(fresh);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->restricted_role_id, RoleId(3));
}

TEST_F(ServerRepoTest, UpsertManyIsAllOrNothing) {
  const GuildId before = NewGuild();
  const GuildId existing = NewGuild();
  const GuildId bad = NewGuild();
  const GuildId after = NewGuild();
  ASSERT_TRUE(repo_.Upsert(existing, {.admin_channel_id = ChannelId(1)}));
  ASSERT_TRUE(repo_.Get(existing));
  const std::vector<std::pair<GuildId, ServerPatch>> rows{
      {before, {.restricted_role_id = RoleId(10)}},
      {existing, {.admin_channel_id = ChannelId(2)}},
      {bad, {.settings = "[1, 2]"}},  // violates servers_settings_object
      {after, {.restricted_role_id = RoleId(11)}},
  };
  auto written = repo_.UpsertMany(rows);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(written.error().subject, "servers_settings_object");
  EXPECT_NE(written.error().message.find("guild " + bad.ToString()), std::string::npos)
      << written.error().message;

  for (GuildId g : {before, bad, after}) {
    auto found = repo_.Find(g);
    ASSERT_TRUE(found);
    EXPECT_FALSE(found->has_value()) << g.ToString();
  }
  auto kept = repo_.Find(existing);
  ASSERT_TRUE(kept && kept->has_value());
  EXPECT_EQ((*kept)->admin_channel_id, ChannelId(1));
  auto cached = repo_.Get(existing);
  ASSERT_TRUE(cached && cached->has_value());
  EXPECT_EQ((*cached)->admin_channel_id, ChannelId(1));

  // The pool's connection is fine afterwards.
  ASSERT_TRUE(repo_.UpsertMany(std::span(rows).first(2)));
  EXPECT_EQ((*repo_.Get(existing))->admin_channel_id, ChannelId(2));
}

TEST_F(ServerRepoTest, UpsertManyOfNothingMakesNoRoundTrip) {
  ASSERT_TRUE(pool().Ping());
  const auto trips = pool().round_trips();
  auto written = repo_.UpsertMany({});
  ASSERT_TRUE(written) << written.error().ToString();
  EXPECT_TRUE(written->empty());
  EXPECT_EQ(pool().round_trips(), trips);
}

}  // namespace
}  // namespace store::pg

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "bot/config_service.h"
#include "core/clock.h"
#include "store/pg/testing/pg_harness.h"

namespace bot {
namespace {

using store::pg::testing::PgTest;
using ::testing::HasSubstr;

class ConfigServicePgTest : public PgTest {
 protected:
  core::SystemClock clock_;
  store::pg::ServerRepo servers_{pool(), clock_};
};

TEST_F(ConfigServicePgTest, EnsureRegistersANewGuildWithTheDefaults) {
  ConfigService service(servers_, {});
  const auto guild = NewGuild();
  EXPECT_EQ(service.Cached(guild), nullptr);
  auto config = service.Ensure(guild);
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ((*config)->guild, guild);
  EXPECT_TRUE((*config)->overrides.empty());
  EXPECT_EQ(service.Cached(guild), *config);
  auto row = servers_.Find(guild);
  ASSERT_TRUE(row.has_value() && row->has_value());
  EXPECT_EQ((*row)->settings, "{}");
}

TEST_F(ConfigServicePgTest, SetWritesValidatesCachesAndAnnounces) {
  ConfigService service(servers_, {});
  const auto guild = NewGuild();
  const auto admin = NewUser();
  ASSERT_TRUE(service.Ensure(guild).has_value());
  std::vector<ConfigService::Config> seen;
  service.OnChanged([&](const ConfigService::Config& c) { seen.push_back(c); });

  auto set = service.Set(guild, "action.restrict", "0.5", admin);
  ASSERT_TRUE(set.has_value()) << set.error().ToString();
  EXPECT_DOUBLE_EQ((*set)->policy->data().restrict_risk, 0.5);
  EXPECT_EQ(service.Cached(guild), *set);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], *set);
  auto row = servers_.Find(guild);
  ASSERT_TRUE(row.has_value() && row->has_value());
  EXPECT_EQ((*row)->settings, R"({"action.restrict": "0.5"})");  // jsonb's spelling
  EXPECT_EQ((*row)->updated_by, admin);

  auto role = service.Set(guild, "role.restricted", "<@&555>", admin);
  ASSERT_TRUE(role.has_value());
  EXPECT_EQ((*role)->restricted_role, core::RoleId(555));

  // Refused: nothing written, nothing announced, the cache unchanged.
  auto bad = service.Set(guild, "action.restrict", "high", admin);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_DOUBLE_EQ(service.Cached(guild)->policy->data().restrict_risk, 0.5);
  auto again = servers_.Find(guild);
  EXPECT_EQ((*again)->settings, R"({"action.restrict": "0.5"})");

  auto reset = service.Reset(guild, "action.restrict", admin);
  ASSERT_TRUE(reset.has_value());
  EXPECT_DOUBLE_EQ((*reset)->policy->data().restrict_risk, 0.6);
  EXPECT_EQ((*reset)->restricted_role, core::RoleId(555));  // "reset KEY" touches KEY only
}

TEST_F(ConfigServicePgTest, ReloadSeesAnotherProcessesChangeAndForgetsRemovedGuilds) {
  ConfigService service(servers_, {});
  const auto guild = NewGuild();
  ASSERT_TRUE(service.Ensure(guild).has_value());
  // Another process: its own repository on its own pool.
  store::pg::Pool other_pool({.url = url(), .size = 1});
  store::pg::ServerRepo other(other_pool, clock_);
  store::pg::ServerPatch patch;
  patch.settings = R"({"workflow.delete_message": "never"})";
  ASSERT_TRUE(other.Upsert(guild, patch).has_value());
  EXPECT_EQ(service.Cached(guild)->workflow.delete_message, DeleteMessage::kHigh);  // stale
  auto reloaded = service.Reload(guild);
  ASSERT_TRUE(reloaded.has_value());
  EXPECT_EQ((*reloaded)->workflow.delete_message, DeleteMessage::kNever);
  EXPECT_EQ(service.ReloadAll(), 0);

  ASSERT_TRUE(other.Remove(guild).has_value());
  auto gone = service.Reload(guild);
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(*gone, nullptr);
  EXPECT_EQ(service.Cached(guild), nullptr);
}

TEST_F(ConfigServicePgTest, DualWriteCopiesLegacyIdsTheDatabaseLacks) {
  ConfigServiceOptions options;
  options.source = ConfigSource::kDualWrite;
  options.env.restricted_role = core::RoleId(71);
  options.env.admin_channel = core::ChannelId(72);
  ConfigService service(servers_, options);
  const auto guild = NewGuild();
  store::pg::ServerPatch existing;
  existing.admin_channel_id = core::ChannelId(99);  // already in the database: kept
  ASSERT_TRUE(servers_.Upsert(guild, existing).has_value());

  auto config = service.Ensure(guild);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ((*config)->restricted_role, core::RoleId(71));
  EXPECT_EQ((*config)->id_sources[0], IdSource::kDatabase);  // written, then read back
  EXPECT_EQ((*config)->admin_channel, core::ChannelId(99));
  ASSERT_EQ((*config)->problems.size(), 1u);
  EXPECT_THAT((*config)->problems[0], HasSubstr("ADMIN_CHANNEL_ID is 72"));
  auto row = servers_.Find(guild);
  EXPECT_EQ((*row)->restricted_role_id, core::RoleId(71));
  EXPECT_EQ((*row)->admin_channel_id, core::ChannelId(99));
}

TEST_F(ConfigServicePgTest, EnvFallbackLeavesTheDatabaseAlone) {
  ConfigServiceOptions options;
  options.source = ConfigSource::kEnvFallback;
  options.env.restricted_role = core::RoleId(81);
  ConfigService service(servers_, options);
  const auto guild = NewGuild();
  auto config = service.Ensure(guild);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ((*config)->restricted_role, core::RoleId(81));
  EXPECT_EQ((*config)->id_sources[0], IdSource::kEnvironment);
  auto row = servers_.Find(guild);
  EXPECT_FALSE((*row)->restricted_role_id.has_value());
}

TEST_F(ConfigServicePgTest, ADatabaseOutageIsAnErrorAndCachesNothing) {
  store::pg::Pool dead({.url = "postgresql://127.0.0.1:1/none?connect_timeout=1", .size = 1});
  store::pg::ServerRepo repo(dead, clock_);
  ConfigService service(repo, {});
  auto config = service.Ensure(NewGuild());
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(service.cached(), 0u);
}

TEST_F(ConfigServicePgTest, ConcurrentSetsOfDifferentKeysAreAllKept) {
  // Two processes (their own services and pools) change different keys at once: no lost update.
  store::pg::Pool other_pool({.url = url(), .size = 2});
  store::pg::ServerRepo other_repo(other_pool, clock_);
  ConfigService a(servers_, {});
  ConfigService b(other_repo, {});
  const auto guild = NewGuild();
  ASSERT_TRUE(a.Ensure(guild).has_value());
  std::thread t1([&] {
    for (int i = 0; i < 20; ++i) {
      EXPECT_TRUE(a.Set(guild, "rate.max_messages", std::to_string(5 + i % 5), std::nullopt));
    }
  });
  std::thread t2([&] {
    for (int i = 0; i < 20; ++i) {
      EXPECT_TRUE(b.Set(guild, "workflow.store_messages", std::to_string(i + 1), std::nullopt));
    }
  });
  t1.join();
  t2.join();
  auto row = servers_.Find(guild);
  ASSERT_TRUE(row && row->has_value());
  EXPECT_THAT((*row)->settings, HasSubstr("\"rate.max_messages\": \"9\""));
  EXPECT_THAT((*row)->settings, HasSubstr("\"workflow.store_messages\": \"20\""));
}

}  // namespace
}  // namespace bot

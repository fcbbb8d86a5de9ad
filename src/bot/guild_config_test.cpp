#include "bot/guild_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace bot {
namespace {

using ::testing::HasSubstr;

store::Server Row(std::string settings = "{}") {
  store::Server s;
  s.guild_id = core::GuildId(100);
  s.settings = std::move(settings);
  return s;
}

std::string ValueOf(const GuildConfig& c, std::string_view key) {
  for (const auto& v : Describe(c)) {
    if (v.key == key) return v.value;
  }
  return "<absent>";
}

TEST(GuildConfigTest, DefaultsComeFromOnePlace) {
  const GuildConfig c = BuildGuildConfig(Row(), {}, ConfigSource::kDbOnly);
  EXPECT_TRUE(c.problems.empty());
  EXPECT_TRUE(c.overrides.empty());
  EXPECT_EQ(c.workflow.delete_message, DeleteMessage::kHigh);
  EXPECT_EQ(c.workflow.message_retention, std::chrono::days(7));
  EXPECT_DOUBLE_EQ(c.policy->data().restrict_risk, detect::PolicyData::Defaults().restrict_risk);
  EXPECT_FALSE(c.restricted_role.has_value());
  EXPECT_EQ(c.id_sources[0], IdSource::kUnset);
  // Every key is described, ids first.
  const auto view = Describe(c);
  ASSERT_EQ(view.size(), SettingKeys().size());
  EXPECT_EQ(view[0].key, "role.restricted");
  EXPECT_EQ(ValueOf(c, "workflow.ban_delete_seconds"), "86400");
  EXPECT_EQ(ValueOf(c, "action.restrict"), "0.6");
}

TEST(GuildConfigTest, StoredOverridesApplyOverTheDefaults) {
  const GuildConfig c =
      BuildGuildConfig(Row(R"({"action.restrict": "0.5", "workflow.delete_message": "never",
              "keywords.extra": ["cheap followers", "dm me"], "llm.enabled": false,
              "rate.max_messages": 7})"),
                       {}, ConfigSource::kDbOnly);
  EXPECT_TRUE(c.problems.empty()) << c.problems.front();
  EXPECT_DOUBLE_EQ(c.policy->data().restrict_risk, 0.5);
  EXPECT_EQ(c.workflow.delete_message, DeleteMessage::kNever);
  EXPECT_EQ(c.policy->data().extra_keywords,
            (std::vector<std::string>{"cheap followers", "dm me"}));
  EXPECT_FALSE(c.policy->data().llm_enabled);
  EXPECT_EQ(c.policy->data().rate_max_messages, 7);
  EXPECT_EQ(c.overrides.size(), 5u);
  const auto view = Describe(c);
  const auto it = std::find_if(view.begin(), view.end(),
                               [](const SettingView& v) { return v.key == "action.restrict"; });
  ASSERT_NE(it, view.end());
  EXPECT_TRUE(it->overridden);
  EXPECT_EQ(it->default_value, "0.6");
}

TEST(GuildConfigTest, BadStoredValuesAreSkippedAndReportedNeverFatal) {
  const GuildConfig c = BuildGuildConfig(
      Row(R"({"action.restrict": "lots", "no.such": "1", "workflow.store_messages": "20",
              "level.medium": "0.9", "nested": {"a": 1}})"),
      {}, ConfigSource::kDbOnly);
  // The good one is in force; each bad one is named.
  EXPECT_EQ(c.workflow.store_messages, 20);
  EXPECT_DOUBLE_EQ(c.policy->data().restrict_risk, 0.6);
  EXPECT_DOUBLE_EQ(c.policy->data().medium_risk, detect::PolicyData::Defaults().medium_risk);
  std::string all;
  for (const auto& p : c.problems) all += p + "\n";
  EXPECT_THAT(all, HasSubstr("action.restrict must be a number"));
  EXPECT_THAT(all, HasSubstr("unknown setting \"no.such\""));
  EXPECT_THAT(all, HasSubstr("level.medium (0.9) must be below level.high"));
  EXPECT_THAT(all, HasSubstr("nested: a stored value must be text"));
  EXPECT_EQ(c.overrides.count("workflow.store_messages"), 1u);
  EXPECT_EQ(c.overrides.count("level.medium"), 0u);

  const GuildConfig broken = BuildGuildConfig(Row("[1, 2]"), {}, ConfigSource::kDbOnly);
  ASSERT_EQ(broken.problems.size(), 1u);
  EXPECT_THAT(broken.problems[0], HasSubstr("not a JSON object"));
}

TEST(GuildConfigTest, WithSettingValidatesAndStoresOnlyOverrides) {
  auto r = WithSetting(Row(), "action.restrict", "0.55");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->settings, R"({"action.restrict":"0.55"})");

  auto bad = WithSetting(Row(), "action.restrict", "1.5x");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_THAT(bad.error().message, HasSubstr("action.restrict must be a number from 0 to 2"));

  // Valid alone, invalid with the others: stronger actions need more risk.
  auto order = WithSetting(Row(R"({"action.restrict": "0.5"})"), "action.alert", "0.7");
  ASSERT_FALSE(order.has_value());
  EXPECT_THAT(order.error().message, HasSubstr("must not be below action.alert"));

  auto unknown = WithSetting(Row(), "action.restirct", "0.5");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, core::ErrorCode::kNotFound);
  EXPECT_THAT(unknown.error().message, HasSubstr("did you mean action.restrict"));

  auto workflow = WithSetting(Row(), "workflow.timeout_minutes", "40321");
  ASSERT_FALSE(workflow.has_value());
  EXPECT_THAT(workflow.error().message, HasSubstr("from 1 to 40320"));

  // Unreadable stored settings are never written over.
  auto unreadable = WithSetting(Row("not json"), "action.restrict", "0.5");
  ASSERT_FALSE(unreadable.has_value());
  EXPECT_EQ(unreadable.error().code, core::ErrorCode::kFailedPrecondition);
}

TEST(GuildConfigTest, IdsAcceptMentionsAndGoToTheirColumns) {
  auto role = WithSetting(Row(), "role.restricted", "<@&123456789012345678>");
  ASSERT_TRUE(role.has_value()) << role.error().ToString();
  EXPECT_EQ(role->restricted_role_id, core::RoleId(123456789012345678ULL));
  EXPECT_EQ(role->settings, "{}");
  auto channel = WithSetting(*role, "channel.admin", "<#42>");
  ASSERT_TRUE(channel.has_value());
  EXPECT_EQ(channel->admin_channel_id, core::ChannelId(42));
  auto bare = WithSetting(*channel, "channel.verification", "43");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->verification_channel_id, core::ChannelId(43));

  auto bad = WithSetting(Row(), "channel.admin", "#general");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, HasSubstr("channel.admin must be a channel id or mention"));
  EXPECT_FALSE(WithSetting(Row(), "role.notification", "0").has_value());

  auto reset = WithReset(*bare, "channel.admin");
  ASSERT_TRUE(reset.has_value());
  EXPECT_FALSE(reset->admin_channel_id.has_value());
  EXPECT_EQ(reset->restricted_role_id, core::RoleId(123456789012345678ULL));
}

TEST(GuildConfigTest, ResetRemovesTheOverrideAndRefusesInconsistency) {
  auto set = WithSetting(Row(R"({"level.high": "0.9", "workflow.store_messages": "3"})"),
                         "level.medium", "0.8");
  ASSERT_TRUE(set.has_value()) << set.error().ToString();
  // level.high back to 0.75 would sit below level.medium 0.8.
  auto conflict = WithReset(*set, "level.high");
  ASSERT_FALSE(conflict.has_value());
  EXPECT_THAT(conflict.error().message, HasSubstr("level.medium (0.8) must be below level.high"));
  auto one = WithReset(*set, "workflow.store_messages");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->settings, R"({"level.high":"0.9","level.medium":"0.8"})");
  auto all = WithReset(*set, "all");
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->settings, "{}");
  EXPECT_EQ(WithReset(*set, "nope").error().code, core::ErrorCode::kNotFound);
}

TEST(GuildConfigTest, LegacyIdsFollowTheConfigSource) {
  LegacyEnv env;
  env.restricted_role = core::RoleId(7);
  env.admin_channel = core::ChannelId(8);
  store::Server row = Row();
  row.admin_channel_id = core::ChannelId(9);  // differs from the environment

  const GuildConfig fallback = BuildGuildConfig(row, env, ConfigSource::kEnvFallback);
  EXPECT_EQ(fallback.restricted_role, core::RoleId(7));
  EXPECT_EQ(fallback.id_sources[0], IdSource::kEnvironment);
  EXPECT_EQ(fallback.admin_channel, core::ChannelId(9));  // the database wins...
  EXPECT_EQ(fallback.id_sources[2], IdSource::kDatabase);
  ASSERT_EQ(fallback.problems.size(), 1u);  // ...and the discrepancy is reported
  EXPECT_THAT(fallback.problems[0], HasSubstr("ADMIN_CHANNEL_ID is 8"));

  const GuildConfig primary = BuildGuildConfig(row, env, ConfigSource::kDbPrimary);
  EXPECT_EQ(primary.restricted_role, core::RoleId(7));
  ASSERT_EQ(primary.problems.size(), 2u);  // a warning for the fallback, and the discrepancy
  EXPECT_THAT(primary.problems[0], HasSubstr("comes from RESTRICTED_ROLE_ID"));
  EXPECT_THAT(primary.problems[1], HasSubstr("ADMIN_CHANNEL_ID is 8"));

  const GuildConfig only = BuildGuildConfig(row, env, ConfigSource::kDbOnly);
  EXPECT_FALSE(only.restricted_role.has_value());
  EXPECT_EQ(only.admin_channel, core::ChannelId(9));
  EXPECT_TRUE(only.problems.empty());

  EXPECT_EQ(ParseConfigSource("dual-write").value(), ConfigSource::kDualWrite);
  EXPECT_FALSE(ParseConfigSource("db").has_value());
}

}  // namespace
}  // namespace bot

#include "detect/policy.h"

#include <gtest/gtest.h>

namespace detect {
namespace {

TEST(PolicyTest, DefaultsCompileAndEverySignalHasANameAndWeight) {
  ASSERT_NE(CompiledPolicy::Default(), nullptr);
  for (std::size_t i = 0; i < kSignalCount; ++i) {
    const auto code = static_cast<SignalCode>(i);
    EXPECT_FALSE(Name(code).empty());
    EXPECT_EQ(SignalFromName(Name(code)), code);
    EXPECT_GT(DefaultWeight(code), 0);
    EXPECT_EQ(CompiledPolicy::Default()->weight(code), DefaultWeight(code));
  }
  EXPECT_FALSE(SignalFromName("nope").has_value());
}

TEST(PolicyTest, SetChangesOneKeyAndDescribeShowsIt) {
  PolicyData p = PolicyData::Defaults();
  ASSERT_TRUE(p.Set("weight.invite_link", "0.9").has_value());
  ASSERT_TRUE(p.Set("rate.max_messages", "8").has_value());
  ASSERT_TRUE(p.Set("llm.enabled", "off").has_value());
  ASSERT_TRUE(p.Set("keywords.extra", " crypto pump , moon soon,").has_value());
  EXPECT_EQ(p.weights[static_cast<std::size_t>(SignalCode::kInviteLink)], 0.9);
  EXPECT_EQ(p.rate_max_messages, 8);
  EXPECT_FALSE(p.llm_enabled);
  EXPECT_EQ(p.extra_keywords, (std::vector<std::string>{"crypto pump", "moon soon"}));
  bool seen = false;
  for (const auto& [k, v] : p.Describe()) {
    if (k == "rate.max_messages") {
      EXPECT_EQ(v, "8");
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
  auto c = CompiledPolicy::Compile(p);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ((*c)->keywords().Scan("time to crypto pump it").size(), 1u);
}

TEST(PolicyTest, BadValuesAreRefusedWithTheKeyAndNothingChanges) {
  PolicyData p = PolicyData::Defaults();
  const PolicyData before = p;
  struct Case {
    const char* key;
    const char* value;
    core::ErrorCode code;
  };
  for (const Case& c : {Case{"rate.max_messages", "0", core::ErrorCode::kInvalidArgument},
                        Case{"rate.max_messages", "16", core::ErrorCode::kInvalidArgument},
                        Case{"rate.max_messages", "five", core::ErrorCode::kInvalidArgument},
                        Case{"weight.phishing_domain", "1.5", core::ErrorCode::kInvalidArgument},
                        Case{"weight.phishing_domain", "nan", core::ErrorCode::kInvalidArgument},
                        Case{"llm.enabled", "maybe", core::ErrorCode::kInvalidArgument},
                        Case{"weight.nope", "0.1", core::ErrorCode::kNotFound},
                        Case{"", "1", core::ErrorCode::kNotFound}}) {
    auto r = p.Set(c.key, c.value);
    ASSERT_FALSE(r.has_value()) << c.key << "=" << c.value;
    EXPECT_EQ(r.error().code, c.code) << c.key;
    EXPECT_EQ(r.error().subject, c.key);
    EXPECT_NE(r.error().message.find(c.key), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(p.Describe(), before.Describe());
}

TEST(PolicyTest, CompileRefusesInconsistentThresholds) {
  PolicyData p = PolicyData::Defaults();
  ASSERT_TRUE(p.Set("level.medium", "0.8").has_value());
  ASSERT_TRUE(p.Set("level.high", "0.5").has_value());
  auto r = CompiledPolicy::Compile(p);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().subject, "level.medium");

  PolicyData q = PolicyData::Defaults();
  ASSERT_TRUE(q.Set("action.ban", "0.3").has_value());  // ban below restrict
  auto r2 = CompiledPolicy::Compile(q);
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().subject, "action.ban");

  PolicyData t = PolicyData::Defaults();
  ASSERT_TRUE(t.Set("trusted_domains", "github.com, not a host").has_value());
  auto r3 = CompiledPolicy::Compile(t);
  ASSERT_FALSE(r3.has_value());
  EXPECT_EQ(r3.error().subject, "trusted_domains");
}

TEST(PolicyTest, ActionStepsSkipDisabledActionsAndKeepTheStrongestAtEachRisk) {
  const auto defaults = CompiledPolicy::Default();
  ASSERT_EQ(defaults->action_steps().size(), 3u);  // timeout, kick and ban are off
  EXPECT_EQ(defaults->action_steps()[0].action, Action::kLog);
  EXPECT_EQ(defaults->action_steps()[2].action, Action::kRestrict);
  EXPECT_DOUBLE_EQ(defaults->action_steps()[2].risk, 0.6);

  PolicyData d = PolicyData::Defaults();
  ASSERT_TRUE(d.Set("action.log", "2").has_value());     // off
  ASSERT_TRUE(d.Set("action.kick", "0.6").has_value());  // as strong a risk as restrict
  ASSERT_TRUE(d.Set("action.ban", "1").has_value());
  auto p = CompiledPolicy::Compile(d);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  std::vector<std::pair<double, Action>> steps;
  for (const auto& s : (*p)->action_steps()) steps.emplace_back(s.risk, s.action);
  const std::vector<std::pair<double, Action>> expected{
      {0.4, Action::kAlert}, {0.6, Action::kRestrict}, {0.6, Action::kKick}, {1.0, Action::kBan}};
  EXPECT_EQ(steps, expected);
}

TEST(PolicyTest, TrustedHostsIncludeSubdomains) {
  const auto p = CompiledPolicy::Default();
  EXPECT_TRUE(p->IsTrustedHost("discord.com"));
  EXPECT_TRUE(p->IsTrustedHost("cdn.discordapp.com"));
  EXPECT_FALSE(p->IsTrustedHost("discord.com.evil.example"));
  EXPECT_FALSE(p->IsTrustedHost("notdiscord.com"));
}

}  // namespace
}  // namespace detect

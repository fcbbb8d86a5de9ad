#include "bot/legacy_env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace bot {
namespace {

using ::testing::HasSubstr;

// A fake environment: never setenv in tests.
struct FakeEnv {
  std::map<std::string, std::string> vars;
  std::function<const char*(const char*)> Lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

TEST(LegacyEnvTest, NamesAreTheColumnsInUpperCase) {
  EXPECT_EQ(kLegacyEnvNames[0], "RESTRICTED_ROLE_ID");
  EXPECT_EQ(kLegacyEnvNames[1], "ADMIN_CHANNEL_ID");
  EXPECT_EQ(kLegacyEnvNames[2], "VERIFICATION_CHANNEL_ID");
  EXPECT_EQ(kLegacyEnvNames[3], "ADMIN_NOTIFICATION_ROLE_ID");
}

TEST(LegacyEnvTest, NothingSetIsEmpty) {
  FakeEnv env;
  auto read = ReadLegacyEnv(env.Lookup());
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_TRUE(read->empty());
}

TEST(LegacyEnvTest, ReadsAllFour) {
  FakeEnv env{{{"RESTRICTED_ROLE_ID", "111"},
               {"ADMIN_CHANNEL_ID", "222"},
               {"VERIFICATION_CHANNEL_ID", "333"},
               {"ADMIN_NOTIFICATION_ROLE_ID", "18446744073709551615"}}};
  auto read = ReadLegacyEnv(env.Lookup());
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_FALSE(read->empty());
  EXPECT_EQ(read->restricted_role, core::RoleId(111));
  EXPECT_EQ(read->admin_channel, core::ChannelId(222));
  EXPECT_EQ(read->verification_channel, core::ChannelId(333));
  EXPECT_EQ(read->notification_role, core::RoleId(18446744073709551615ULL));
}

TEST(LegacyEnvTest, EmptyAndBlankValuesAreUnsetAndSurroundingSpaceIsIgnored) {
  FakeEnv env{{{"RESTRICTED_ROLE_ID", ""},
               {"ADMIN_CHANNEL_ID", "  \t\r\n"},
               {"VERIFICATION_CHANNEL_ID", " 333\r\n"}}};
  auto read = ReadLegacyEnv(env.Lookup());
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_FALSE(read->restricted_role.has_value());
  EXPECT_FALSE(read->admin_channel.has_value());
  EXPECT_EQ(read->verification_channel, core::ChannelId(333));
  EXPECT_FALSE(read->notification_role.has_value());
  EXPECT_FALSE(read->empty());
}

TEST(LegacyEnvTest, ABadValueNamesTheVariableAndTheValue) {
  for (const std::string bad : {"12ab", "-5", "0", "123456789012345678901", "1 2", "<#123>"}) {
    FakeEnv env{{{"RESTRICTED_ROLE_ID", "111"}, {"ADMIN_CHANNEL_ID", bad}}};
    auto read = ReadLegacyEnv(env.Lookup());
    ASSERT_FALSE(read) << bad;
    EXPECT_EQ(read.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(read.error().subject, "ADMIN_CHANNEL_ID");
    EXPECT_THAT(read.error().message, HasSubstr("ADMIN_CHANNEL_ID=\"" + bad + "\""));
    EXPECT_THAT(read.error().message, HasSubstr("channel id"));
  }
}

TEST(LegacyEnvTest, ALongBadValueIsCutInTheMessage) {
  FakeEnv env{{{"ADMIN_NOTIFICATION_ROLE_ID", std::string(500, 'x')}}};
  auto read = ReadLegacyEnv(env.Lookup());
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().subject, "ADMIN_NOTIFICATION_ROLE_ID");
  EXPECT_LT(read.error().message.size(), 150u);
  EXPECT_THAT(read.error().message, HasSubstr("..."));
}

TEST(LegacyEnvTest, LooksUpExactlyTheFourNames) {
  std::vector<std::string> asked;
  auto read = ReadLegacyEnv([&](const char* name) -> const char* {
    asked.emplace_back(name);
    return nullptr;
  });
  ASSERT_TRUE(read);
  EXPECT_THAT(asked,
              ::testing::ElementsAre("RESTRICTED_ROLE_ID", "ADMIN_CHANNEL_ID",
                                     "VERIFICATION_CHANNEL_ID", "ADMIN_NOTIFICATION_ROLE_ID"));
}

}  // namespace
}  // namespace bot

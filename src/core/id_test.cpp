#include "core/id.h"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(SnowflakeTest, ParsesDecimalIds) {
  auto id = GuildId::Parse("175928847299117063");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->value(), 175928847299117063ULL);
  EXPECT_EQ(id->ToString(), "175928847299117063");
}

TEST(SnowflakeTest, RejectsNonDecimalInput) {
  for (std::string_view bad : {"", "abc", "12a", "-1", " 1", "1 ", "+5", "1.0",
                               "123456789012345678901", "18446744073709551616"}) {
    auto id = UserId::Parse(bad);
    ASSERT_FALSE(id.has_value()) << bad;
    EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(id.error().subject, "user id");
  }
}

TEST(SnowflakeTest, AcceptsTheLargest64BitValue) {
  auto id = UserId::Parse("18446744073709551615");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->value(), 18446744073709551615ULL);
}

TEST(SnowflakeTest, DecodesCreationTime) {
  // Example from Discord's snowflake documentation: 2016-04-30 11:18:25.796 UTC.
  auto id = UserId::Parse("175928847299117063");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->CreatedAt().time_since_epoch().count(), 1462015105796LL);
}

}  // namespace
}  // namespace core

#include "discord/gateway/shard_manager.h"

#include <gtest/gtest.h>

namespace discord::gateway {
namespace {

TEST(ShardRangeTest, ParsesRangesAndSingleIdsAgainstTheCount) {
  auto r = ShardRange::Parse("0-3", 8);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->first, 0);
  EXPECT_EQ(r->last, 3);
  EXPECT_EQ(r->size(), 4);
  r = ShardRange::Parse("5", 8);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->first, 5);
  EXPECT_EQ(r->last, 5);
  r = ShardRange::Parse("", 3);  // all of them
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->first, 0);
  EXPECT_EQ(r->last, 2);
}

TEST(ShardRangeTest, RefusesWhatCannotBeRun) {
  for (const char* bad : {"0-8", "8", "3-1", "a-b", "-1", "1-", "0--3", " 1"}) {
    auto r = ShardRange::Parse(bad, 8);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(ShardRange::Parse("0-8", 8).error().message, "shard 8 is not below the shard count 8");
  EXPECT_FALSE(ShardRange::Parse("0", 0).has_value());
}

TEST(GatewayConnectUrlTest, AddsTheQueryEveryConnectionNeeds) {
  EXPECT_EQ(GatewayConnectUrl("wss://gateway.discord.gg"),
            "wss://gateway.discord.gg/?v=10&encoding=json&compress=zlib-stream");
  EXPECT_EQ(GatewayConnectUrl("wss://gateway.discord.gg/"),
            "wss://gateway.discord.gg/?v=10&encoding=json&compress=zlib-stream");
  EXPECT_EQ(GatewayConnectUrl("ws://127.0.0.1:5000/?v=9"),
            "ws://127.0.0.1:5000/?v=10&encoding=json&compress=zlib-stream");
}

}  // namespace
}  // namespace discord::gateway

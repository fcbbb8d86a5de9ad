#include "discord/gateway/close_codes.h"

#include <gtest/gtest.h>

#include <string>

namespace discord::gateway {
namespace {

// The close-code table of ../shared/discord/PROTOCOL.md §1.8, row by row.
TEST(CloseCodesTest, FollowsTheProtocolTable) {
  using enum AfterClose;
  struct Row {
    std::optional<int> code;
    AfterClose next;
  };
  const Row table[] = {
      {std::nullopt, kResume},  // TCP drop, 1006: resumable
      {1006, kResume},         {4000, kResume},     {4001, kResume},
      {4002, kResume},         {4003, kNewSession}, {4004, kFatal},
      {4005, kNewSession},     {4007, kNewSession}, {4008, kNewSession},
      {4009, kNewSession},     {4010, kFatal},      {4011, kFatal},
      {4012, kFatal},          {4013, kFatal},      {4014, kFatal},
      {4006, kResume},  // not a main-gateway code: other codes resume
      {4200, kResume},         {1000, kResume},     {1001, kResume},
      {4999, kResume},
  };
  for (const Row& r : table) {
    const CloseDecision d = DecideAfterClose(r.code);
    EXPECT_EQ(d.next, r.next) << (r.code ? std::to_string(*r.code) : "no close frame") << ": "
                              << ToString(d.next) << " (" << d.reason << ")";
    EXPECT_FALSE(d.reason.empty());
  }
}

TEST(CloseCodesTest, FatalClosesTellTheOperatorWhatToFix) {
  EXPECT_NE(DecideAfterClose(4004).reason.find("token"), std::string_view::npos);
  EXPECT_NE(DecideAfterClose(4014).reason.find("Developer Portal"), std::string_view::npos);
  EXPECT_NE(DecideAfterClose(4011).reason.find("--shard-count"), std::string_view::npos);
}

TEST(CloseCodesTest, DropsAndErrorsBackOffAndSessionEndsDoNot) {
  EXPECT_TRUE(DecideAfterClose(std::nullopt).back_off);
  EXPECT_TRUE(DecideAfterClose(4000).back_off);
  EXPECT_TRUE(DecideAfterClose(4008).back_off);  // rate limited: slow down
  EXPECT_FALSE(DecideAfterClose(4009).back_off);
  EXPECT_FALSE(DecideAfterClose(4004).back_off);
}

}  // namespace
}  // namespace discord::gateway

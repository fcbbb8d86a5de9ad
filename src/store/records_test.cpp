#include "store/records.h"

#include <gtest/gtest.h>

namespace store {
namespace {

TEST(RecordsTest, EnumSpellingsRoundTrip) {
  for (auto s : {VerificationStatus::kPending, VerificationStatus::kVerified,
                 VerificationStatus::kRejected, VerificationStatus::kReopened,
                 VerificationStatus::kBanned, VerificationStatus::kKicked}) {
    auto back = ParseVerificationStatus(ToString(s));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(ToString(TrainingLabel::kNotSpam), "NOT_SPAM");
  EXPECT_EQ(ToString(RelationshipType::kDistrust), "Distrust");
  EXPECT_EQ(*ParseAdminActionType("create_thread"), AdminActionType::kCreateThread);
}

TEST(RecordsTest, UnknownSpellingIsInvalidArgument) {
  auto r = ParseVerificationStatus("approved");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().subject, "verification_status");
}

TEST(RecordsTest, TransitionTable) {
  using S = VerificationStatus;
  EXPECT_TRUE(IsAllowedTransition(S::kPending, S::kVerified));
  EXPECT_TRUE(IsAllowedTransition(S::kPending, S::kBanned));
  EXPECT_TRUE(IsAllowedTransition(S::kReopened, S::kKicked));
  EXPECT_TRUE(IsAllowedTransition(S::kVerified, S::kReopened));
  EXPECT_TRUE(IsAllowedTransition(S::kBanned, S::kReopened));
  EXPECT_FALSE(IsAllowedTransition(S::kPending, S::kReopened));
  EXPECT_FALSE(IsAllowedTransition(S::kVerified, S::kBanned));
  EXPECT_FALSE(IsAllowedTransition(S::kVerified, S::kPending));
  EXPECT_FALSE(IsAllowedTransition(S::kRejected, S::kVerified));
}

}  // namespace
}  // namespace store

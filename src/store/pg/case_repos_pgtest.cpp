// Users, members, detections, cases and admin actions over the real server.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "store/pg/admin_action_repo.h"
#include "store/pg/detection_repo.h"
#include "store/pg/member_repo.h"
#include "store/pg/server_repo.h"
#include "store/pg/testing/pg_harness.h"
#include "store/pg/user_repo.h"
#include "store/pg/verification_repo.h"

namespace store::pg {
namespace {

using namespace std::chrono_literals;
using core::ErrorCode;

class CaseReposTest : public testing::PgTest {
 protected:
  // A server and a user with a member row.
  std::pair<GuildId, UserId> Member() {
    const GuildId g = CreateServer();
    const UserId u = CreateUser();
    EXPECT_TRUE(members_.Upsert(g, u, {.join_date = Timestamp(1'750'000'000s)}));
    return {g, u};
  }
  UserRepo users_{pool()};
  MemberRepo members_{pool()};
  DetectionRepo detections_{pool()};
  VerificationRepo cases_{pool()};
  AdminActionRepo actions_{pool()};
};

TEST_F(CaseReposTest, UserUpsertMergesMetadataAndKeepsKnownFields) {
  const UserId u = NewUser();
  ASSERT_TRUE(users_.Upsert(u, {.username = "a", .metadata = R"({"x": 1})"}));
  auto again = users_.Upsert(u, {.metadata = R"({"y": 2})"});
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->username, "a");
  EXPECT_EQ(again->metadata, R"({"x": 1, "y": 2})");
}

TEST_F(CaseReposTest, UserReputationIsBoundedAndFlagsCount) {
  const UserId u = NewUser();
  ASSERT_TRUE(users_.Upsert(u));
  auto bad = users_.SetReputation(u, 1.5);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(bad.error().subject, "users_global_reputation_range");
  auto adjusted = users_.AdjustReputation(u, -3.0);
  ASSERT_TRUE(adjusted) << adjusted.error().ToString();
  EXPECT_DOUBLE_EQ(adjusted->global_reputation_score, -1.0);

  auto nan = users_.AdjustReputation(u, std::nan(""));
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error().code, ErrorCode::kInvalidArgument);
  EXPECT_DOUBLE_EQ((*users_.Find(u))->global_reputation_score, -1.0);

  auto ghost = users_.RecountSuspicion(NewUser(), Timestamp(1s));
  ASSERT_FALSE(ghost);
  EXPECT_EQ(ghost.error().code, ErrorCode::kNotFound);
}

// suspicious_server_count follows the user's cases across servers: open or confirmed cases
// count once per server, a case found to be a mistake does not.
TEST_F(CaseReposTest, SuspicionIsRecountedFromTheCasesOnEveryOutcome) {
  const UserId u = CreateUser();
  const GuildId a = CreateServer();
  const GuildId b = CreateServer();
  ASSERT_TRUE(members_.Upsert(a, u));
  ASSERT_TRUE(members_.Upsert(b, u));
  auto none = users_.RecountSuspicion(u, std::nullopt);
  ASSERT_TRUE(none) << none.error().ToString();
  EXPECT_EQ(none->suspicious_server_count, 0);
  EXPECT_FALSE(none->first_flagged_at);

  auto in_a = cases_.Create({.server_id = a, .user_id = u});
  ASSERT_TRUE(in_a) << in_a.error().ToString();
  auto one = users_.RecountSuspicion(u, Timestamp(1'760'000'000s));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->suspicious_server_count, 1);
  EXPECT_EQ(one->first_flagged_at, Timestamp(1'760'000'000s));
  // Recounting again changes nothing (a retry is harmless); the first flag time stays.
  auto again = users_.RecountSuspicion(u, Timestamp(1'770'000'000s));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->suspicious_server_count, 1);
  EXPECT_EQ(again->first_flagged_at, Timestamp(1'760'000'000s));

  auto in_b = cases_.Create({.server_id = b, .user_id = u});
  ASSERT_TRUE(in_b);
  ASSERT_TRUE(cases_.Apply(in_b->id, {.to = VerificationStatus::kBanned}));
  EXPECT_EQ(users_.RecountSuspicion(u, std::nullopt)->suspicious_server_count, 2);
  // The case in a was a mistake: one server left.
  ASSERT_TRUE(cases_.Apply(in_a->id, {.to = VerificationStatus::kVerified}));
  auto after = users_.RecountSuspicion(u, std::nullopt);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->suspicious_server_count, 1);
  EXPECT_EQ(after->first_flagged_at, Timestamp(1'760'000'000s));
}

TEST_F(CaseReposTest, MemberWithoutParentRowsIsAForeignKeyViolation) {
  auto r = members_.Upsert(NewGuild(), NewUser());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(r.error().subject, "server_members_server_id_fkey");
}

TEST_F(CaseReposTest, MessageCountsAreAddedInOneBatch) {
  auto [g, u] = Member();
  const UserId newcomer = NewUser();  // no rows at all yet
  std::vector<MessageCountDelta> deltas{
      {g, u, 3, Timestamp(1'760'000'000s)},
      {g, newcomer, 2, Timestamp(1'760'000'010s)},
      {g, u, 4, Timestamp(1'760'000'005s)},  // same member again: combined
  };
  const auto before = pool().round_trips();
  auto touched = members_.AddMessageCounts(deltas);
  ASSERT_TRUE(touched) << touched.error().ToString();
  EXPECT_EQ(*touched, 2);
  EXPECT_LE(pool().round_trips() - before, 2u);  // one statement (+ its first prepare)
  ASSERT_TRUE(members_.AddMessageCounts(deltas));
  auto m = members_.Find(g, u);
  ASSERT_TRUE(m && m->has_value());
  EXPECT_EQ((*m)->message_count, 14);
  EXPECT_EQ((*m)->last_message_at, Timestamp(1'760'000'005s));
  auto n = members_.Find(g, newcomer);
  ASSERT_TRUE(n && n->has_value());
  EXPECT_EQ((*n)->message_count, 4);

  std::vector<MessageCountDelta> negative{{g, u, -1, Timestamp(1s)}};
  auto refused = members_.AddMessageCounts(negative);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(CaseReposTest, RestrictionAndVerificationStatus) {
  auto [g, u] = Member();
  auto r = members_.SetRestriction(g, u, true, "flood", UserId(9));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_TRUE(r->is_restricted);
  EXPECT_EQ(r->moderator_id, UserId(9));
  auto listed = members_.ListRestricted(g);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  auto v = members_.SetVerificationStatus(g, u, VerificationStatus::kVerified, UserId(9));
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->last_verified_at.has_value());
  auto ghost = members_.SetRestriction(g, NewUser(), true, std::nullopt, std::nullopt);
  ASSERT_FALSE(ghost);
  EXPECT_EQ(ghost.error().code, ErrorCode::kNotFound);
}

TEST_F(CaseReposTest, DetectionHistoryIsNewestFirstAndRangeBounded) {
  auto [g, u] = Member();
  for (int i = 0; i < 3; ++i) {
    auto d = detections_.Create({.server_id = g,
                                 .user_id = u,
                                 .risk = 0.1 * i,
                                 .confidence = 0.5,
                                 .reasons = {"r" + std::to_string(i)},
                                 .detected_at = Timestamp(std::chrono::seconds(1'760'000'000 + i))});
    ASSERT_TRUE(d) << d.error().ToString();
  }
  auto history = detections_.History(g, u);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].reasons, std::vector<std::string>{"r2"});
  EXPECT_EQ((*history)[2].reasons, std::vector<std::string>{"r0"});
  auto range = detections_.InRange(g, Timestamp(1'760'000'001s), Timestamp(1'760'000'002s));
  ASSERT_TRUE(range);
  ASSERT_EQ(range->size(), 1u);
  EXPECT_EQ((*range)[0].reasons, std::vector<std::string>{"r1"});

  auto risky = detections_.Create({.server_id = g, .user_id = u, .risk = 1.5});
  ASSERT_FALSE(risky);
  EXPECT_EQ(risky.error().subject, "detection_events_risk_range");
  auto unknown = detections_.SetAdminAction(Uuid{"00000000-0000-0000-0000-000000000000"}, "x", u);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto malformed = detections_.Find(Uuid{"not-a-uuid"});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(CaseReposTest, CaseLifecycleWithTimestampsAndRejectedTransitions) {
  auto [g, u] = Member();
  auto c = cases_.Create({.server_id = g, .user_id = u});
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->status, VerificationStatus::kPending);

  auto dup = cases_.Create({.server_id = g, .user_id = u});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(dup.error().subject, "verification_events_one_open_case");

  auto banned = cases_.Apply(c->id, {.to = VerificationStatus::kBanned, .actor = UserId(11)});
  ASSERT_TRUE(banned) << banned.error().ToString();
  EXPECT_EQ(banned->previous, VerificationStatus::kPending);
  EXPECT_EQ(banned->event.resolved_by, UserId(11));
  EXPECT_TRUE(banned->event.resolved_at.has_value());

  auto invalid = cases_.Apply(c->id, {.to = VerificationStatus::kVerified, .actor = UserId(12)});
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(invalid.error().subject, "banned");
  EXPECT_NE(invalid.error().message.find("resolved by 11"), std::string::npos);

  auto reopened = cases_.Apply(c->id, {.to = VerificationStatus::kReopened, .actor = UserId(12)});
  ASSERT_TRUE(reopened) << reopened.error().ToString();
  EXPECT_FALSE(reopened->event.resolved_at.has_value());
  auto open = cases_.OpenCase(g, u);
  ASSERT_TRUE(open && open->has_value());
  EXPECT_EQ((*open)->status, VerificationStatus::kReopened);

  auto ghost = cases_.Apply(Uuid{"00000000-0000-0000-0000-000000000001"},
                            {.to = VerificationStatus::kVerified});
  ASSERT_FALSE(ghost);
  EXPECT_EQ(ghost.error().code, ErrorCode::kNotFound);

  auto refs = cases_.SetDiscordRefs(c->id, ChannelId(500), MessageId(600));
  ASSERT_TRUE(refs);
  EXPECT_EQ(refs->thread_id, ChannelId(500));
  EXPECT_EQ(refs->notification_message_id, MessageId(600));
}

TEST_F(CaseReposTest, TwoAdminsAtOnceOneOutcomeWins) {
  auto [g, u] = Member();
  auto c = cases_.Create({.server_id = g, .user_id = u});
  ASSERT_TRUE(c);
  core::Result<TransitionResult> a = core::Fail(ErrorCode::kInternal, "unset");
  core::Result<TransitionResult> b = a;
  std::thread ta([&] {
    a = cases_.Apply(c->id, {.to = VerificationStatus::kVerified, .actor = UserId(21),
                             .expected_from = VerificationStatus::kPending});
  });
  std::thread tb([&] {
    b = cases_.Apply(c->id, {.to = VerificationStatus::kBanned, .actor = UserId(22),
                             .expected_from = VerificationStatus::kPending});
  });
  ta.join();
  tb.join();
  ASSERT_NE(a.has_value(), b.has_value()) << "exactly one admin must win";
  const auto& loser = a ? b : a;
  const auto& winner = a ? a : b;
  EXPECT_EQ(loser.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(loser.error().message.find("resolved by " + winner->event.resolved_by->ToString()),
            std::string::npos);
}

TEST_F(CaseReposTest, AdminActionsFormTheCaseAuditTrail) {
  auto [g, u] = Member();
  auto c = cases_.Create({.server_id = g, .user_id = u});
  ASSERT_TRUE(c);
  ASSERT_TRUE(actions_.Record({.server_id = g, .user_id = u, .admin_id = UserId(31),
                               .verification_event_id = c->id,
                               .action_type = AdminActionType::kCreateThread,
                               .action_at = Timestamp(1'760'000'000s)}));
  ASSERT_TRUE(actions_.Record({.server_id = g, .user_id = u, .admin_id = UserId(31),
                               .verification_event_id = c->id,
                               .action_type = AdminActionType::kVerify,
                               .action_at = Timestamp(1'760'000'100s),
                               .previous_status = VerificationStatus::kPending,
                               .new_status = VerificationStatus::kVerified,
                               .notes = "known member"}));
  auto trail = actions_.ListByCase(c->id);
  ASSERT_TRUE(trail) << trail.error().ToString();
  ASSERT_EQ(trail->size(), 2u);
  EXPECT_EQ((*trail)[0].action_type, AdminActionType::kCreateThread);
  EXPECT_EQ((*trail)[1].new_status, VerificationStatus::kVerified);
  auto mine = actions_.ListForMember(g, u);
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].action_type, AdminActionType::kVerify);  // newest first
}

TEST_F(CaseReposTest, MemberContextsCountDetectionsAndFalsePositives) {
  const auto [g, u] = Member();
  const UserId quiet = CreateUser();
  ASSERT_TRUE(members_.Upsert(g, quiet));  // nothing worth loading
  const UserId chatty = CreateUser();
  const MessageCountDelta delta{g, chatty, 12, Timestamp(1'760'000'000s)};
  ASSERT_TRUE(members_.AddMessageCounts(std::span(&delta, 1)));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(detections_.Create({.server_id = g, .user_id = u, .risk = 0.8}));
  }
  auto c = cases_.Create({.server_id = g, .user_id = u});
  ASSERT_TRUE(c);
  ASSERT_TRUE(cases_.Apply(c->id, {.to = VerificationStatus::kVerified}));
  ASSERT_TRUE(members_.SetRestriction(g, u, true, "spam", std::nullopt));

  auto rows = members_.Contexts(g);
  ASSERT_TRUE(rows) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 2u);
  const auto& first = (*rows)[0].user_id == chatty ? (*rows)[0] : (*rows)[1];
  const auto& flagged = (*rows)[0].user_id == u ? (*rows)[0] : (*rows)[1];
  EXPECT_EQ(first.user_id, chatty);
  EXPECT_EQ(first.message_count, 12);
  EXPECT_EQ(first.detections, 0);
  EXPECT_EQ(flagged.user_id, u);
  EXPECT_EQ(flagged.detections, 2);
  EXPECT_EQ(flagged.false_positives, 1);
  EXPECT_TRUE(flagged.restricted);
  EXPECT_EQ(flagged.join_date, Timestamp(1'750'000'000s));
  EXPECT_EQ(members_.Contexts(g, -1).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(CaseReposTest, NotesAreAppendedLineByLine) {
  const auto [g, u] = Member();
  auto c = cases_.Create({.server_id = g, .user_id = u});
  ASSERT_TRUE(c);
  ASSERT_TRUE(cases_.AppendNote(c->id, "could not delete the message: Unknown Message"));
  ASSERT_TRUE(cases_.AppendNote(c->id, "banned outside antispam"));
  auto found = cases_.Find(c->id);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->notes,
            "could not delete the message: Unknown Message\nbanned outside antispam");
  auto missing = cases_.AppendNote(Uuid{"00000000-0000-0000-0000-000000000000"}, "x");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(CaseReposTest, MemberReputationAdjustsAtomicallyAndSaturates) {
  const auto [g, u] = Member();
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, g = g, u = u] {
      MemberRepo repo(pool());
      for (int k = 0; k < 5; ++k) EXPECT_TRUE(repo.AdjustReputation(g, u, 0.01));
    });
  }
  for (auto& t : threads) t.join();
  auto m = members_.Find(g, u);
  ASSERT_TRUE(m && m->has_value());
  EXPECT_NEAR((*m)->reputation_score, 0.2, 1e-5);
  auto low = members_.AdjustReputation(g, u, -5);
  ASSERT_TRUE(low);
  EXPECT_DOUBLE_EQ(low->reputation_score, -1.0);
  EXPECT_EQ(members_.AdjustReputation(g, NewUser(), 0.1).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace store::pg

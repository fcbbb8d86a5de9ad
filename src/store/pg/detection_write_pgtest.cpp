#include "store/pg/detection_write.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "store/pg/detail/session.h"
#include "store/pg/detection_repo.h"
#include "store/pg/member_repo.h"
#include "store/pg/message_repo.h"
#include "store/pg/testing/pg_harness.h"
#include "store/pg/user_repo.h"
#include "store/pg/verification_repo.h"

namespace store::pg {
namespace {

using namespace std::chrono_literals;

class DetectionWriteTest : public testing::PgTest {
 protected:
  DetectionWrite Flagged(GuildId g, UserId u) {
    return DetectionWrite{.server_id = g,
                          .user_id = u,
                          .username = "raider",
                          .account_created_at = Timestamp(1'700'000'000s),
                          .joined_at = Timestamp(1'750'000'000s),
                          .message_id = MessageId(NextId()),
                          .channel_id = ChannelId(77),
                          .risk = 0.93,
                          .confidence = 0.8,
                          .level = DetectionLevel::kHigh,
                          .reasons = {"PHISHING_DOMAIN: steamcommunnity.ru", "NEW_ACCOUNT"},
                          .metadata = R"({"trigger_content": "free nitro"})",
                          .flagged = true,
                          .restriction_reason = "phishing link"};
  }
  DetectionWriter writer_{pool()};
  DetectionRepo detections_{pool()};
  VerificationRepo cases_{pool()};
  MemberRepo members_{pool()};
};

TEST_F(DetectionWriteTest, FlaggedDetectionCreatesEveryRowAndOpensACase) {
  const GuildId g = NewGuild();
  const UserId u = NewUser();
  auto r = writer_.Record(Flagged(g, u));
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_TRUE(r->case_id.has_value());
  EXPECT_TRUE(r->case_opened);

  auto det = detections_.Find(r->detection_id);
  ASSERT_TRUE(det && det->has_value());
  EXPECT_EQ((*det)->latest_verification_event_id, r->case_id);
  EXPECT_EQ((*det)->reasons.size(), 2u);
  EXPECT_EQ((*det)->reasons[0], "PHISHING_DOMAIN: steamcommunnity.ru");
  EXPECT_EQ((*det)->level, DetectionLevel::kHigh);

  auto open = cases_.OpenCase(g, u);
  ASSERT_TRUE(open && open->has_value());
  EXPECT_EQ((*open)->id, *r->case_id);
  EXPECT_EQ((*open)->detection_event_id, r->detection_id);
  EXPECT_EQ((*open)->status, VerificationStatus::kPending);

  auto member = members_.Find(g, u);
  ASSERT_TRUE(member && member->has_value());
  EXPECT_TRUE((*member)->is_restricted);
  EXPECT_EQ((*member)->verification_status, VerificationStatus::kPending);
  EXPECT_EQ((*member)->restriction_reason, "phishing link");
  EXPECT_EQ((*member)->join_date, Timestamp(1'750'000'000s));

  auto user = UserRepo(pool()).Find(u);
  ASSERT_TRUE(user && user->has_value());
  EXPECT_EQ((*user)->username, "raider");
}

TEST_F(DetectionWriteTest, AnAlertOpensACaseWithoutRestrictingAndARestrictionFollows) {
  const GuildId g = NewGuild();
  const UserId u = NewUser();
  DetectionWrite alert = Flagged(g, u);
  alert.restricted = false;
  auto first = writer_.Record(alert);
  ASSERT_TRUE(first) << first.error().ToString();
  ASSERT_TRUE(first->case_id.has_value());
  auto member = members_.Find(g, u);
  ASSERT_TRUE(member && member->has_value());
  EXPECT_FALSE((*member)->is_restricted);
  EXPECT_FALSE((*member)->restriction_reason.has_value());
  EXPECT_EQ((*member)->verification_status, VerificationStatus::kPending);

  // A later, stronger detection joins the case and restricts.
  auto second = writer_.Record(Flagged(g, u));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->case_id, first->case_id);
  EXPECT_FALSE(second->case_opened);
  member = members_.Find(g, u);
  EXPECT_TRUE((*member)->is_restricted);
  EXPECT_EQ((*member)->restriction_reason, "phishing link");
}

TEST_F(DetectionWriteTest, RepeatDetectionJoinsTheOpenCase) {
  const GuildId g = NewGuild();
  const UserId u = NewUser();
  auto first = writer_.Record(Flagged(g, u));
  auto second = writer_.Record(Flagged(g, u));
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(second->case_opened);
  EXPECT_EQ(second->case_id, first->case_id);
  auto history = detections_.History(g, u);
  ASSERT_TRUE(history);
  EXPECT_EQ(history->size(), 2u);
  auto all_cases = cases_.ListForMember(g, u);
  ASSERT_TRUE(all_cases);
  EXPECT_EQ(all_cases->size(), 1u);
}

TEST_F(DetectionWriteTest, ANewCaseOpensAfterTheOldOneIsResolved) {
  const GuildId g = NewGuild();
  const UserId u = NewUser();
  auto first = writer_.Record(Flagged(g, u));
  ASSERT_TRUE(first);
  ASSERT_TRUE(cases_.Apply(*first->case_id, {.to = VerificationStatus::kVerified,
                                             .actor = UserId(5)}));
  auto second = writer_.Record(Flagged(g, u));
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_TRUE(second->case_opened);
  EXPECT_NE(second->case_id, first->case_id);
}

TEST_F(DetectionWriteTest, UnflaggedDetectionOpensNoCaseAndRestrictsNobody) {
  const GuildId g = NewGuild();
  const UserId u = NewUser();
  DetectionWrite w = Flagged(g, u);
  w.flagged = false;
  w.risk = 0.3;
  w.level = DetectionLevel::kLow;
  auto r = writer_.Record(w);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_FALSE(r->case_id.has_value());
  EXPECT_FALSE(r->case_opened);
  auto member = members_.Find(g, u);
  ASSERT_TRUE(member && member->has_value());
  EXPECT_FALSE((*member)->is_restricted);
  EXPECT_FALSE((*member)->verification_status.has_value());
  auto open = cases_.OpenCase(g, u);
  ASSERT_TRUE(open);
  EXPECT_FALSE(open->has_value());
}

// A flag also keeps the member's recent messages and counts the server among those where the
// user is suspect, in the same statement.
TEST_F(DetectionWriteTest, AFlagStoresRecentMessagesAndCountsTheServerAsSuspect) {
  const GuildId a = NewGuild();
  const UserId u = NewUser();
  DetectionWrite w = Flagged(a, u);
  const MessageId older(NextId());
  w.messages = {{.message_id = *w.message_id,
                 .channel_id = ChannelId(77),
                 .content = "free nitro https://aabeta.phxwolf.com/login",
                 .sent_at = Timestamp(1'760'000'100s),
                 .is_flagged = true},
                {.message_id = older,
                 .channel_id = ChannelId(77),
                 .content = "hi all",
                 .sent_at = Timestamp(1'760'000'000s)},
                {.message_id = older, .content = "hi all (the same message twice)"}};
  ASSERT_TRUE(writer_.Record(w));
  MessageRepo messages(pool());
  auto flagged = messages.Find(a, *w.message_id);
  ASSERT_TRUE(flagged && flagged->has_value());
  EXPECT_TRUE((*flagged)->is_flagged);
  EXPECT_EQ((*flagged)->content, "free nitro https://aabeta.phxwolf.com/login");
  auto plain = messages.Find(a, older);
  ASSERT_TRUE(plain && plain->has_value());
  EXPECT_FALSE((*plain)->is_flagged);
  UserRepo users(pool());
  auto user = users.Find(u);
  ASSERT_TRUE(user && user->has_value());
  EXPECT_EQ((*user)->suspicious_server_count, 1);
  ASSERT_TRUE((*user)->first_flagged_at.has_value());
  const Timestamp first = *(*user)->first_flagged_at;

  // A repeat flag here counts nothing twice; a flag in another server counts it; a detection
  // that flags nothing changes nothing.
  ASSERT_TRUE(writer_.Record(Flagged(a, u)));
  EXPECT_EQ((*users.Find(u))->suspicious_server_count, 1);
  const GuildId b = NewGuild();
  ASSERT_TRUE(writer_.Record(Flagged(b, u)));
  EXPECT_EQ((*users.Find(u))->suspicious_server_count, 2);
  DetectionWrite clean = Flagged(NewGuild(), u);
  clean.flagged = false;
  ASSERT_TRUE(writer_.Record(clean));
  EXPECT_EQ((*users.Find(u))->suspicious_server_count, 2);
  EXPECT_EQ((*users.Find(u))->first_flagged_at, first);
  // And the count agrees with the recount from the cases that outcomes use.
  auto recounted = users.RecountSuspicion(u, std::nullopt);
  ASSERT_TRUE(recounted);
  EXPECT_EQ(recounted->suspicious_server_count, 2);
}

TEST_F(DetectionWriteTest, IsOneRoundTrip) {
  Pool unprepared({.url = url(), .size = 1, .prepared_statements = false});
  ASSERT_TRUE(unprepared.Ping());
  DetectionWriter w(unprepared);
  const auto before = unprepared.round_trips();
  DetectionWrite with_messages = Flagged(NewGuild(), NewUser());
  with_messages.messages = {{.message_id = *with_messages.message_id, .content = "x"},
                            {.message_id = MessageId(NextId()), .content = "y"}};
  ASSERT_TRUE(w.Record(with_messages));
  EXPECT_EQ(unprepared.round_trips() - before, 1u);

  // With prepared statements the first use also prepares; later uses are one round trip.
  Pool prepared({.url = url(), .size = 1, .prepared_statements = true});
  DetectionWriter pw(prepared);
  ASSERT_TRUE(pw.Record(Flagged(NewGuild(), NewUser())));
  const auto warm = prepared.round_trips();
  ASSERT_TRUE(pw.Record(Flagged(NewGuild(), NewUser())));
  EXPECT_EQ(prepared.round_trips() - warm, 1u);
}

TEST_F(DetectionWriteTest, ConcurrentFlagsOfOneMemberShareOneCase) {
  const GuildId g = NewGuild();
  const UserId u = NewUser();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) {
        if (writer_.Record(Flagged(g, u))) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
  auto all_cases = cases_.ListForMember(g, u);
  ASSERT_TRUE(all_cases);
  EXPECT_EQ(all_cases->size(), 1u);
  auto history = detections_.History(g, u, 100);
  ASSERT_TRUE(history);
  EXPECT_EQ(history->size(), 40u);
  for (const auto& d : *history) EXPECT_EQ(d.latest_verification_event_id, (*all_cases)[0].id);
}

TEST_F(DetectionWriteTest, ACaseResolvedDuringTheWriteIsNotJoined) {
  const GuildId g = NewGuild();
  const UserId u = NewUser();
  auto first = writer_.Record(Flagged(g, u));
  ASSERT_TRUE(first && first->case_id);
  // An admin's transaction resolves the case and holds the row while a new flag is written.
  static constexpr Statement kResolve{
      "dw_test_resolve", "UPDATE verification_events SET status = 'verified' WHERE id = $1"};
  Pool admin({.url = url(), .size = 1});
  std::promise<void> holding;
  core::Result<void> resolved;
  std::thread admin_thread([&] {
    resolved = admin.Run("resolve", [&](Session& s) {
      s.InTransaction([&] {
        s.Exec(kResolve, detail::Params(*first->case_id));
        holding.set_value();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
      });  // commits here
    });
  });
  holding.get_future().wait();
  auto second = writer_.Record(Flagged(g, u));  // waits for the admin's commit, then re-checks
  admin_thread.join();
  ASSERT_TRUE(resolved) << resolved.error().ToString();
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_TRUE(second->case_opened);
  EXPECT_NE(second->case_id, first->case_id);
  auto open = cases_.OpenCase(g, u);
  ASSERT_TRUE(open && open->has_value());
  EXPECT_EQ((*open)->id, *second->case_id);
}

TEST_F(DetectionWriteTest, UnreachableDatabaseIsUnavailableNamingTheOperation) {
  Pool dead({.url = "postgresql:///antispam?host=/nonexistent&port=1",
             .size = 1,
             .connect_timeout = std::chrono::seconds(2)});
  DetectionWriter w(dead);
  auto r = w.Record(Flagged(NewGuild(), NewUser()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("detection_write"), std::string::npos);
}

}  // namespace
}  // namespace store::pg

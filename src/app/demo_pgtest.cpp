// The demo scenario end to end (issue 5 acceptance): the simulator, the real bot and PostgreSQL;
// every outcome checked in the simulator's state and in the database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "app/demo.h"
#include "store/pg/admin_action_repo.h"
#include "store/pg/analytics_repo.h"
#include "store/pg/detail/session.h"
#include "store/pg/detection_repo.h"
#include "store/pg/member_repo.h"
#include "store/pg/server_repo.h"
#include "store/pg/testing/pg_harness.h"
#include "store/pg/training_repo.h"
#include "store/pg/verification_repo.h"

namespace app {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class DemoPgTest : public store::pg::testing::PgTest {};

TEST_F(DemoPgTest, TheScriptedDayEndsAsItShould) {
  DemoOptions options;
  options.members = 200;
  options.raiders = 30;
  options.listen_url = url();
  auto demo = Demo::Start(pool(), options);
  ASSERT_TRUE(demo.has_value()) << demo.error().ToString();
  std::FILE* sink = std::fopen("/dev/null", "w");
  auto played = (*demo)->Play(sink);
  ASSERT_TRUE(played.has_value()) << played.error().ToString();
  Demo::PrintSummary(*played, sink);
  std::fclose(sink);
  const DemoReport& r = *played;
  sim::Simulator& s = (*demo)->simulator();
  const core::GuildId guild = r.guild.guild;

  // The simulator's state: every raider restricted (or banned) and every scam message gone.
  s.With([&](sim::World& w) {
    const sim::Guild* g = w.FindGuild(guild.value());
    for (const core::UserId raider : r.raiders) {
      if (raider == r.banned) continue;
      const auto& roles = g->members.at(raider.value()).roles;
      EXPECT_NE(std::find(roles.begin(), roles.end(), r.guild.restricted_role), roles.end())
          << "raider " << raider.value() << " not restricted";
    }
    for (const core::MessageId m : r.raid_messages) {
      EXPECT_EQ(w.FindMessage(m.value()), nullptr) << "scam message " << m.value() << " left";
    }
    EXPECT_TRUE(g->bans.contains(r.banned.value()));
    EXPECT_FALSE(g->members.contains(r.banned.value()));
    const auto& fp_roles = g->members.at(r.false_positive.value()).roles;
    EXPECT_EQ(std::find(fp_roles.begin(), fp_roles.end(), r.guild.restricted_role), fp_roles.end());
  });
  EXPECT_EQ(r.raid_messages.size(), r.raiders.size());

  // Zero ordinary members flagged: the only cases are the raiders', the flooder's and the false
  // positive's.
  std::set<std::uint64_t> expected{r.flooder.value(), r.false_positive.value()};
  for (auto u : r.raiders) expected.insert(u.value());
  auto flagged = pool().Run("demo.flagged", [&](store::pg::Session& ses) {
    std::set<std::uint64_t> out;
    const store::pg::Statement st{"demo_flagged",
                                  "SELECT DISTINCT user_id FROM verification_events "
                                  "WHERE server_id = $1"};
    for (const auto& row : ses.Exec(st, store::pg::detail::Params(guild))) {
      out.insert(std::stoull(row[0].c_str()));
    }
    return out;
  });
  ASSERT_TRUE(flagged.has_value());
  EXPECT_EQ(*flagged, expected);
  // Nor did any detection of an ordinary member rise above LOW (a LOW one is only logged), and
  // every raider has a detection of their own.
  auto detected = pool().Run("demo.detected", [&](store::pg::Session& ses) {
    std::map<std::uint64_t, std::string> out;  // user -> highest level seen
    const store::pg::Statement st{"demo_detected",
                                  "SELECT user_id, max(confidence_level)::text FROM "
                                  "detection_events WHERE server_id = $1 GROUP BY user_id"};
    for (const auto& row : ses.Exec(st, store::pg::detail::Params(guild))) {
      out[std::stoull(row[0].c_str())] = row[1].c_str();
    }
    return out;
  });
  ASSERT_TRUE(detected.has_value());
  for (const auto& [user, level] : *detected) {
    if (!expected.contains(user)) {
      EXPECT_EQ(level, "low") << "ordinary member " << user << " detected at " << level;
    }
  }
  for (const core::UserId raider : r.raiders) {
    EXPECT_TRUE(detected->contains(raider.value())) << "raider " << raider.value();
  }

  // The cases: the false positive verified by the moderator, the raider banned, the rest open.
  store::pg::VerificationRepo cases(pool());
  auto fp_cases = cases.ListForMember(guild, r.false_positive);
  ASSERT_TRUE(fp_cases && fp_cases->size() == 1u);
  EXPECT_EQ((*fp_cases)[0].status, store::VerificationStatus::kVerified);
  EXPECT_EQ((*fp_cases)[0].resolved_by, r.moderator);
  auto banned_cases = cases.ListForMember(guild, r.banned);
  ASSERT_TRUE(banned_cases && banned_cases->size() == 1u);
  EXPECT_EQ((*banned_cases)[0].status, store::VerificationStatus::kBanned);
  for (const core::UserId raider : r.raiders) {
    auto c = cases.ListForMember(guild, raider);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->size(), 1u) << "one case per raider, repeat detections joined it";
  }

  // The admin actions and training labels those decisions left.
  store::pg::AdminActionRepo actions(pool());
  auto verified = actions.ListByCase((*fp_cases)[0].id);
  ASSERT_TRUE(verified && verified->size() == 1u);
  EXPECT_EQ((*verified)[0].action_type, store::AdminActionType::kVerify);
  EXPECT_EQ((*verified)[0].admin_id, r.moderator);
  auto ban = actions.ListByCase((*banned_cases)[0].id);
  ASSERT_TRUE(ban && ban->size() == 1u);
  EXPECT_EQ((*ban)[0].action_type, store::AdminActionType::kBan);
  auto labels = store::pg::TrainingRepo(pool()).ListLabeled(guild);
  ASSERT_TRUE(labels && labels->size() == 2u);
  std::set<store::TrainingLabel> kinds;
  for (const auto& l : *labels) kinds.insert(*l.label);
  EXPECT_EQ(kinds, (std::set{store::TrainingLabel::kSpam, store::TrainingLabel::kNotSpam}));

  // Members' flags.
  store::pg::MemberRepo members(pool());
  auto fp = members.Find(guild, r.false_positive);
  ASSERT_TRUE(fp && fp->has_value());
  EXPECT_FALSE((*fp)->is_restricted);
  EXPECT_EQ((*fp)->verification_status, store::VerificationStatus::kVerified);
  for (const core::UserId u : r.raiders) {
    if (u == r.banned) continue;
    auto raider = members.Find(guild, u);
    ASSERT_TRUE(raider && raider->has_value());
    EXPECT_TRUE((*raider)->is_restricted) << "raider " << u.value();
    EXPECT_EQ((*raider)->verification_status, store::VerificationStatus::kPending);
  }
  auto gone = members.Find(guild, r.banned);
  EXPECT_EQ((*gone)->verification_status, store::VerificationStatus::kBanned);
  auto regular = members.Find(guild, r.members.at(1));
  ASSERT_TRUE(regular && regular->has_value());
  EXPECT_FALSE((*regular)->is_restricted);
  EXPECT_EQ((*regular)->message_count, options.messages_per_member);

  // The day's counters match what happened.
  const auto today = std::chrono::year_month_day(
      std::chrono::floor<std::chrono::days>(core::DefaultClock().Now()));
  auto day = store::pg::AnalyticsRepo(pool()).Get(guild, today);
  ASSERT_TRUE(day && day->has_value());
  EXPECT_EQ((*day)->message_count, static_cast<std::int64_t>(r.stats.judged));
  EXPECT_EQ((*day)->join_count, static_cast<std::int64_t>(r.raiders.size()));
  EXPECT_EQ((*day)->detection_count, static_cast<std::int64_t>(r.stats.detections));
  EXPECT_EQ((*day)->verification_count, r.cases_opened);
  EXPECT_EQ((*day)->verify_count, 1);
  EXPECT_EQ((*day)->false_positive_count, 1);
  EXPECT_EQ((*day)->ban_count, 1);
  auto detections = store::pg::DetectionRepo(pool()).InRange(
      guild, core::DefaultClock().Now() - 1h, core::DefaultClock().Now() + 1h, 10000);
  ASSERT_TRUE(detections.has_value());
  EXPECT_EQ(detections->size(), r.stats.detections);

  // The owner's /config set applied; the member's refused one changed nothing.
  store::pg::ServerRepo servers(pool(), core::DefaultClock());
  auto row = servers.Find(guild);
  ASSERT_TRUE(row && row->has_value());
  EXPECT_EQ((*row)->settings, R"({"workflow.store_messages": "5"})");
  EXPECT_EQ((*row)->updated_by, r.guild.owner);

  EXPECT_GT(r.rest_calls.at("DELETE /channels/:id/messages/:id"), 0);
  EXPECT_LT(r.p99_us, 1e6);
  ASSERT_TRUE((*demo)->Stop().has_value());
}

}  // namespace
}  // namespace app

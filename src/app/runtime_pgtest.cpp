// The bot end to end over the real parts: the simulator's REST and gateway on 127.0.0.1, a real
// PostgreSQL, and the runtime `antispam run` uses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "app/runtime.h"
#include "core/testing/wait_for.h"
#include "detect/llm/testing/fake_openai.h"
#include "sim/simulator.h"
#include "store/pg/admin_action_repo.h"
#include "store/pg/analytics_repo.h"
#include "store/pg/detection_repo.h"
#include "store/pg/gpt_usage_repo.h"
#include "store/pg/member_repo.h"
#include "store/pg/message_repo.h"
#include "store/pg/server_repo.h"
#include "store/pg/testing/pg_harness.h"
#include "store/pg/training_repo.h"
#include "store/pg/user_repo.h"
#include "store/pg/verification_repo.h"

namespace app {
namespace {

using core::testing::WaitFor;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

class RuntimePgTest : public store::pg::testing::PgTest {
 protected:
  void SetUp() override {
    sim::SimulatorOptions so;
    so.gateway.heartbeat_interval = 1000ms;
    sim_ = std::make_unique<sim::Simulator>(so);
    ASSERT_TRUE(sim_->Start().has_value());
    g_ = sim_->AddStandardGuild("runtime test");
  }
  void TearDown() override {
    if (rt_) {
      EXPECT_TRUE(rt_->Stop(2s).has_value());
    }
    rt_.reset();
    sim_->Stop();
  }

  // The guild configured as an admin would: roles and channels.
  void Configure() {
    store::pg::ServerPatch p;
    p.restricted_role_id = g_.restricted_role;
    p.admin_channel_id = g_.admin;
    p.verification_channel_id = g_.verification;
    p.admin_notification_role_id = g_.moderator_role;
    ASSERT_TRUE(servers_.Upsert(g_.guild, p).has_value());
  }

  void StartBot(bool listen = false, std::optional<detect::llm::Config> llm = std::nullopt) {
    RuntimeOptions o;
    o.discord.api_base_url = sim_->api_base_url();
    o.discord.token = sim_->token();
    o.config.source = bot::ConfigSource::kDbOnly;
    o.moderator.flush_interval = 200ms;
    o.db_threads = 2;
    if (listen) o.listen_url = url();
    o.llm = std::move(llm);
    auto rt = Runtime::Start(pool(), o);
    ASSERT_TRUE(rt.has_value()) << rt.error().ToString();
    rt_ = std::move(*rt);
    ASSERT_TRUE(WaitFor([&] { return rt_->config().Cached(g_.guild) != nullptr; }));
  }

  core::UserId Member(std::string name, std::optional<core::Timestamp> created = {}) {
    const core::UserId u = sim_->AddUser(std::move(name), created);
    sim_->Join(g_.guild, u);
    return u;
  }

  bool HasRole(core::UserId user, core::RoleId role) {
    bool has = false;
    sim_->With([&](sim::World& w) {
      const auto& m = w.FindGuild(g_.guild.value())->members;
      auto it = m.find(user.value());
      if (it == m.end()) return;
      for (auto r : it->second.roles) has = has || r == role;
    });
    return has;
  }
  bool InGuild(core::UserId user) {
    bool in = false;
    sim_->With([&](sim::World& w) {
      in = w.FindGuild(g_.guild.value())->members.contains(user.value());
    });
    return in;
  }
  // Role assignments the simulator has received.
  int RolePuts() {
    int n = 0;
    for (const auto& c : sim_->Calls()) {
      n += c.method == "PUT" && c.path.find("/roles/") != std::string::npos;
    }
    return n;
  }
  // The member's open case once its admin embed is posted (nullopt after the wait).
  std::optional<store::VerificationEvent> PostedCase(core::UserId user) {
    store::pg::VerificationRepo cases(pool());
    std::optional<store::VerificationEvent> out;
    WaitFor([&] {
      auto c = cases.OpenCase(g_.guild, user);
      if (!c || !c->has_value() || !(*c)->notification_message_id) return false;
      out = **c;
      return true;
    });
    return out;
  }
  bool MessageExists(core::MessageId id) {
    bool exists = false;
    sim_->With([&](sim::World& w) { exists = w.FindMessage(id.value()) != nullptr; });
    return exists;
  }
  core::SystemClock clock_;
  store::pg::ServerRepo servers_{pool(), clock_};
  std::unique_ptr<sim::Simulator> sim_;
  sim::StandardGuild g_;
  std::unique_ptr<Runtime> rt_;
};

// The thread the bot opened in `parent`, if any.
std::optional<sim::Channel> ThreadIn(sim::Simulator& s, core::GuildId guild,
                                     core::ChannelId parent) {
  std::optional<sim::Channel> out;
  s.With([&](sim::World& w) {
    for (const auto& [id, c] : w.FindGuild(guild.value())->channels) {
      if (c.IsThread() && c.parent == parent) out = c;
    }
  });
  return out;
}

TEST_F(RuntimePgTest, APhishingLinkFromAFreshAccountRunsTheWholeWorkflow) {
  Configure();
  StartBot();
  const core::UserId regular = Member("regular", clock_.Now() - std::chrono::days(400));
  const core::UserId raider = Member("raider", clock_.Now() - std::chrono::hours(2));
  ASSERT_TRUE(sim_->Post(g_.general, regular, "morning all, anyone up for a game later?"));
  const auto scam = sim_->Post(
      g_.general, raider, "free nitro for everyone!! claim it https://aabeta.phxwolf.com/login");
  ASSERT_TRUE(scam.has_value());

  // The member: restricted, message gone.
  ASSERT_TRUE(WaitFor([&] { return HasRole(raider, g_.restricted_role); }));
  ASSERT_TRUE(WaitFor([&] { return !MessageExists(*scam); }));
  EXPECT_FALSE(HasRole(regular, g_.restricted_role));

  // The case: a private thread with the member, the admin embed with its buttons, the rows.
  store::pg::VerificationRepo cases(pool());
  const std::optional<store::VerificationEvent> open = PostedCase(raider);
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->status, store::VerificationStatus::kPending);
  ASSERT_TRUE(open->thread_id.has_value());
  auto thread = ThreadIn(*sim_, g_.guild, g_.verification);
  ASSERT_TRUE(thread.has_value());
  EXPECT_EQ(thread->id, *open->thread_id);
  EXPECT_EQ(thread->type, 12);  // private
  EXPECT_TRUE(thread->thread_members.contains(raider.value()));

  nlohmann::json embed;
  nlohmann::json components;
  std::string content;
  sim_->With([&](sim::World& w) {
    const sim::Message* m = w.FindMessage(open->notification_message_id->value());
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->channel, g_.admin);
    embed = m->embeds.at(0);
    components = m->components;
    content = m->content;
  });
  EXPECT_EQ(content, "<@&" + g_.moderator_role.ToString() + ">");
  EXPECT_THAT(embed.at("title").get<std::string>(), HasSubstr("raider"));
  EXPECT_THAT(embed.dump(), HasSubstr("links to a known phishing site"));
  EXPECT_THAT(embed.dump(), HasSubstr(scam->ToString()));  // the jump link
  const std::string buttons = components.dump();
  EXPECT_THAT(buttons, HasSubstr("case:verify:" + open->id.value));
  EXPECT_THAT(buttons, HasSubstr("case:ban:" + open->id.value));
  EXPECT_THAT(buttons, HasSubstr("case:history:" + open->id.value));

  auto member = store::pg::MemberRepo(pool()).Find(g_.guild, raider);
  ASSERT_TRUE(member && member->has_value());
  EXPECT_TRUE((*member)->is_restricted);
  auto history = store::pg::DetectionRepo(pool()).History(g_.guild, raider);
  ASSERT_TRUE(history && history->size() == 1u);
  EXPECT_EQ((*history)[0].level, store::DetectionLevel::kHigh);
  EXPECT_EQ((*history)[0].message_id, scam);
  auto stored = store::pg::MessageRepo(pool()).Find(g_.guild, *scam);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_TRUE((*stored)->is_flagged);

  // Clean traffic reaches the database only through the batched counters.
  ASSERT_TRUE(rt_->Flush().has_value());
  const auto today =
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(clock_.Now()));
  auto day = store::pg::AnalyticsRepo(pool()).Get(g_.guild, today);
  ASSERT_TRUE(day && day->has_value());
  EXPECT_EQ((*day)->message_count, 2);
  EXPECT_EQ((*day)->join_count, 2);
  EXPECT_EQ((*day)->verification_count, 1);
  auto regular_row = store::pg::MemberRepo(pool()).Find(g_.guild, regular);
  ASSERT_TRUE(regular_row && regular_row->has_value());
  EXPECT_EQ((*regular_row)->message_count, 1);
  EXPECT_FALSE((*regular_row)->is_restricted);
}

TEST_F(RuntimePgTest, ARepeatDetectionJoinsTheOpenCaseAndUpdatesItsEmbed) {
  Configure();
  StartBot();
  const core::UserId raider = Member("spammer", clock_.Now() - std::chrono::hours(1));
  ASSERT_TRUE(sim_->Post(g_.general, raider, "claim free nitro https://aabeta.phxwolf.com/login"));
  ASSERT_TRUE(sim_->Post(g_.general, raider, "last chance https://aabeta.phxwolf.com/gift"));
  store::pg::DetectionRepo detections(pool());
  ASSERT_TRUE(WaitFor([&] {
    auto h = detections.History(g_.guild, raider);
    return h && h->size() == 2u;
  }));
  store::pg::VerificationRepo cases(pool());
  auto all = cases.ListForMember(g_.guild, raider);
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 1u);  // one case for both
  ASSERT_TRUE(WaitFor([&] {
    bool edited = false;
    sim_->With([&](sim::World& w) {
      auto c = cases.OpenCase(g_.guild, raider);
      if (!c || !c->has_value() || !(*c)->notification_message_id) return;
      const sim::Message* m = w.FindMessage((*c)->notification_message_id->value());
      edited = m != nullptr && m->embeds.dump().find("2 detection(s)") != std::string::npos;
    });
    return edited;
  }));
  // One thread, one role assignment.
  EXPECT_EQ(RolePuts(), 1);
}

TEST_F(RuntimePgTest, WithoutARestrictedRoleTheMemberIsTimedOutAndMissingChannelsAreNoted) {
  StartBot();  // nothing configured
  const core::UserId raider = Member("raider2", clock_.Now() - std::chrono::hours(1));
  ASSERT_TRUE(sim_->Post(g_.general, raider, "free nitro https://aabeta.phxwolf.com/login"));
  ASSERT_TRUE(WaitFor([&] {
    bool timed_out = false;
    sim_->With([&](sim::World& w) {
      const auto& m = w.FindGuild(g_.guild.value())->members.at(raider.value());
      timed_out = m.timed_out_until.has_value();
    });
    return timed_out;
  }));
  store::pg::VerificationRepo cases(pool());
  ASSERT_TRUE(WaitFor([&] {
    auto c = cases.OpenCase(g_.guild, raider);
    return c && c->has_value() && (*c)->notes.has_value();
  }));
  auto c = cases.OpenCase(g_.guild, raider);
  EXPECT_THAT(*(*c)->notes, HasSubstr("no verification channel is configured"));
}

TEST_F(RuntimePgTest, ADiscordRefusalIsANoteNeverACrash) {
  // Misconfigured: the restricted role sits above the bot's, so Discord refuses (50013).
  store::pg::ServerPatch p;
  p.restricted_role_id = g_.above_bot_role;
  p.admin_channel_id = g_.admin;
  p.verification_channel_id = g_.verification;
  ASSERT_TRUE(servers_.Upsert(g_.guild, p).has_value());
  StartBot();
  const core::UserId raider = Member("raider5", clock_.Now() - std::chrono::hours(1));
  ASSERT_TRUE(sim_->Post(g_.general, raider, "free nitro https://aabeta.phxwolf.com/login"));
  store::pg::VerificationRepo cases(pool());
  ASSERT_TRUE(WaitFor([&] {
    auto c = cases.OpenCase(g_.guild, raider);
    return c && c->has_value() && (*c)->notes.has_value() && (*c)->notification_message_id;
  }));
  auto c = cases.OpenCase(g_.guild, raider);
  EXPECT_THAT(*(*c)->notes, HasSubstr("could not restrict the member"));
  EXPECT_FALSE(HasRole(raider, g_.above_bot_role));

  // The bot carries on: fixed with /config's service, the next raider is restricted.
  ASSERT_TRUE(rt_->config()
                  .Set(g_.guild, "role.restricted", g_.restricted_role.ToString(), sim_->bot())
                  .has_value());
  const core::UserId next = Member("next", clock_.Now() - std::chrono::hours(1));
  ASSERT_TRUE(sim_->Post(g_.general, next, "free nitro https://aabeta.phxwolf.com/login"));
  EXPECT_TRUE(WaitFor([&] { return HasRole(next, g_.restricted_role); }));
}

TEST_F(RuntimePgTest, ABanOutsideTheBotClosesTheOpenCase) {
  Configure();
  StartBot();
  const core::UserId raider = Member("raider3", clock_.Now() - std::chrono::hours(1));
  ASSERT_TRUE(sim_->Post(g_.general, raider, "free nitro https://aabeta.phxwolf.com/login"));
  store::pg::VerificationRepo cases(pool());
  ASSERT_TRUE(WaitFor([&] {
    auto c = cases.OpenCase(g_.guild, raider);
    return c && c->has_value() && (*c)->notification_message_id;
  }));
  // A moderator bans with Discord's own tools: GUILD_BAN_ADD.
  sim_->Act([&](sim::World& w) {
    return w.CreateBan(g_.guild.ToString(), raider.ToString(), nlohmann::json::object(), "");
  });
  ASSERT_TRUE(WaitFor([&] {
    auto c = cases.OpenCase(g_.guild, raider);
    return c && !c->has_value();
  }));
  auto list = cases.ListForMember(g_.guild, raider);
  ASSERT_TRUE(list && list->size() == 1u);
  EXPECT_EQ((*list)[0].status, store::VerificationStatus::kBanned);
  // Recorded like a ban by button, in one transaction: the member's status, the reputation, the
  // admin action (by the bot, on Discord's behalf) and the message labelled spam.
  ASSERT_TRUE(WaitFor([&] {
    auto m = store::pg::MemberRepo(pool()).Find(g_.guild, raider);
    return m && m->has_value() && (*m)->verification_status == store::VerificationStatus::kBanned;
  }));
  auto user = store::pg::UserRepo(pool()).Find(raider);
  ASSERT_TRUE(user && user->has_value());
  EXPECT_NEAR((*user)->global_reputation_score, -0.5, 1e-6);
  EXPECT_EQ((*user)->suspicious_server_count, 1);
  auto actions = store::pg::AdminActionRepo(pool()).ListByCase((*list)[0].id);
  ASSERT_TRUE(actions && actions->size() == 1u);
  EXPECT_EQ((*actions)[0].action_type, store::AdminActionType::kBan);
  auto labelled = store::pg::TrainingRepo(pool()).ListLabeled(g_.guild);
  ASSERT_TRUE(labelled && labelled->size() == 1u);
  EXPECT_EQ((*labelled)[0].label, store::TrainingLabel::kSpam);
}

TEST_F(RuntimePgTest, AConfigChangeByAnotherProcessReachesTheBotThroughNotify) {
  Configure();
  StartBot(/*listen=*/true);
  EXPECT_EQ(rt_->config().Cached(g_.guild)->workflow.delete_message, bot::DeleteMessage::kHigh);
  store::pg::Pool other_pool({.url = url(), .size = 1});
  store::pg::ServerRepo other(other_pool, clock_);
  store::pg::ServerPatch patch;
  patch.settings = R"({"workflow.delete_message": "never"})";
  ASSERT_TRUE(other.Upsert(g_.guild, patch).has_value());
  ASSERT_TRUE(WaitFor([&] {
    return rt_->config().Cached(g_.guild)->workflow.delete_message == bot::DeleteMessage::kNever;
  }));
  // And the bot acts on it: the phishing message stays, the member is still restricted.
  const core::UserId raider = Member("raider4", clock_.Now() - std::chrono::hours(1));
  const auto scam = sim_->Post(g_.general, raider, "free nitro https://aabeta.phxwolf.com/login");
  ASSERT_TRUE(WaitFor([&] { return HasRole(raider, g_.restricted_role); }));
  EXPECT_TRUE(MessageExists(*scam));
}

// Waits until the simulator's interaction `id` was answered; its state.
std::optional<sim::World::InteractionState> Answered(sim::Simulator& s, std::uint64_t id) {
  std::optional<sim::World::InteractionState> out;
  WaitFor([&] {
    out = s.Interaction(id);
    return out && out->callback_type != 0 &&
           (out->callback_type != 5 || out->original.has_value() || !out->followups.empty());
  });
  return out;
}

TEST_F(RuntimePgTest, TheVerifyButtonLiftsTheRestrictionAndRecordsTheFalsePositive) {
  Configure();
  StartBot();
  const core::UserId mod = sim_->AddUser("mod");
  sim_->Join(g_.guild, mod, {g_.moderator_role});
  const core::UserId member = Member("innocent", clock_.Now() - std::chrono::hours(3));
  const auto msg = sim_->Post(g_.general, member, "free nitro https://aabeta.phxwolf.com/login");
  store::pg::VerificationRepo cases(pool());
  const std::optional<store::VerificationEvent> open = PostedCase(member);
  ASSERT_TRUE(open.has_value());
  ASSERT_TRUE(HasRole(member, g_.restricted_role));

  const auto click = sim_->ClickButton(g_.admin, *open->notification_message_id, mod,
                                       "case:verify:" + open->id.value);
  ASSERT_NE(click, 0u);
  auto answer = Answered(*sim_, click);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->callback_type, 7);  // the embed updated in place
  ASSERT_TRUE(WaitFor([&] { return !HasRole(member, g_.restricted_role); }));

  auto after = cases.Find(open->id);
  ASSERT_TRUE(after && after->has_value());
  EXPECT_EQ((*after)->status, store::VerificationStatus::kVerified);
  EXPECT_EQ((*after)->resolved_by, mod);
  std::string embed;
  bool archived = false;
  sim_->With([&](sim::World& w) {
    embed = w.FindMessage(open->notification_message_id->value())->embeds.dump();
    archived = w.FindChannel(open->thread_id->value())->archived &&
               w.FindChannel(open->thread_id->value())->locked;
  });
  EXPECT_THAT(embed, HasSubstr("Verified by <@" + mod.ToString() + ">"));
  EXPECT_TRUE(archived);

  auto actions = store::pg::AdminActionRepo(pool()).ListByCase(open->id);
  ASSERT_TRUE(actions && actions->size() == 1u);
  EXPECT_EQ((*actions)[0].action_type, store::AdminActionType::kVerify);
  EXPECT_EQ((*actions)[0].admin_id, mod);
  auto labelled = store::pg::TrainingRepo(pool()).ListLabeled(g_.guild);
  ASSERT_TRUE(labelled && labelled->size() == 1u);
  EXPECT_EQ((*labelled)[0].label, store::TrainingLabel::kNotSpam);
  EXPECT_EQ((*labelled)[0].content, "free nitro https://aabeta.phxwolf.com/login");
  auto row = store::pg::MemberRepo(pool()).Find(g_.guild, member);
  EXPECT_FALSE((*row)->is_restricted);
  EXPECT_EQ((*row)->verification_status, store::VerificationStatus::kVerified);
  ASSERT_TRUE(rt_->Flush().has_value());
  const auto today =
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(clock_.Now()));
  auto day = store::pg::AnalyticsRepo(pool()).Get(g_.guild, today);
  ASSERT_TRUE(day && day->has_value());
  EXPECT_EQ((*day)->verify_count, 1);
  EXPECT_EQ((*day)->false_positive_count, 1);
  (void)msg;
}

// A case through verify, reopen and kick by its buttons, with History in between: each outcome is
// recorded once, and the user's reputation and suspicious-server count follow every step.
TEST_F(RuntimePgTest, ReopenTakesBackAVerifyAndEveryOutcomeMovesReputationAndSuspicion) {
  Configure();
  StartBot();
  const core::UserId mod = sim_->AddUser("mod");
  sim_->Join(g_.guild, mod, {g_.moderator_role});
  const core::UserId member = Member("twice", clock_.Now() - std::chrono::hours(3));
  ASSERT_TRUE(sim_->Post(g_.general, member, "free nitro https://aabeta.phxwolf.com/login"));
  const std::optional<store::VerificationEvent> open = PostedCase(member);
  ASSERT_TRUE(open.has_value());
  store::pg::UserRepo users(pool());
  store::pg::MemberRepo members(pool());
  store::pg::VerificationRepo cases(pool());
  auto user = [&] { return **users.Find(member); };
  auto here = [&] { return **members.Find(g_.guild, member); };
  ASSERT_TRUE(WaitFor([&] { return user().suspicious_server_count == 1; }));
  EXPECT_TRUE(user().first_flagged_at.has_value());
  auto click = [&](std::string_view button) {
    const auto id = sim_->ClickButton(g_.admin, *open->notification_message_id, mod,
                                      std::string(button) + open->id.value);
    EXPECT_NE(id, 0u);
    return Answered(*sim_, id);
  };

  // Verify: a false positive. No longer suspect anywhere; a little more trusted.
  ASSERT_TRUE(click("case:verify:").has_value());
  ASSERT_TRUE(WaitFor([&] { return !HasRole(member, g_.restricted_role); }));
  EXPECT_EQ(user().suspicious_server_count, 0);
  EXPECT_NEAR(user().global_reputation_score, 0.2, 1e-6);
  EXPECT_NEAR(here().reputation_score, 0.2, 1e-6);

  // History, from the embed: only the moderator sees it.
  auto history = click("case:history:");
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(history->response.value("flags", 0) & 64, 64) << history->response.dump();
  std::string shown = history->response.dump();  // answered at once, or deferred then edited
  sim_->With([&](sim::World& w) {
    if (history->original) shown += w.FindMessage(history->original->value())->content;
  });
  EXPECT_THAT(shown, HasSubstr("History of <@" + member.ToString() + ">"));
  EXPECT_THAT(shown, HasSubstr("verified by <@" + mod.ToString() + ">"));

  // Reopen: restricted again, the verify's reputation taken back, suspect again.
  auto reopened = click("case:reopen:");
  ASSERT_TRUE(reopened.has_value());
  ASSERT_TRUE(WaitFor([&] { return HasRole(member, g_.restricted_role); }));
  auto now = cases.Find(open->id);
  ASSERT_TRUE(now && now->has_value());
  EXPECT_EQ((*now)->status, store::VerificationStatus::kReopened);
  EXPECT_EQ(user().suspicious_server_count, 1);
  EXPECT_NEAR(user().global_reputation_score, 0.0, 1e-6);
  EXPECT_NEAR(here().reputation_score, 0.0, 1e-6);
  EXPECT_TRUE(here().is_restricted);
  EXPECT_EQ(here().verification_status, store::VerificationStatus::kReopened);

  // Kick: out of the server, labelled spam this time.
  ASSERT_TRUE(click("case:kick:").has_value());
  ASSERT_TRUE(WaitFor([&] { return !InGuild(member); }));
  ASSERT_TRUE(WaitFor([&] {
    auto c = cases.Find(open->id);
    return c && c->has_value() && (*c)->status == store::VerificationStatus::kKicked;
  }));
  EXPECT_EQ(user().suspicious_server_count, 1);
  EXPECT_NEAR(user().global_reputation_score, -0.3, 1e-6);
  EXPECT_EQ(here().verification_status, store::VerificationStatus::kKicked);
  auto actions = store::pg::AdminActionRepo(pool()).ListByCase(open->id);
  ASSERT_TRUE(actions.has_value());
  std::vector<store::AdminActionType> kinds;
  for (const auto& a : *actions) kinds.push_back(a.action_type);
  std::sort(kinds.begin(), kinds.end());
  std::vector<store::AdminActionType> want{store::AdminActionType::kVerify,
                                           store::AdminActionType::kReopen,
                                           store::AdminActionType::kKick};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(kinds, want);
  auto labelled = store::pg::TrainingRepo(pool()).ListLabeled(g_.guild);
  ASSERT_TRUE(labelled.has_value());
  int spam = 0, not_spam = 0;
  for (const auto& t : *labelled) {
    spam += t.label == store::TrainingLabel::kSpam;
    not_spam += t.label == store::TrainingLabel::kNotSpam;
  }
  EXPECT_EQ(spam, 1);
  EXPECT_EQ(not_spam, 1);
}

// Discord drops a member's roles when they leave: one who leaves and comes back while their
// case is open is restricted again, and the case says so.
TEST_F(RuntimePgTest, LeavingAndComingBackDoesNotShedTheRestriction) {
  Configure();
  StartBot();
  // A two-month-old account: its join alone is not suspicious; only the case makes it restricted.
  const core::UserId member = Member("returner", clock_.Now() - std::chrono::days(60));
  ASSERT_TRUE(sim_->Post(g_.general, member, "free nitro https://aabeta.phxwolf.com/login"));
  const std::optional<store::VerificationEvent> open = PostedCase(member);
  ASSERT_TRUE(open.has_value());
  ASSERT_TRUE(HasRole(member, g_.restricted_role));
  sim_->Act([&](sim::World& w) { return w.Kick(g_.guild.ToString(), member.ToString()); });
  ASSERT_TRUE(WaitFor([&] { return !InGuild(member); }));
  sim_->Join(g_.guild, member);  // back, without the role
  ASSERT_TRUE(WaitFor([&] { return HasRole(member, g_.restricted_role); }));
  store::pg::VerificationRepo cases(pool());
  ASSERT_TRUE(WaitFor([&] {
    auto c = cases.Find(open->id);
    return c && c->has_value() && (*c)->notes &&
           (*c)->notes->find("left and came back: restricted again") != std::string::npos;
  }));

  // Once verified, coming back is just coming back.
  const core::UserId mod = sim_->AddUser("mod");
  sim_->Join(g_.guild, mod, {g_.moderator_role});
  auto verified = Answered(*sim_, sim_->ClickButton(g_.admin, *open->notification_message_id, mod,
                                                    "case:verify:" + open->id.value));
  ASSERT_TRUE(verified.has_value());
  ASSERT_TRUE(WaitFor([&] { return !HasRole(member, g_.restricted_role); }));
  sim_->Act([&](sim::World& w) { return w.Kick(g_.guild.ToString(), member.ToString()); });
  ASSERT_TRUE(WaitFor([&] { return !InGuild(member); }));
  const int puts_before = RolePuts();
  sim_->Join(g_.guild, member);
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(HasRole(member, g_.restricted_role));
  EXPECT_EQ(RolePuts(), puts_before);
}

TEST_F(RuntimePgTest, TwoModeratorsAtOnceOneOutcomeWinsTheOtherIsToldWho) {
  Configure();
  StartBot();
  const core::UserId mod1 = sim_->AddUser("mod1");
  const core::UserId mod2 = sim_->AddUser("mod2");
  sim_->Join(g_.guild, mod1, {g_.moderator_role});
  sim_->Join(g_.guild, mod2, {g_.moderator_role});
  const core::UserId raider = Member("raider6", clock_.Now() - std::chrono::hours(1));
  ASSERT_TRUE(sim_->Post(g_.general, raider, "free nitro https://aabeta.phxwolf.com/login"));
  store::pg::VerificationRepo cases(pool());
  const std::optional<store::VerificationEvent> open = PostedCase(raider);
  ASSERT_TRUE(open.has_value());
  const auto a = sim_->ClickButton(g_.admin, *open->notification_message_id, mod1,
                                   "case:ban:" + open->id.value);
  const auto b = sim_->ClickButton(g_.admin, *open->notification_message_id, mod2,
                                   "case:kick:" + open->id.value);
  auto first = Answered(*sim_, a);
  auto second = Answered(*sim_, b);
  ASSERT_TRUE(first && second);
  auto after = cases.Find(open->id);
  ASSERT_TRUE(after && after->has_value());
  const bool banned = (*after)->status == store::VerificationStatus::kBanned;
  EXPECT_TRUE(banned || (*after)->status == store::VerificationStatus::kKicked);
  const auto& loser = banned ? *second : *first;
  const auto& winner_id = banned ? mod1 : mod2;
  EXPECT_THAT(loser.response.dump() + nlohmann::json(loser.followups.size()).dump(),
              HasSubstr("already"));
  EXPECT_THAT(loser.response.dump(), HasSubstr("<@" + winner_id.ToString() + ">"));
  auto actions = store::pg::AdminActionRepo(pool()).ListByCase(open->id);
  ASSERT_TRUE(actions.has_value());
  EXPECT_EQ(actions->size(), 1u);
}

TEST_F(RuntimePgTest, SlashCommandsCheckPermissionsAndChangeConfiguration) {
  Configure();
  StartBot();
  // Registered on READY.
  ASSERT_TRUE(WaitFor([&] {
    bool registered = false;
    sim_->With([&](sim::World& w) { registered = !w.global_commands().empty(); });
    return registered;
  }));
  const core::UserId member = Member("plain", clock_.Now() - std::chrono::days(300));
  nlohmann::json set = {{"name", "config"},
                        {"options",
                         {{{"name", "set"},
                           {"type", 1},
                           {"options",
                            {{{"name", "key"}, {"type", 3}, {"value", "action.restrict"}},
                             {{"name", "value"}, {"type", 3}, {"value", "0.5"}}}}}}}};
  // A member without Manage Guild: refused, nothing changes.
  const auto refused = sim_->RunCommand(g_.general, member, set);
  auto no = Answered(*sim_, refused);
  ASSERT_TRUE(no.has_value());
  EXPECT_EQ(no->callback_type, 4);
  EXPECT_EQ(no->response.value("flags", 0) & 64, 64);  // ephemeral
  auto row = servers_.Find(g_.guild);
  EXPECT_EQ((*row)->settings, "{}");
  // The owner: changed.
  const auto ok = sim_->RunCommand(g_.general, g_.owner, set);
  auto yes = Answered(*sim_, ok);
  ASSERT_TRUE(yes.has_value());
  EXPECT_THAT(yes->response.dump(), HasSubstr("is now"));
  row = servers_.Find(g_.guild);
  EXPECT_EQ((*row)->settings, R"({"action.restrict": "0.5"})");
  EXPECT_DOUBLE_EQ(rt_->config().Cached(g_.guild)->policy->data().restrict_risk, 0.5);
  // An invalid value: a clear ephemeral error, nothing changes.
  nlohmann::json bad = set;
  bad["options"][0]["options"][1]["value"] = "lots";
  const auto invalid = sim_->RunCommand(g_.general, g_.owner, bad);
  auto err = Answered(*sim_, invalid);
  ASSERT_TRUE(err.has_value());
  EXPECT_THAT(err->response.dump(), HasSubstr("action.restrict must be a number"));
  row = servers_.Find(g_.guild);
  EXPECT_EQ((*row)->settings, R"({"action.restrict": "0.5"})");
}

TEST_F(RuntimePgTest, FlagAndHistoryCommands) {
  Configure();
  StartBot();
  const core::UserId mod = sim_->AddUser("mod3");
  sim_->Join(g_.guild, mod, {g_.moderator_role});
  const core::UserId member = Member("suspect", clock_.Now() - std::chrono::days(30));
  nlohmann::json flag = {{"name", "flag"},
                         {"options",
                          {{{"name", "user"}, {"type", 6}, {"value", member.ToString()}},
                           {{"name", "reason"}, {"type", 3}, {"value", "DM spam reported"}}}}};
  auto flagged = Answered(*sim_, sim_->RunCommand(g_.general, mod, flag));
  ASSERT_TRUE(flagged.has_value());
  ASSERT_TRUE(WaitFor([&] { return HasRole(member, g_.restricted_role); }));
  auto history = store::pg::DetectionRepo(pool()).History(g_.guild, member);
  ASSERT_TRUE(history && history->size() == 1u);
  EXPECT_EQ((*history)[0].detection_type, store::DetectionType::kManual);

  nlohmann::json hist = {
      {"name", "history"},
      {"options", {{{"name", "user"}, {"type", 6}, {"value", member.ToString()}}}}};
  auto shown = Answered(*sim_, sim_->RunCommand(g_.general, mod, hist));
  ASSERT_TRUE(shown.has_value());
  std::string text;
  sim_->With([&](sim::World& w) {
    if (shown->original) text = w.FindMessage(shown->original->value())->content;
  });
  EXPECT_THAT(text + shown->response.dump(), HasSubstr("1 detection(s)"));

  // A member without Moderate/Kick Members may not.
  const core::UserId plain = Member("plain2", clock_.Now() - std::chrono::days(300));
  auto refused = Answered(*sim_, sim_->RunCommand(g_.general, plain, hist));
  ASSERT_TRUE(refused.has_value());
  std::string refusal;
  sim_->With([&](sim::World& w) {
    if (refused->original) refusal = w.FindMessage(refused->original->value())->content;
  });
  EXPECT_THAT(refusal + refused->response.dump(), HasSubstr("Moderate Members or Kick Members"));
}

TEST_F(RuntimePgTest, TheLlmIsAskedInTheGreyZoneAndEveryCallBecomesAGptUsageRow) {
  Configure();
  // Ask about every message from a new account, so a harmless-looking one reaches the LLM.
  store::pg::ServerPatch p;
  p.settings = R"({"llm.new_accounts": "true"})";
  ASSERT_TRUE(servers_.Upsert(g_.guild, p).has_value());
  detect::llm::testing::FakeOpenAi fake({detect::llm::testing::Behaviour::Good("spam", 0.95)});
  detect::llm::Config llm;
  llm.base_url = fake.base_url();
  llm.timeout = 3s;
  StartBot(false, llm);
  const core::UserId fresh = Member("newbie", clock_.Now() - std::chrono::hours(5));
  ASSERT_TRUE(sim_->Post(g_.general, fresh, "hey guys, dm me for a good deal on accounts"));
  ASSERT_TRUE(WaitFor([&] { return fake.requests() >= 1; }));
  store::pg::DetectionRepo detections(pool());
  ASSERT_TRUE(WaitFor([&] {
    auto h = detections.History(g_.guild, fresh);
    return h && !h->empty();
  }));
  auto h = detections.History(g_.guild, fresh);
  EXPECT_TRUE((*h)[0].used_gpt);
  EXPECT_THAT((*h)[0].reasons.front() + (*h)[0].reasons.back(), HasSubstr("llm"));
  ASSERT_TRUE(rt_->Flush().has_value());
  const auto midnight = std::chrono::floor<std::chrono::days>(clock_.Now());
  auto calls = store::pg::GptUsageRepo(pool()).CountSince(g_.guild, midnight);
  ASSERT_TRUE(calls.has_value());
  EXPECT_EQ(*calls, fake.requests());
  const auto today = std::chrono::year_month_day(midnight);
  auto day = store::pg::AnalyticsRepo(pool()).Get(g_.guild, today);
  ASSERT_TRUE(day && day->has_value());
  EXPECT_EQ((*day)->gpt_call_count, fake.requests());
}

TEST_F(RuntimePgTest, AModeratorCannotKickAMemberRankedAboveThem) {
  Configure();
  StartBot();
  const core::UserId mod = sim_->AddUser("junior_mod");
  sim_->Join(g_.guild, mod, {g_.moderator_role});
  core::RoleId senior;
  sim_->With([&](sim::World& w) {
    senior = w.AddRole(*w.FindGuild(g_.guild.value()), "Senior", 7, 0);  // above Moderators (5)
  });
  const core::UserId veteran = sim_->AddUser("veteran");
  sim_->Join(g_.guild, veteran, {senior});
  nlohmann::json kick = {
      {"name", "kick"},
      {"options", {{{"name", "user"}, {"type", 6}, {"value", veteran.ToString()}}}}};
  auto refused = Answered(*sim_, sim_->RunCommand(g_.general, mod, kick));
  ASSERT_TRUE(refused.has_value());
  std::string text = refused->response.dump();
  sim_->With([&](sim::World& w) {
    if (refused->original) text += w.FindMessage(refused->original->value())->content;
  });
  EXPECT_THAT(text, HasSubstr("their highest role is not below yours"));
  EXPECT_TRUE(InGuild(veteran));
  auto actions = store::pg::AdminActionRepo(pool()).ListForMember(g_.guild, veteran);
  ASSERT_TRUE(actions.has_value());
  EXPECT_TRUE(actions->empty());
}

TEST_F(RuntimePgTest, ADetectionAfterAVerifyOpensANewCaseAndRestrictsAgain) {
  Configure();
  StartBot();
  const core::UserId mod = sim_->AddUser("mod4");
  sim_->Join(g_.guild, mod, {g_.moderator_role});
  const core::UserId member = Member("relapse", clock_.Now() - std::chrono::hours(3));
  ASSERT_TRUE(sim_->Post(g_.general, member, "free nitro https://aabeta.phxwolf.com/login"));
  store::pg::VerificationRepo cases(pool());
  const std::optional<store::VerificationEvent> first = PostedCase(member);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(Answered(*sim_, sim_->ClickButton(g_.admin, *first->notification_message_id, mod,
                                                "case:verify:" + first->id.value)));
  ASSERT_TRUE(WaitFor([&] { return !HasRole(member, g_.restricted_role); }));
  ASSERT_TRUE(sim_->Post(g_.general, member, "free nitro again https://aabeta.phxwolf.com/gift"));
  ASSERT_TRUE(WaitFor([&] { return HasRole(member, g_.restricted_role); }));
  const std::optional<store::VerificationEvent> second = PostedCase(member);
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(second->id, first->id);
  EXPECT_EQ(second->status, store::VerificationStatus::kPending);
  EXPECT_TRUE(second->thread_id.has_value());
}

TEST_F(RuntimePgTest, TheBotsOwnBanClosesTheCaseItOpened) {
  Configure();
  store::pg::ServerPatch p;
  p.settings = R"({"action.ban": "0.9"})";  // phishing (0.97) is enough to ban
  ASSERT_TRUE(servers_.Upsert(g_.guild, p).has_value());
  StartBot();
  const core::UserId raider = Member("autoban", clock_.Now() - std::chrono::hours(1));
  ASSERT_TRUE(sim_->Post(g_.general, raider, "free nitro https://aabeta.phxwolf.com/login"));
  ASSERT_TRUE(WaitFor([&] {
    bool banned = false;
    sim_->With([&](sim::World& w) {
      banned = w.FindGuild(g_.guild.value())->bans.contains(raider.value());
    });
    return banned;
  }));
  store::pg::VerificationRepo cases(pool());
  ASSERT_TRUE(WaitFor([&] {
    auto list = cases.ListForMember(g_.guild, raider);
    return list && list->size() == 1u && (*list)[0].status == store::VerificationStatus::kBanned;
  }));
  auto list = cases.ListForMember(g_.guild, raider);
  EXPECT_EQ((*list)[0].resolved_by, sim_->bot());
  // The admin action is written right after the case moves: wait for it, then make sure no
  // "outside" ban was recorded as well once the bot is idle.
  store::pg::AdminActionRepo repo(pool());
  ASSERT_TRUE(WaitFor([&] {
    auto a = repo.ListByCase((*list)[0].id);
    return a && !a->empty();
  }));
  ASSERT_TRUE(WaitFor([&] {
    int in_flight = 1;
    rt_->OnIo([&] { in_flight = rt_->moderator().in_flight(); });
    return in_flight == 0;
  }));
  auto actions = repo.ListByCase((*list)[0].id);
  ASSERT_TRUE(actions && actions->size() == 1u);  // the bot's, not an "outside" ban as well
  EXPECT_EQ((*actions)[0].admin_id, sim_->bot());
  EXPECT_THAT((*actions)[0].notes.value_or(""), HasSubstr("automatically"));
}

TEST_F(RuntimePgTest, SetupVerificationCreatesTheHiddenChannelAndConfiguresIt) {
  store::pg::ServerPatch p;
  p.restricted_role_id = g_.restricted_role;
  p.admin_notification_role_id = g_.moderator_role;
  ASSERT_TRUE(servers_.Upsert(g_.guild, p).has_value());
  StartBot();
  nlohmann::json setup = {{"name", "setupverification"}};
  auto answer = Answered(*sim_, sim_->RunCommand(g_.general, g_.owner, setup));
  ASSERT_TRUE(answer.has_value());
  ASSERT_TRUE(WaitFor([&] {
    auto c = rt_->config().Cached(g_.guild);
    return c && c->verification_channel.has_value();
  }));
  const core::ChannelId channel = *rt_->config().Cached(g_.guild)->verification_channel;
  std::vector<discord::Overwrite> overwrites;
  std::string name;
  sim_->With([&](sim::World& w) {
    const sim::Channel* c = w.FindChannel(channel.value());
    ASSERT_NE(c, nullptr);
    name = c->name;
    overwrites = c->overwrites;
  });
  EXPECT_EQ(name, "verification");
  auto find = [&](std::uint64_t id) -> const discord::Overwrite* {
    for (const auto& o : overwrites) {
      if (o.id == id) return &o;
    }
    return nullptr;
  };
  namespace perm = discord::permission;
  const auto* everyone = find(g_.guild.value());
  ASSERT_NE(everyone, nullptr);
  EXPECT_NE(everyone->deny & perm::kViewChannel, 0u);  // @everyone cannot see it
  const auto* restricted = find(g_.restricted_role.value());
  ASSERT_NE(restricted, nullptr);
  EXPECT_NE(restricted->allow & perm::kViewChannel, 0u);  // the restricted role can
  const auto* bot = find(sim_->bot().value());
  ASSERT_NE(bot, nullptr);
  EXPECT_NE(bot->allow & perm::kManageThreads, 0u);  // the bot manages its threads
  EXPECT_NE(find(g_.moderator_role.value()), nullptr);

  // A member without Manage Guild cannot.
  const core::UserId plain = Member("plain3", clock_.Now() - std::chrono::days(300));
  auto refused = Answered(*sim_, sim_->RunCommand(g_.general, plain, setup));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->response.value("flags", 0) & 64, 64);
  EXPECT_EQ(*rt_->config().Cached(g_.guild)->verification_channel, channel);
}

TEST_F(RuntimePgTest, VerifyAndBanCommandsActOnTheMembersCase) {
  Configure();
  StartBot();
  const core::UserId mod = sim_->AddUser("mod5");
  sim_->Join(g_.guild, mod, {g_.moderator_role});
  const core::UserId a = Member("suspect_a", clock_.Now() - std::chrono::hours(3));
  const core::UserId b = Member("suspect_b", clock_.Now() - std::chrono::hours(3));
  ASSERT_TRUE(sim_->Post(g_.general, a, "free nitro https://aabeta.phxwolf.com/login"));
  ASSERT_TRUE(sim_->Post(g_.general, b, "free nitro https://aabeta.phxwolf.com/gift"));
  store::pg::VerificationRepo cases(pool());
  ASSERT_TRUE(WaitFor([&] {
    auto ca = cases.OpenCase(g_.guild, a);
    auto cb = cases.OpenCase(g_.guild, b);
    return ca && ca->has_value() && (*ca)->notification_message_id && cb && cb->has_value() &&
           (*cb)->notification_message_id;
  }));
  nlohmann::json verify = {{"name", "verify"},
                           {"options", {{{"name", "user"}, {"type", 6}, {"value", a.ToString()}}}}};
  ASSERT_TRUE(Answered(*sim_, sim_->RunCommand(g_.general, mod, verify)));
  ASSERT_TRUE(WaitFor([&] { return !HasRole(a, g_.restricted_role); }));
  nlohmann::json ban = {{"name", "ban"},
                        {"options",
                         {{{"name", "user"}, {"type", 6}, {"value", b.ToString()}},
                          {{"name", "reason"}, {"type", 3}, {"value", "scam links"}},
                          {{"name", "delete_messages"}, {"type", 4}, {"value", 2}}}}};
  ASSERT_TRUE(Answered(*sim_, sim_->RunCommand(g_.general, mod, ban)));
  int delete_seconds = -1;
  ASSERT_TRUE(WaitFor([&] {
    sim_->With([&](sim::World& w) {
      const auto& bans = w.FindGuild(g_.guild.value())->bans;
      if (auto it = bans.find(b.value()); it != bans.end()) {
        delete_seconds = it->second.delete_message_seconds;
      }
    });
    return delete_seconds >= 0;
  }));
  EXPECT_EQ(delete_seconds, 2 * 86400);
  auto la = cases.ListForMember(g_.guild, a);
  auto lb = cases.ListForMember(g_.guild, b);
  ASSERT_TRUE(la && lb);
  EXPECT_EQ((*la)[0].status, store::VerificationStatus::kVerified);
  EXPECT_EQ((*lb)[0].status, store::VerificationStatus::kBanned);
  // The embeds in the admin channel follow.
  std::string embed;
  sim_->With([&](sim::World& w) {
    embed = w.FindMessage((*lb)[0].notification_message_id->value())->embeds.dump();
  });
  EXPECT_THAT(embed, HasSubstr("Banned by <@" + mod.ToString() + ">"));
  auto actions = store::pg::AdminActionRepo(pool()).ListByCase((*lb)[0].id);
  ASSERT_TRUE(actions && actions->size() == 1u);
  EXPECT_EQ((*actions)[0].notes, "scam links");
}

}  // namespace
}  // namespace app

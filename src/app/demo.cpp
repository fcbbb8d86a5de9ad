#include "app/demo.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "core/clock.h"
#include "store/pg/admin_action_repo.h"
#include "store/pg/analytics_repo.h"
#include "store/pg/detection_repo.h"
#include "store/pg/detection_write.h"
#include "store/pg/gpt_usage_repo.h"
#include "store/pg/member_repo.h"
#include "store/pg/message_repo.h"
#include "store/pg/relationship_repo.h"
#include "store/pg/server_repo.h"
#include "store/pg/stats.h"
#include "store/pg/training_repo.h"
#include "store/pg/user_repo.h"
#include "store/pg/verification_repo.h"

namespace app {
namespace {

using namespace std::chrono_literals;
using namespace store;
using namespace store::pg;

// Propagates the error of a Result-returning expression.
#define DEMO_TRY(expr)                                         \
  do {                                                         \
    auto demo_try_ = (expr);                                   \
    if (!demo_try_) return std::unexpected(demo_try_.error()); \
  } while (0)

struct Suspect {
  const char* name;
  const char* reason;
  DetectionLevel level;
  double risk;
  std::vector<std::string> signals;
};

}  // namespace

core::Result<void> RunDemo(Pool& pool, std::FILE* out) {
  const core::Clock& clock = core::DefaultClock();
  const core::Timestamp now = clock.Now();
  // Snowflakes minted from the current time, so every run adds a new guild.
  std::uint64_t seq = 0;
  auto mint = [&] { return core::UserId::CreatedAtTime(now, seq++).value(); };

  const GuildId guild(mint());
  const RoleId restricted_role(mint());
  const ChannelId admin_channel(mint()), verification_channel(mint()), general(mint());
  const UserId admin(mint());

  ServerRepo servers(pool, clock);
  UserRepo users(pool);
  MemberRepo members(pool);
  DetectionWriter writer(pool);
  DetectionRepo detections(pool);
  VerificationRepo cases(pool);
  AdminActionRepo actions(pool);

  DEMO_TRY(servers.Upsert(guild, {.restricted_role_id = restricted_role,
                                  .admin_channel_id = admin_channel,
                                  .verification_channel_id = verification_channel,
                                  .settings = R"({"message_rate": {"max": 5, "window_s": 10}})",
                                  .updated_by = admin}));
  DEMO_TRY(users.Upsert(admin, {.username = "demo-admin"}));

  // 40 ordinary members chatting: one batched statement for all their message counts.
  std::vector<MessageCountDelta> chat;
  for (int i = 0; i < 40; ++i) {
    chat.push_back({guild, UserId(mint()), 5 + (i * 7) % 23, now - std::chrono::seconds(i)});
  }
  DEMO_TRY(members.AddMessageCounts(chat));

  const Suspect suspects[] = {
      {"nitro-giveaway",
       "phishing link",
       DetectionLevel::kHigh,
       0.97,
       {"PHISHING_DOMAIN: discord-nitro.example", "NEW_ACCOUNT: 2 days", "SCAM_PHRASE"}},
      {"flooder",
       "message flood",
       DetectionLevel::kMedium,
       0.74,
       {"MESSAGE_RATE: 9 messages in 10 s", "DUPLICATE_MESSAGES: 6"}},
      {"excited-newcomer",
       "link in first message",
       DetectionLevel::kMedium,
       0.62,
       {"NEW_MEMBER_LINK: github.com"}},
  };
  std::vector<DetectionWriteResult> written;
  std::vector<UserId> suspect_ids;
  for (const auto& s : suspects) {
    const UserId u(mint());
    suspect_ids.push_back(u);
    auto r = writer.Record({.server_id = guild,
                            .user_id = u,
                            .username = s.name,
                            .account_created_at = now - 48h,
                            .joined_at = now - 10min,
                            .message_id = MessageId(mint()),
                            .channel_id = general,
                            .risk = s.risk,
                            .confidence = 0.8,
                            .level = s.level,
                            .reasons = s.signals,
                            .flagged = true,
                            .restriction_reason = s.reason});
    if (!r) return std::unexpected(r.error());
    written.push_back(*r);
  }

  // The admin bans the scammer and verifies the false positive; the flooder's case stays open.
  auto resolve = [&](std::size_t i, VerificationStatus to, AdminActionType action,
                     const char* note) -> core::Result<void> {
    auto t = cases.Apply(
        *written[i].case_id,
        {.to = to, .actor = admin, .notes = note, .expected_from = VerificationStatus::kPending});
    if (!t) return std::unexpected(t.error());
    DEMO_TRY(actions.Record({.server_id = guild,
                             .user_id = suspect_ids[i],
                             .admin_id = admin,
                             .verification_event_id = t->event.id,
                             .detection_event_id = written[i].detection_id,
                             .action_type = action,
                             .previous_status = t->previous,
                             .new_status = to,
                             .notes = note}));
    DEMO_TRY(members.SetVerificationStatus(guild, suspect_ids[i], to, admin));
    DEMO_TRY(detections.SetAdminAction(written[i].detection_id, std::string(ToString(to)), admin));
    if (to == VerificationStatus::kVerified) {
      DEMO_TRY(members.SetRestriction(guild, suspect_ids[i], false, std::nullopt, admin));
    }
    return {};
  };
  DEMO_TRY(resolve(0, VerificationStatus::kBanned, AdminActionType::kBan, "phishing raid"));
  DEMO_TRY(resolve(2, VerificationStatus::kVerified, AdminActionType::kVerify,
                   "known contributor sharing a repository"));

  // The flagged users' messages, training labels from the two resolved cases, one LLM call
  // for the borderline newcomer, today's counters, and trust in a partner server.
  MessageRepo messages(pool);
  std::vector<StoredMessage> stored;
  for (std::size_t i = 0; i < std::size(suspects); ++i) {
    stored.push_back({.server_id = guild,
                      .user_id = suspect_ids[i],
                      .message_id = MessageId(mint()),
                      .channel_id = general,
                      .content = std::string("message from ") + suspects[i].name,
                      .sent_at = now,
                      .is_flagged = true});
  }
  DEMO_TRY(messages.StoreBatch(stored));
  TrainingRepo training(pool);
  DEMO_TRY(training.Create({.server_id = guild,
                            .user_id = suspect_ids[0],
                            .content = "free nitro: discord-nitro.example/claim",
                            .label = TrainingLabel::kSpam,
                            .labeled_by = admin,
                            .quality_score = 5}));
  DEMO_TRY(training.Create({.server_id = guild,
                            .user_id = suspect_ids[2],
                            .content = "my repo: github.com/example/project",
                            .label = TrainingLabel::kNotSpam,
                            .labeled_by = admin,
                            .quality_score = 4}));
  DEMO_TRY(GptUsageRepo(pool).Record({.server_id = guild,
                                      .user_id = suspect_ids[2],
                                      .model = "gpt-4o-mini",
                                      .prompt_tokens = 412,
                                      .completion_tokens = 38,
                                      .total_tokens = 450,
                                      .purpose = "MessageAnalysis",
                                      .latency_ms = 640,
                                      .cost_usd = 0.000085}));
  const Date today{std::chrono::floor<std::chrono::days>(now)};
  DEMO_TRY(AnalyticsRepo(pool).Add({{.server_id = guild,
                                     .date = today,
                                     .detection_count = 3,
                                     .verification_count = 3,
                                     .ban_count = 1,
                                     .verify_count = 1,
                                     .false_positive_count = 1,
                                     .gpt_call_count = 1,
                                     .message_count = 400,
                                     .join_count = 43}}));
  const GuildId partner(mint());
  DEMO_TRY(servers.Upsert(partner));
  DEMO_TRY(RelationshipRepo(pool).Upsert(guild, partner, RelationshipType::kTrust, 60, admin));

  // Summary.
  fmt::print(out, "\nantispam demo: guild {} written through the repositories\n\n",
             guild.ToString());
  fmt::print(out, "  {:<18} {:<7} {:>5}  {:<9} {:<10} {}\n", "user", "level", "risk", "case",
             "restricted", "signals");
  for (std::size_t i = 0; i < std::size(suspects); ++i) {
    auto c = cases.Find(*written[i].case_id);
    auto m = members.Find(guild, suspect_ids[i]);
    if (!c || !*c || !m || !*m) return core::Fail(core::ErrorCode::kInternal, "demo row missing");
    std::string signals;
    for (const auto& s : suspects[i].signals) signals += (signals.empty() ? "" : "; ") + s;
    fmt::print(out, "  {:<18} {:<7} {:>4.0f}%  {:<9} {:<10} {}\n", suspects[i].name,
               ToString(suspects[i].level), suspects[i].risk * 100, ToString((*c)->status),
               (*m)->is_restricted ? "yes" : "no", signals);
  }
  auto restricted = members.ListRestricted(guild);
  if (!restricted) return std::unexpected(restricted.error());
  fmt::print(out, "\n  restricted members now: {}\n", restricted->size());
  auto trail = actions.ListForMember(guild, suspect_ids[0]);
  if (!trail) return std::unexpected(trail.error());
  for (const auto& a : *trail) {
    fmt::print(out, "  audit: {} {} -> {} by {} ({})\n", ToString(a.action_type),
               a.previous_status ? ToString(*a.previous_status) : "-",
               a.new_status ? ToString(*a.new_status) : "-", a.admin_id.ToString(),
               a.notes.value_or(""));
  }
  auto counts = TableRowCounts(pool);
  if (!counts) return std::unexpected(counts.error());
  fmt::print(out, "\n  rows in the database (all demo runs so far):\n");
  for (const auto& [table, n] : *counts) fmt::print(out, "    {:<22} {:>8}\n", table, n);
  fmt::print(out, "\n  database round trips in this run: {}\n\n", pool.round_trips());
  return {};
}

#undef DEMO_TRY

}  // namespace app

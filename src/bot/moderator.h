// The moderation workflow (issue 5 items 1, 2, 6, 7): the original plan's DetectionOrchestrator.
// Gateway events become detection samples; verdicts become actions per the guild's policy:
//
//   log       a detection_events row
//   alert     + a case and the admin embed with its buttons (nothing applied to the member)
//   restrict  + the restricted role (a timeout when the guild has none), the triggering message
//             deleted when the policy says so, a private verification thread with the member
//   timeout / kick / ban   + that action as well
//
// The member's side effects go out first (the latency that matters), then ONE database round trip
// records the detection, the case and the member's state (store::pg::DetectionWriter), then the
// thread and the embed. A repeat detection of a member with an open case joins that case and
// updates its embed. Clean traffic only feeds batched counters (Counters), flushed every few
// seconds.
//
// Discord refusals (Unknown Member/Message, Missing Permissions, the role hierarchy) become a note
// on the case and a log line, never a crash; database writes are retried with backoff.
//
// Threading: all state lives on the I/O executor; event handlers must be called there (the shard
// manager's dispatch callback is). Database calls run on the database pool (OnPool).
#pragma once

// clang-format off
#include <utility>
#include <boost/asio/awaitable.hpp>
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <deque>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "bot/case_card.h"
#include "bot/config_service.h"
#include "bot/counters.h"
#include "bot/samples.h"
#include "core/clock.h"
#include "detect/engine.h"
#include "discord/gateway/dispatch.h"
#include "discord/rest/client.h"
#include "store/pg/admin_action_repo.h"
#include "store/pg/detection_repo.h"
#include "store/pg/detection_write.h"
#include "store/pg/member_repo.h"
#include "store/pg/message_repo.h"
#include "store/pg/training_repo.h"
#include "store/pg/user_repo.h"
#include "store/pg/verification_repo.h"

namespace detect::llm {
class Client;
}

namespace bot {

struct ModeratorOptions {
  std::chrono::milliseconds flush_interval{5'000};  // batched counters
  std::size_t recent_messages_per_guild = 500;      // kept to store a flagged user's messages
  int db_attempts = 3;                              // per database write, with backoff
  std::chrono::milliseconds db_backoff{250};        // doubled per attempt
  std::chrono::hours retention_interval{24};        // stored messages past retention purged
};

// One flagged member's case as the bot tracks it.
struct CaseState {
  CaseCard card;
  std::optional<core::ChannelId> thread;
  std::optional<core::MessageId> admin_message;
  std::optional<core::ChannelId> admin_channel;
  // One workflow at a time changes a case (Moderator's Lock): `busy` while one does, `wake`
  // wakes the ones waiting.
  bool busy = false;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters;
  // The bot itself kicked or banned the member (action.kick / action.ban).
  std::optional<detect::Action> removed;
};

// What a moderator does to a case (buttons and slash commands).
enum class CaseAction { kVerify, kBan, kKick, kReopen };
std::string_view ToString(CaseAction a);

struct CaseRequest {
  core::GuildId guild;
  std::optional<store::Uuid> case_id;  // a button's case; else the member's open case (the
  std::optional<core::UserId> user;    // latest case for kReopen)
  CaseAction action = CaseAction::kVerify;
  core::UserId actor;
  std::string reason;                     // the audit-log reason of a ban or kick
  std::optional<int> ban_delete_seconds;  // else the guild's workflow.ban_delete_seconds
};

struct CaseResult {
  bool had_case = false;  // false: a ban or kick of a member without a case
  std::optional<store::VerificationStatus> previous;
  store::VerificationStatus status = store::VerificationStatus::kPending;
  std::optional<CaseCard> card;  // the case's embed as it is now (when the case has one)
  std::optional<core::ChannelId> admin_channel;
  std::optional<core::MessageId> admin_message;
  std::vector<std::string> notes;  // side effects Discord refused
};

struct ModeratorStats {
  std::uint64_t messages = 0;  // MESSAGE_CREATEs seen in guilds
  std::uint64_t judged = 0;
  std::uint64_t skipped = 0;  // bots, webhooks, system messages, moderators
  std::uint64_t joins = 0;
  std::uint64_t detections = 0;  // verdicts with an action (log and up)
  std::uint64_t cases_opened = 0;
  std::uint64_t restricted = 0;
  std::uint64_t deleted = 0;
  std::uint64_t refusals = 0;  // Discord refused a side effect
  std::uint64_t db_failures = 0;
  std::uint64_t llm_calls = 0;
  std::uint64_t resolved = 0;                                // cases moved by moderators
  std::unordered_map<std::string, std::uint64_t> by_signal;  // detections by fired signal
  std::vector<double> decision_us;  // event in -> first side-effect request queued (flagged only)
};

class Moderator {
 public:
  struct Deps {
    boost::asio::any_io_executor io;
    discord::rest::Client& rest;
    store::pg::Pool& pool;
    boost::asio::thread_pool& db;
    ConfigService& config;
    const core::Clock& clock;
    detect::llm::Client* llm = nullptr;  // none: the LLM is never asked
  };

  Moderator(Deps deps, ModeratorOptions options = {});
  ~Moderator();
  Moderator(const Moderator&) = delete;
  Moderator& operator=(const Moderator&) = delete;

  // The handlers for the gateway dispatcher (GUILD_CREATE, MESSAGE_CREATE, GUILD_MEMBER_ADD,
  // GUILD_MEMBER_REMOVE, GUILD_BAN_ADD, READY). They capture `this`.
  discord::gateway::EventHandlers Handlers();

  void OnReady(const discord::Ready& ready);
  void OnGuildCreate(const discord::GuildCreate& event);
  void OnGuildDelete(const discord::GuildDelete& event);
  void OnMessage(const discord::Message& message);
  void OnMemberAdd(const discord::GuildMemberAdd& event);
  void OnMemberRemove(const discord::GuildMemberRemove& event);
  void OnBanAdd(const discord::GuildBanAdd& event);

  // The engine's policy for a guild follows its configuration (ConfigService::OnChanged, posted
  // here by the caller onto the I/O executor).
  void ApplyConfig(const ConfigService::Config& config);

  // Starts the flush timer (co_spawned on the I/O executor).
  void Start();
  // Stops taking events, waits for workflows in flight (at most `grace`) and flushes the
  // counters. Call on the I/O executor.
  boost::asio::awaitable<void> Shutdown(std::chrono::milliseconds grace);

  // Writes the batched counters now.
  boost::asio::awaitable<core::Result<void>> Flush();

  // --- moderators' actions (buttons and commands; on the I/O executor) ---
  // Verify, ban, kick or reopen. The case moves only if it is still in the status it was read in:
  // of two moderators pressing at once one wins, the other gets kFailedPrecondition naming who
  // resolved it. Side effects Discord refuses become notes (the case still moves: the decision
  // was made); the admin action, member status, training example, reputation and counters are
  // recorded. kNotFound: no such case in this guild (or no open case of the member).
  boost::asio::awaitable<core::Result<CaseResult>> Resolve(CaseRequest request);
  // The member's detections, cases and admin actions in this guild, as text for an ephemeral
  // message (at most 1,900 characters).
  boost::asio::awaitable<core::Result<std::string>> History(core::GuildId guild, core::UserId user);
  // The guild's roles and owner as of its GUILD_CREATE (for role-hierarchy checks), if known.
  std::optional<discord::GuildRoles> RolesOf(core::GuildId guild) const;
  // The member of a case (for the History button).
  boost::asio::awaitable<core::Result<core::UserId>> CaseMember(core::GuildId guild,
                                                                store::Uuid case_id);
  // A moderator flags a member by hand: a manual detection and the full workflow (restriction,
  // thread, embed). Returns when the case is posted.
  boost::asio::awaitable<core::Result<void>> Flag(core::GuildId guild, core::UserId user,
                                                  std::string username, std::string reason,
                                                  core::UserId actor);

  const ModeratorStats& stats() const { return stats_; }
  const CounterStats& counter_stats() const { return counters_.stats(); }
  detect::Engine& engine() { return engine_; }
  std::optional<core::UserId> self() const { return self_; }
  // The open case the bot tracks for a member, if any.
  std::shared_ptr<CaseState> CaseOf(core::GuildId guild, core::UserId user) const;
  // Workflows running now.
  int in_flight() const { return in_flight_; }

 private:
  struct Detection;
  struct GuildState;
  struct MemberKey {
    std::uint64_t guild, user;
    bool operator==(const MemberKey&) const = default;
  };
  struct MemberKeyHash {
    std::size_t operator()(const MemberKey& k) const {
      return std::hash<std::uint64_t>{}(k.guild * 0x9E3779B97F4A7C15ULL ^ k.user);
    }
  };
  struct RecentMessage {
    core::UserId user;
    core::ChannelId channel;
    core::MessageId message;
    std::string content;
    core::Timestamp at;
  };

  // What a case's outcome writes (a moderator's decision, the bot's own kick or ban, a ban made
  // outside the bot), all or nothing in one transaction by RecordOutcome.
  struct Outcome {
    core::GuildId guild;
    core::UserId user;
    std::optional<store::AdminAction> action;  // the admin_actions row, when an actor is known
    store::VerificationStatus status = store::VerificationStatus::kPending;  // the member's
    std::optional<core::UserId> moderator;  // server_members.moderator_id
    std::optional<bool> restricted;         // server_members.is_restricted, when it changes
    double reputation = 0;  // added to the user's global and per-server reputation
    // The case's detection: its admin_action becomes `decision`; with `label`, the triggering
    // message becomes a training example.
    std::optional<store::Uuid> detection;
    std::optional<store::Uuid> case_id;
    std::string decision;
    std::optional<store::TrainingLabel> label;
    std::optional<core::UserId> labeled_by;
  };
  // Records `o` through Db() and keeps MemberContext::restricted in step.
  boost::asio::awaitable<core::Result<int>> Record(std::string_view what, Outcome o);
  // Blocking (the database pool's threads): Record() calls it.
  core::Result<int> RecordOutcome(const Outcome& o);

  ConfigService::Config ConfigOf(core::GuildId guild) const;
  MemberContext ContextOf(core::GuildId guild, core::UserId user) const;
  void Launch(Detection d);
  boost::asio::awaitable<void> Run(Detection d);
  boost::asio::awaitable<void> Act(Detection& d);
  std::shared_ptr<CaseState> NewCaseState(const Detection& d,
                                          const std::vector<std::string>& reasons,
                                          std::int32_t prior_detections);
  boost::asio::awaitable<void> OpenThread(Detection& d, const GuildConfig& config,
                                          std::shared_ptr<CaseState> state);
  boost::asio::awaitable<void> CloseAutomatically(Detection& d, std::shared_ptr<CaseState> state);
  boost::asio::awaitable<void> AskLlm(Detection& d);
  boost::asio::awaitable<void> ApplyToMember(Detection& d, const GuildConfig& config,
                                             std::shared_ptr<CaseState> state);
  boost::asio::awaitable<void> PostCase(Detection& d, const GuildConfig& config,
                                        std::shared_ptr<CaseState> state);
  boost::asio::awaitable<void> EditCase(std::shared_ptr<CaseState> state);
  boost::asio::awaitable<void> LoadGuild(core::GuildId guild);
  // A member with a restriction in force came back: restrict again, and note it on the case.
  boost::asio::awaitable<void> RestrictAgain(core::GuildId guild, core::UserId user);
  boost::asio::awaitable<void> CloseOutside(core::GuildId guild, core::UserId user,
                                            std::string username);
  boost::asio::awaitable<void> FlushLoop();
  boost::asio::awaitable<void> RetentionLoop();
  // Runs a database call on the pool with retries and backoff; failures are logged and counted.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F>> Db(std::string_view what, F fn);
  void Note(CaseState& state, std::string note);
  boost::asio::awaitable<core::Result<store::VerificationEvent>> FindCase(const CaseRequest& r);
  // The card of a case this process does not hold in memory, rebuilt from its detection.
  boost::asio::awaitable<CaseCard> CardFromDb(const store::VerificationEvent& c);

  Deps deps_;
  ModeratorOptions options_;
  detect::Engine engine_;
  Counters counters_;
  store::pg::DetectionWriter writer_;
  store::pg::VerificationRepo cases_;
  store::pg::MemberRepo members_;
  store::pg::UserRepo users_;
  store::pg::MessageRepo messages_;
  store::pg::AdminActionRepo actions_;
  store::pg::DetectionRepo detections_;
  store::pg::TrainingRepo training_;
  std::unordered_map<core::GuildId, std::unique_ptr<GuildState>> guilds_;
  std::unordered_map<MemberKey, MemberContext, MemberKeyHash> contexts_;
  std::unordered_map<MemberKey, std::shared_ptr<CaseState>, MemberKeyHash> open_cases_;
  // Members the bot itself is banning: their GUILD_BAN_ADD is not a moderator's. Only while the
  // request is pending or its event not yet seen; a refused ban takes its entry out again.
  std::unordered_set<MemberKey, MemberKeyHash> self_removals_;
  std::optional<core::UserId> self_;
  ModeratorStats stats_;
  boost::asio::steady_timer flush_timer_;
  boost::asio::steady_timer retention_timer_;
  bool stopping_ = false;
  int in_flight_ = 0;
};

}  // namespace bot

#include "bot/moderator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "bot/blocking.h"
#include "bot/detail/moderator_state.h"
#include "detect/llm/llm_client.h"
#include "store/pg/analytics_repo.h"
#include "store/pg/counter_write.h"
#include "store/pg/gpt_usage_repo.h"

namespace bot {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// An ok result, built outside co_return: GCC 12 mishandles a braced temporary there.
core::Result<void> Done() { return {}; }

// Joins remembered per guild for raid mode (a burst is at most join_burst.joins in a window).
constexpr std::size_t kRecentJoins = 256;
// Decision latencies kept for the summary (the older half is dropped when full).
constexpr std::size_t kMaxLatencySamples = 100'000;

std::string CutText(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

store::DetectionLevel LevelOf(detect::Level l) {
  switch (l) {
    case detect::Level::kHigh:
      return store::DetectionLevel::kHigh;
    case detect::Level::kMedium:
      return store::DetectionLevel::kMedium;
    case detect::Level::kLow:
      break;
  }
  return store::DetectionLevel::kLow;
}

// A short reason for the audit log and the member row: the strongest signals.
std::string RestrictionReason(const detect::Verdict& v) {
  std::string out = "antispam:";
  for (std::size_t i = 0; i < v.signals.size() && i < 3; ++i) {
    out += i == 0 ? " " : ", ";
    out += detect::Name(v.signals[i].code);
  }
  return out;
}

// detection_events.metadata: what the reasons do not say.
std::string DetectionMetadata(const detect::Verdict& v, std::string_view content) {
  nlohmann::json j{{"trigger", detect::ToString(v.trigger)},
                   {"action", detect::ToString(v.action)},
                   {"certainty", v.certainty}};
  if (v.spam_probability >= 0) j["spam_probability"] = v.spam_probability;
  if (!content.empty()) j["excerpt"] = CutText(content, 500);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string UsageMetadata(const detect::llm::UsageRecord& u) {
  nlohmann::json j{{"status", u.status}, {"error", CutText(u.error, 500)}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Moderator::Moderator(Deps deps, ModeratorOptions options)
    : deps_(deps),
      options_(options),
      writer_(deps.pool),
      cases_(deps.pool),
      members_(deps.pool),
      users_(deps.pool),
      messages_(deps.pool),
      actions_(deps.pool),
      detections_(deps.pool),
      training_(deps.pool),
      flush_timer_(deps.io),
      retention_timer_(deps.io) {}

Moderator::~Moderator() = default;

discord::gateway::EventHandlers Moderator::Handlers() {
  discord::gateway::EventHandlers h;
  h.ready = [this](const discord::Ready& r) { OnReady(r); };
  h.guild_create = [this](const discord::GuildCreate& g) { OnGuildCreate(g); };
  h.guild_delete = [this](const discord::GuildDelete& g) { OnGuildDelete(g); };
  h.message_create = [this](const discord::Message& m) { OnMessage(m); };
  h.guild_member_add = [this](const discord::GuildMemberAdd& e) { OnMemberAdd(e); };
  h.guild_member_remove = [this](const discord::GuildMemberRemove& e) { OnMemberRemove(e); };
  h.guild_ban_add = [this](const discord::GuildBanAdd& e) { OnBanAdd(e); };
  return h;
}

void Moderator::OnReady(const discord::Ready& ready) { self_ = ready.user; }

ConfigService::Config Moderator::ConfigOf(core::GuildId guild) const {
  if (auto c = deps_.config.Cached(guild)) return c;
  // Not loaded yet (GUILD_CREATE's load in flight, or the database down): the defaults protect
  // the guild meanwhile.
  static const auto defaults = [] {
    auto c = std::make_shared<GuildConfig>();
    return std::shared_ptr<const GuildConfig>(std::move(c));
  }();
  return defaults;
}

MemberContext Moderator::ContextOf(core::GuildId guild, core::UserId user) const {
  auto it = contexts_.find({guild.value(), user.value()});
  return it == contexts_.end() ? MemberContext{} : it->second;
}

std::shared_ptr<CaseState> Moderator::CaseOf(core::GuildId guild, core::UserId user) const {
  auto it = open_cases_.find({guild.value(), user.value()});
  return it == open_cases_.end() ? nullptr : it->second;
}

void Moderator::ApplyConfig(const ConfigService::Config& config) {
  if (config) engine_.SetPolicy(config->guild, config->policy);
}

void Moderator::OnGuildDelete(const discord::GuildDelete& event) {
  if (event.unavailable) return;  // an outage: the guild comes back with GUILD_CREATE
  // Removed from the guild: forget its state (the database keeps its history).
  guilds_.erase(event.id);
  std::erase_if(contexts_, [&](const auto& e) { return e.first.guild == event.id.value(); });
  std::erase_if(open_cases_, [&](const auto& e) { return e.first.guild == event.id.value(); });
  spdlog::info("guild {}: the bot was removed; its in-memory state is dropped", event.id.value());
}

void Moderator::OnGuildCreate(const discord::GuildCreate& event) {
  if (event.guild.unavailable) return;
  auto& g = guilds_[event.guild.id];
  if (!g) g = std::make_unique<GuildState>();
  g->roles = discord::RolesOf(event.guild);
  if (auto c = deps_.config.Cached(event.guild.id)) ApplyConfig(c);
  asio::co_spawn(deps_.io, LoadGuild(event.guild.id), asio::detached);
}

asio::awaitable<void> Moderator::LoadGuild(core::GuildId guild) {
  InFlight running(in_flight_);
  auto ensure = [this, guild] { return deps_.config.Ensure(guild); };
  auto config = co_await Db("servers.ensure", std::move(ensure));
  if (config) {
    ApplyConfig(*config);
  } else {
    spdlog::error("guild {}: configuration not loaded ({}); using the defaults", guild.value(),
                  config.error().ToString());
  }
  GuildState* g = guilds_[guild].get();
  if (g == nullptr || g->contexts_loaded) co_return;
  auto load_contexts = [this, guild] { return members_.Contexts(guild); };
  auto rows = co_await Db("server_members.contexts", std::move(load_contexts));
  if (!rows) co_return;
  g->contexts_loaded = true;
  for (const auto& r : *rows) {
    auto& c = contexts_[{guild.value(), r.user_id.value()}];
    c.joined_at = r.join_date;
    // Counts of this session (already in `c`) are still in the batch, not in the row.
    c.messages_in_guild += r.message_count;
    c.prior_detections += r.detections;
    c.prior_false_positives += r.false_positives;
    c.reputation = r.reputation_score;
    c.restricted = c.restricted || r.restricted;
  }
  spdlog::info("guild {}: {} member context(s) loaded", guild.value(), rows->size());
}

void Moderator::OnMessage(const discord::Message& m) {
  if (stopping_ || !m.guild_id) return;
  const auto arrived = Clock::now();
  ++stats_.messages;
  const core::GuildId guild = *m.guild_id;
  const auto config = ConfigOf(guild);
  auto& g = guilds_[guild];
  if (!g) g = std::make_unique<GuildState>();
  bool moderator = false;
  if (g->roles && m.member) {
    moderator = IsModerator(
        *g->roles,
        discord::MemberRoles{m.author.id, m.member->roles, m.member->communication_disabled_until});
  }
  const Skip skip = ShouldJudge(m, moderator, config->workflow.judge_moderators);
  if (skip != Skip::kJudge) {
    ++stats_.skipped;
    return;
  }
  ++stats_.judged;
  const core::Timestamp at = m.timestamp == core::Timestamp{} ? deps_.clock.Now() : m.timestamp;
  counters_.Message(guild, m.author.id, at);
  if (options_.recent_messages_per_guild > 0) {
    if (g->recent.size() >= options_.recent_messages_per_guild) g->recent.pop_front();
    g->recent.push_back({m.author.id, m.channel_id, m.id, CutText(m.content, 2000), at});
  }
  auto& context = contexts_[{guild.value(), m.author.id.value()}];
  if (m.member && m.member->joined_at) context.joined_at = m.member->joined_at;
  const detect::Verdict verdict = engine_.Judge(MessageSampleOf(m, context, moderator));
  ++context.messages_in_guild;
  const bool ask = verdict.llm_recommended && deps_.llm != nullptr;
  if (verdict.action == detect::Action::kNone && !ask) return;
  Detection d{.guild = guild,
              .user = m.author.id,
              .username = m.author.username,
              .joined_at = context.joined_at,
              .channel = m.channel_id,
              .message = m.id,
              .content = CutText(m.content, 2000),
              .verdict = verdict,
              .at = at,
              .arrived = arrived,
              .context = context};
  Launch(std::move(d));
}

void Moderator::OnMemberAdd(const discord::GuildMemberAdd& event) {
  if (stopping_ || !event.member.user) return;
  ++stats_.joins;
  const core::Timestamp at = event.member.joined_at.value_or(deps_.clock.Now());
  counters_.Add(event.guild_id, Count::kJoin, at);
  auto& context = contexts_[{event.guild_id.value(), event.member.user->id.value()}];
  context.joined_at = at;
  // Leaving does not shed a restriction: one who comes back with it in force gets it again.
  if (context.restricted) {
    asio::co_spawn(deps_.io, RestrictAgain(event.guild_id, event.member.user->id), asio::detached);
  }
  auto sample = JoinSampleOf(event, context);
  if (!sample) return;
  auto& g = guilds_[event.guild_id];
  if (!g) g = std::make_unique<GuildState>();
  if (g->joins.size() >= kRecentJoins) g->joins.pop_front();
  g->joins.push_back({event.member.user->id, event.member.user->username, at});
  const detect::Verdict verdict = engine_.Judge(*sample);
  // Raid mode: the earlier joiners of the burst's window are treated like this one.
  for (const core::UserId earlier : verdict.raid_members) {
    if (CaseOf(event.guild_id, earlier) != nullptr) continue;
    auto it = std::find_if(g->joins.rbegin(), g->joins.rend(),
                           [&](const GuildState::Join& j) { return j.user == earlier; });
    if (it == g->joins.rend()) continue;
    Detection raid{.guild = event.guild_id,
                   .user = earlier,
                   .username = it->username,
                   .joined_at = it->at,
                   .verdict = verdict,
                   .at = at,
                   .arrived = Clock::now(),
                   .context = ContextOf(event.guild_id, earlier)};
    raid.verdict.raid_members.clear();
    Launch(std::move(raid));
  }
  const bool ask = verdict.llm_recommended && deps_.llm != nullptr;
  if (verdict.action == detect::Action::kNone && !ask) return;
  Detection d{.guild = event.guild_id,
              .user = event.member.user->id,
              .username = event.member.user->username,
              .joined_at = at,
              .verdict = verdict,
              .at = at,
              .arrived = Clock::now(),
              .context = context};
  Launch(std::move(d));
}

void Moderator::Launch(Detection d) {
  ++in_flight_;
  asio::co_spawn(deps_.io, Run(std::move(d)), [this](std::exception_ptr e) {
    --in_flight_;
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("moderation workflow failed: {}", ex.what());
      } catch (...) {
        spdlog::error("moderation workflow failed: unknown exception");
      }
    }
  });
}

asio::awaitable<void> Moderator::Run(Detection d) {
  const auto config = ConfigOf(d.guild);
  if (d.verdict.llm_recommended && deps_.llm != nullptr && config->policy->data().llm_enabled) {
    co_await AskLlm(d);
  }
  if (d.verdict.action == detect::Action::kNone) co_return;
  co_await Act(d);
}

asio::awaitable<void> Moderator::AskLlm(Detection& d) {
  const auto config = ConfigOf(d.guild);
  detect::llm::Subject s;
  s.username = d.username;
  s.account_age_days =
      std::chrono::duration<double, std::ratio<86400>>(d.at - d.user.CreatedAt()).count();
  if (d.joined_at) {
    s.joined_days_ago =
        std::chrono::duration<double, std::ratio<86400>>(d.at - *d.joined_at).count();
  }
  s.prior_detections = d.context.prior_detections;
  s.prior_false_positives = d.context.prior_false_positives;
  s.trigger = d.verdict.trigger;
  if (auto it = guilds_.find(d.guild); it != guilds_.end()) {
    for (const auto& r : it->second->recent) {
      if (r.user == d.user && (!d.message || r.message != *d.message)) {
        s.recent_messages.push_back(r.content);
      }
    }
    if (s.recent_messages.size() > detect::llm::kMaxRecentMessages - 1) {
      s.recent_messages.erase(s.recent_messages.begin(),
                              s.recent_messages.end() -
                                  static_cast<std::ptrdiff_t>(detect::llm::kMaxRecentMessages - 1));
    }
  }
  if (!d.content.empty()) s.recent_messages.push_back(d.content);
  s.signals = ReasonLines(d.verdict.signals);
  const std::string purpose =
      d.verdict.trigger == detect::Trigger::kJoin ? "join_check" : "message_check";
  const int budget = config->policy->data().llm_daily_budget;
  detect::llm::Outcome outcome = co_await deps_.llm->Classify(s, d.guild, budget, purpose);
  for (const auto& u : outcome.usage) {
    ++stats_.llm_calls;
    store::GptUsage row;
    row.server_id = u.guild;
    row.user_id = d.user;
    row.timestamp = deps_.clock.Now();
    row.model = u.model;
    row.prompt_tokens = static_cast<int>(u.tokens.prompt_tokens);
    row.completion_tokens = static_cast<int>(u.tokens.completion_tokens);
    row.total_tokens = static_cast<int>(u.tokens.total_tokens);
    row.purpose = u.purpose;
    row.success = u.success;
    row.latency_ms = static_cast<int>(u.latency.count());
    if (!u.error.empty()) row.metadata = UsageMetadata(u);
    counters_.LlmCall(std::move(row));
  }
  if (outcome.answer) {
    d.verdict = engine_.WithLlm(d.verdict, outcome.answer->opinion, d.guild);
  } else {
    spdlog::info("guild {}: LLM not used: {}", d.guild.value(), outcome.answer.error().ToString());
  }
}

std::shared_ptr<CaseState> Moderator::NewCaseState(const Detection& d,
                                                   const std::vector<std::string>& reasons,
                                                   std::int32_t prior_detections) {
  auto state = std::make_shared<CaseState>();
  CaseCard& c = state->card;
  const detect::Verdict& v = d.verdict;
  c.guild = d.guild;
  c.user = d.user;
  c.username = d.username;
  c.account_created = d.user.CreatedAt();
  c.joined_at = d.joined_at;
  c.level = v.level;
  c.risk = v.risk;
  c.trigger = v.trigger;
  c.channel = d.channel;
  c.message = d.message;
  c.excerpt = d.content;
  c.reasons = reasons;
  c.detections = 0;
  c.prior_detections = prior_detections;
  c.restricted = false;
  return state;
}

asio::awaitable<void> Moderator::Act(Detection& d) {
  InFlight running(in_flight_);
  const auto config = ConfigOf(d.guild);
  const detect::Verdict& v = d.verdict;
  ++stats_.detections;
  for (const auto& s : v.signals) ++stats_.by_signal[std::string(detect::Name(s.code))];
  counters_.Add(d.guild, Count::kDetection, d.at);
  auto& context = contexts_[{d.guild.value(), d.user.value()}];
  ++context.prior_detections;
  const std::int32_t prior = context.prior_detections - 1;

  const std::vector<std::string> reasons =
      d.manual_by ? std::vector<std::string>{fmt::format("flagged by <@{}>: {}",
                                                         d.manual_by->value(), d.manual_reason)}
                  : ReasonLines(v.signals);
  const bool flagged = v.action >= detect::Action::kAlert;
  const bool restrict = v.action >= detect::Action::kRestrict;
  const MemberKey key{d.guild.value(), d.user.value()};
  std::shared_ptr<CaseState> state;
  if (flagged) {
    auto& slot = open_cases_[key];
    if (!slot) slot = NewCaseState(d, reasons, prior);
    state = slot;
  }

  // 1. What the member sees, first: the message goes, the restriction comes.
  const bool delete_message = d.message && d.channel && flagged &&
                              (config->workflow.delete_message == DeleteMessage::kFlagged ||
                               (config->workflow.delete_message == DeleteMessage::kHigh &&
                                v.level == detect::Level::kHigh));
  if (delete_message || (restrict && !state->card.restricted)) {
    if (stats_.decision_us.size() >= kMaxLatencySamples) {
      stats_.decision_us.erase(stats_.decision_us.begin(),
                               stats_.decision_us.begin() + kMaxLatencySamples / 2);
    }
    stats_.decision_us.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - d.arrived).count());
  }
  if (delete_message) {
    asio::co_spawn(
        deps_.io,
        [](Moderator* self, core::ChannelId channel, core::MessageId message,
           std::shared_ptr<CaseState> state) -> asio::awaitable<void> {
          InFlight running(self->in_flight_);
          std::string reason = "antispam: flagged message";
          auto r = co_await self->deps_.rest.DeleteMessage(channel, message, reason);
          if (r) {
            ++self->stats_.deleted;
          } else if (r.error().subject != "10008") {  // already gone is fine
            ++self->stats_.refusals;
            co_await LockCase(state);
            CaseLock lock(state);
            std::string note = "could not delete the message: " + r.error().message;
            self->Note(*state, note);
            if (!state->card.case_id.empty()) {
              const store::Uuid id{state->card.case_id};
              auto append = [self, id, note] { return self->cases_.AppendNote(id, note); };
              co_await self->Db("verification_events.append_note", std::move(append));
              co_await self->EditCase(state);
            }
          }
        }(this, *d.channel, *d.message, state),
        asio::detached);
  }
  if (flagged) co_await ApplyToMember(d, *config, state);

  // 2. One round trip for the rows.
  store::pg::DetectionWrite w;
  w.server_id = d.guild;
  w.user_id = d.user;
  w.username = d.username;
  w.account_created_at = d.user.CreatedAt();
  w.joined_at = d.joined_at;
  w.message_id = d.message;
  w.channel_id = d.channel;
  w.detection_type = d.manual_by                           ? store::DetectionType::kManual
                     : v.trigger == detect::Trigger::kJoin ? store::DetectionType::kJoin
                                                           : store::DetectionType::kMessage;
  w.risk = v.risk;
  w.confidence = v.certainty;
  w.level = LevelOf(v.level);
  w.reasons = reasons;
  w.used_gpt = v.llm_used;
  w.metadata = DetectionMetadata(v, d.content);
  w.detected_at = d.at;
  w.flagged = flagged;
  w.restricted = restrict;
  w.restriction_reason =
      d.manual_by ? "flagged by a moderator: " + d.manual_reason : RestrictionReason(v);
  // The member's recent messages go with the case, in the same statement (retention applies).
  if (flagged && config->workflow.store_messages > 0) {
    if (auto it = guilds_.find(d.guild); it != guilds_.end()) {
      for (auto r = it->second->recent.rbegin(); r != it->second->recent.rend(); ++r) {
        if (r->user != d.user) continue;
        w.messages.push_back({.message_id = r->message,
                              .channel_id = r->channel,
                              .content = r->content,
                              .sent_at = r->at,
                              .is_flagged = d.message && r->message == *d.message});
        if (static_cast<int>(w.messages.size()) >= config->workflow.store_messages) break;
      }
    }
  }
  if (!flagged) {
    auto record = [this, w] { return writer_.Record(w); };
    co_await Db("detection_write", std::move(record));
    co_return;
  }

  co_await LockCase(state);
  CaseLock lock(state);
  // A moderator may have resolved the case while this waited: then this detection starts a new
  // one, and what the member sees must be applied again.
  if (open_cases_[key] != state || !store::IsOpen(state->card.status)) {
    lock.Release();
    auto& slot = open_cases_[key];
    if (!slot || !store::IsOpen(slot->card.status)) slot = NewCaseState(d, reasons, prior);
    state = slot;
    co_await LockCase(state);
    lock.state = state;
    co_await ApplyToMember(d, *config, state);
  }
  auto record = [this, w] { return writer_.Record(w); };
  auto written = co_await Db("detection_write", std::move(record));
  CaseCard& card = state->card;
  if (!written || !written->case_id) {
    // The member is restricted but nothing is recorded: tell the moderators, who can still lift
    // it with /verify (which works without a case).
    Note(*state, "this case could not be recorded (" +
                     (written ? std::string("no case") : written.error().message) +
                     "); /verify lifts the restriction");
    if (!state->admin_message && config->admin_channel) {
      discord::CreateMessage message = CaseMessage(card, config->notification_role);
      auto posted = co_await deps_.rest.CreateMessage(*config->admin_channel, message);
      if (posted) {
        state->admin_message = posted->id;
        state->admin_channel = config->admin_channel;
      }
    }
    // Forget it: the next detection tries to record a case again.
    if (open_cases_[key] == state && card.case_id.empty()) open_cases_.erase(key);
    co_return;
  }
  ++card.detections;
  if (v.risk > card.risk) {
    card.risk = v.risk;
    card.level = v.level;
    card.reasons = reasons;
  }
  card.case_id = written->case_id->value;
  if (written->case_opened) {
    ++stats_.cases_opened;
    counters_.Add(d.guild, Count::kCaseOpened, d.at);
    co_await PostCase(d, *config, state);
  } else {
    if (!state->admin_message) {
      // The case was opened before this process knew of it (a restart): find its messages.
      const store::Uuid id = *written->case_id;
      auto find_case = [this, id] { return cases_.Find(id); };
      auto found = co_await Db("verification_events.find", std::move(find_case));
      if (found && found->has_value()) {
        state->thread = (*found)->thread_id;
        state->admin_message = (*found)->notification_message_id;
        state->admin_channel = config->admin_channel;
      }
    }
    // An alert that became a restriction gets its verification thread now.
    if (card.restricted && !state->thread) {
      co_await OpenThread(d, *config, state);
      const store::Uuid id = *written->case_id;
      const auto thread = state->thread;
      auto set_refs = [this, id, thread] {
        return cases_.SetDiscordRefs(id, thread, std::nullopt);
      };
      if (thread) co_await Db("verification_events.set_refs", std::move(set_refs));
    }
    co_await EditCase(state);
  }
  // The bot's own kick or ban closes the case it opened.
  if (v.action == detect::Action::kKick || v.action == detect::Action::kBan) {
    co_await CloseAutomatically(d, state);
  }
}

asio::awaitable<void> Moderator::ApplyToMember(Detection& d, const GuildConfig& config,
                                               std::shared_ptr<CaseState> state) {
  const detect::Action action = d.verdict.action;
  const std::string reason =
      d.manual_by ? std::string("antispam: flagged by a moderator") : RestrictionReason(d.verdict);
  if (action >= detect::Action::kRestrict && !state->card.restricted) {
    state->card.restricted = true;  // before awaiting: a second detection must not repeat it
    core::Result<void> r;
    if (config.restricted_role) {
      r = co_await deps_.rest.AddMemberRole(d.guild, d.user, *config.restricted_role, reason);
    } else {
      const core::Timestamp until = deps_.clock.Now() + config.workflow.timeout;
      auto m = co_await deps_.rest.TimeoutMember(d.guild, d.user, until, reason);
      if (!m) r = std::unexpected(m.error());
    }
    if (r) {
      ++stats_.restricted;
      contexts_[{d.guild.value(), d.user.value()}].restricted = true;
    } else {
      ++stats_.refusals;
      Note(*state, "could not restrict the member: " + r.error().message);
    }
  }
  if (action == detect::Action::kTimeout && config.restricted_role) {
    const core::Timestamp until = deps_.clock.Now() + config.workflow.timeout;
    auto m = co_await deps_.rest.TimeoutMember(d.guild, d.user, until, reason);
    if (!m) Note(*state, "could not time the member out: " + m.error().message);
  }
  if ((action == detect::Action::kKick || action == detect::Action::kBan) && !state->removed) {
    const MemberKey key{d.guild.value(), d.user.value()};
    // Its GUILD_BAN_ADD is ours, not a moderator's (a kick sends none).
    if (action == detect::Action::kBan) self_removals_.insert(key);
    core::Result<void> r;
    if (action == detect::Action::kKick) {
      r = co_await deps_.rest.RemoveMember(d.guild, d.user, reason);
    } else {
      discord::CreateBan ban;
      ban.delete_message_seconds = std::chrono::seconds(config.workflow.ban_delete_seconds);
      r = co_await deps_.rest.CreateBan(d.guild, d.user, ban, reason);
    }
    if (r) {
      state->removed = action;
    } else {
      self_removals_.erase(key);
      Note(*state,
           fmt::format("could not {} the member: {}",
                       action == detect::Action::kKick ? "kick" : "ban", r.error().message));
    }
  }
}

asio::awaitable<void> Moderator::PostCase(Detection& d, const GuildConfig& config,
                                          std::shared_ptr<CaseState> state) {
  const store::Uuid case_id{state->card.case_id};
  if (state->card.restricted && !state->removed) co_await OpenThread(d, config, state);

  // The admin embed.
  if (config.admin_channel) {
    discord::CreateMessage message = CaseMessage(state->card, config.notification_role);
    auto posted = co_await deps_.rest.CreateMessage(*config.admin_channel, message);
    if (posted) {
      state->admin_message = posted->id;
      state->admin_channel = config.admin_channel;
    } else {
      ++stats_.refusals;
      spdlog::warn("guild {}: case {}: could not post the admin embed: {}", d.guild.value(),
                   case_id.value, posted.error().ToString());
    }
  } else {
    spdlog::warn("guild {}: case {}: no admin channel is configured (/config set channel.admin)",
                 d.guild.value(), case_id.value);
  }
  const auto thread = state->thread;
  const auto admin_message = state->admin_message;
  auto set_refs = [this, case_id, thread, admin_message] {
    return cases_.SetDiscordRefs(case_id, thread, admin_message);
  };
  co_await Db("verification_events.set_refs", std::move(set_refs));
  if (!state->card.notes.empty()) {
    std::string notes;
    for (const auto& n : state->card.notes) notes += (notes.empty() ? "" : "\n") + n;
    auto append_notes = [this, case_id, notes] { return cases_.AppendNote(case_id, notes); };
    co_await Db("verification_events.append_note", std::move(append_notes));
  }
}

asio::awaitable<void> Moderator::OpenThread(Detection& d, const GuildConfig& config,
                                            std::shared_ptr<CaseState> state) {
  // The verification thread: private, the member added, the prompt posted.
  if (!config.verification_channel) {
    Note(*state, "no verification channel is configured (run /setupverification)");
    co_return;
  }
  discord::StartThread body;
  body.name = CutText("verify " + d.username, 100);
  body.auto_archive_duration = 10080;
  body.invitable = false;
  std::string reason = "antispam: verification thread";
  auto thread = co_await deps_.rest.StartThread(*config.verification_channel, body, reason);
  if (!thread) {
    Note(*state, "could not open the verification thread: " + thread.error().message);
    co_return;
  }
  state->thread = thread->id;
  auto added = co_await deps_.rest.AddThreadMember(thread->id, d.user);
  if (!added) Note(*state, "could not add the member to the thread: " + added.error().message);
  discord::CreateMessage prompt;
  std::string text = config.workflow.verification_prompt;
  const std::string mention = fmt::format("<@{}>", d.user.value());
  for (auto p = text.find("{user}"); p != std::string::npos; p = text.find("{user}", p)) {
    text.replace(p, 6, mention);
    p += mention.size();
  }
  prompt.content = CutText(text, 2000);
  prompt.allowed_mentions.users.push_back(d.user);
  auto posted = co_await deps_.rest.CreateMessage(thread->id, prompt);
  if (!posted) Note(*state, "could not post the verification prompt: " + posted.error().message);
}

asio::awaitable<void> Moderator::CloseAutomatically(Detection& d,
                                                    std::shared_ptr<CaseState> state) {
  if (!state->removed || state->card.case_id.empty() || !self_) co_return;
  const bool ban = *state->removed == detect::Action::kBan;
  store::pg::Transition t;
  t.to = ban ? store::VerificationStatus::kBanned : store::VerificationStatus::kKicked;
  t.actor = self_;
  t.notes =
      fmt::format("{} automatically (action.{})", ban ? "banned" : "kicked", ban ? "ban" : "kick");
  const store::Uuid id{state->card.case_id};
  auto apply = [this, id, t] { return cases_.Apply(id, t); };
  auto applied = co_await Db("verification_events.apply", std::move(apply));
  if (!applied) co_return;
  store::AdminAction a;
  a.server_id = d.guild;
  a.user_id = d.user;
  a.admin_id = *self_;
  a.verification_event_id = id;
  a.action_type = ban ? store::AdminActionType::kBan : store::AdminActionType::kKick;
  a.previous_status = applied->previous;
  a.new_status = t.to;
  a.notes = t.notes;
  Outcome o;
  o.guild = d.guild;
  o.user = d.user;
  o.action = a;
  o.status = t.to;
  o.moderator = self_;
  o.restricted = false;
  o.reputation = ReputationOf(t.to);
  o.case_id = id;
  o.detection = applied->event.detection_event_id;
  o.decision = ban ? "ban" : "kick";
  // No training example: the bot's own decision is not a label.
  co_await Record("case.close_automatically", std::move(o));
  counters_.Add(d.guild, ban ? Count::kBan : Count::kKick, deps_.clock.Now());
  state->card.status = t.to;
  state->card.resolved_by = self_;
  co_await EditCase(state);
  open_cases_.erase({d.guild.value(), d.user.value()});
}

asio::awaitable<void> Moderator::EditCase(std::shared_ptr<CaseState> state) {
  if (!state->admin_message || !state->admin_channel) co_return;
  discord::EditMessage edit = CaseEdit(state->card);
  auto r = co_await deps_.rest.EditMessage(*state->admin_channel, *state->admin_message, edit);
  if (!r) {
    spdlog::warn("guild {}: case {}: could not update the admin embed: {}",
                 state->card.guild.value(), state->card.case_id, r.error().ToString());
  }
}

void Moderator::Note(CaseState& state, std::string note) {
  spdlog::warn("guild {}: member {}: {}", state.card.guild.value(), state.card.user.value(), note);
  state.card.notes.push_back(std::move(note));
}

void Moderator::OnMemberRemove(const discord::GuildMemberRemove& event) {
  auto state = CaseOf(event.guild_id, event.user.id);
  if (!state) return;
  asio::co_spawn(
      deps_.io,
      [](Moderator* self, std::shared_ptr<CaseState> state) -> asio::awaitable<void> {
        InFlight running(self->in_flight_);
        co_await LockCase(state);
        CaseLock lock(state);
        // Resolved meanwhile (a kick or ban by a moderator or the bot): nothing to note.
        if (!store::IsOpen(state->card.status)) co_return;
        self->Note(*state, "left the server");
        if (!state->card.case_id.empty()) {
          const store::Uuid id{state->card.case_id};
          auto append_note = [self, id] { return self->cases_.AppendNote(id, "left the server"); };
          co_await self->Db("verification_events.append_note", std::move(append_note));
        }
        co_await self->EditCase(state);
      }(this, state),
      asio::detached);
}

asio::awaitable<void> Moderator::RestrictAgain(core::GuildId guild, core::UserId user) {
  InFlight running(in_flight_);
  const auto config = ConfigOf(guild);
  // A timeout outlives leaving and coming back on Discord's side; a role does not.
  if (!config->restricted_role) co_return;
  const std::string reason = "antispam: came back with a restriction in force";
  const core::Result<void> r =
      co_await deps_.rest.AddMemberRole(guild, user, *config->restricted_role, reason);
  std::string note;
  if (r) {
    ++stats_.restricted;
    note = "left and came back: restricted again";
    spdlog::info("guild {}: member {} {}", guild.value(), user.value(), note);
  } else {
    ++stats_.refusals;
    note = "left and came back; could not restrict again: " + r.error().message;
    spdlog::warn("guild {}: member {} {}", guild.value(), user.value(), note);
  }
  auto state = CaseOf(guild, user);
  if (state) co_await LockCase(state);
  CaseLock lock(state);
  // The case this process holds, or (after a restart) the member's open one in the database.
  std::optional<store::Uuid> known;
  if (state && !state->card.case_id.empty()) known = store::Uuid{state->card.case_id};
  auto append = [this, guild, user, note, known]() -> core::Result<void> {
    if (known) return cases_.AppendNote(*known, note);
    auto open = cases_.OpenCase(guild, user);
    if (!open) return std::unexpected(open.error());
    if (!open->has_value()) return {};
    return cases_.AppendNote((*open)->id, note);
  };
  co_await Db("verification_events.append_note", std::move(append));
  if (state) {
    Note(*state, note);
    co_await EditCase(state);
  }
}

void Moderator::OnBanAdd(const discord::GuildBanAdd& event) {
  asio::co_spawn(deps_.io, CloseOutside(event.guild_id, event.user.id, event.user.username),
                 asio::detached);
}

asio::awaitable<void> Moderator::CloseOutside(core::GuildId guild, core::UserId user,
                                              std::string username) {
  // A ban made by the bot itself was recorded by the button, command or workflow that made it;
  // this closes cases that a moderator resolved with Discord's own ban.
  InFlight running(in_flight_);
  if (self_removals_.erase({guild.value(), user.value()}) > 0) co_return;
  auto state = CaseOf(guild, user);
  if (state) co_await LockCase(state);
  CaseLock lock(state);
  auto find_open = [this, guild, user] { return cases_.OpenCase(guild, user); };
  auto open = co_await Db("verification_events.open_case", std::move(find_open));
  if (open && open->has_value()) {
    const store::Uuid id = (*open)->id;
    const auto previous = (*open)->status;
    store::pg::Transition t;
    t.to = store::VerificationStatus::kBanned;
    t.notes = "banned outside antispam";
    t.expected_from = previous;
    auto apply = [this, id, t] { return cases_.Apply(id, t); };
    auto applied = co_await Db("verification_events.apply", std::move(apply));
    if (applied) {
      counters_.Add(guild, Count::kBan, deps_.clock.Now());
      store::AdminAction a;
      a.server_id = guild;
      a.user_id = user;
      a.admin_id = self_.value_or(core::UserId(0));
      a.verification_event_id = id;
      a.action_type = store::AdminActionType::kBan;
      a.previous_status = previous;
      a.new_status = store::VerificationStatus::kBanned;
      a.notes = "ban made outside antispam";
      Outcome o;
      o.guild = guild;
      o.user = user;
      if (self_) o.action = a;  // admin_actions needs an actor: the bot, on Discord's behalf
      o.status = store::VerificationStatus::kBanned;
      o.restricted = false;
      o.reputation = ReputationOf(o.status);
      o.case_id = id;
      o.detection = applied->event.detection_event_id;
      o.decision = "ban";
      // A person banned a flagged member: that labels the message as spam (who is not known).
      o.label = store::TrainingLabel::kSpam;
      co_await Record("case.close_outside", std::move(o));
      spdlog::info("guild {}: {} ({}) banned outside antispam: case {} closed", guild.value(),
                   username, user.value(), id.value);
      if (state) {
        state->card.status = store::VerificationStatus::kBanned;
        state->card.notes.push_back("banned outside antispam");
        co_await EditCase(state);
      }
    }
  }
  if (state && !store::IsOpen(state->card.status)) {
    open_cases_.erase({guild.value(), user.value()});
  }
}

void Moderator::Start() {
  asio::co_spawn(deps_.io, FlushLoop(), asio::detached);
  asio::co_spawn(deps_.io, RetentionLoop(), asio::detached);
}

asio::awaitable<void> Moderator::RetentionLoop() {
  // Stored messages older than their guild's retention.messages_days go: at start, then daily.
  while (!stopping_) {
    auto purge = [this] { return messages_.PurgeByRetention(); };
    auto purged = co_await Db("messages.purge_by_retention", std::move(purge));
    if (purged && *purged > 0) spdlog::info("retention: {} stored message(s) purged", *purged);
    retention_timer_.expires_after(options_.retention_interval);
    boost::system::error_code ec;
    co_await retention_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> Moderator::FlushLoop() {
  while (!stopping_) {
    flush_timer_.expires_after(options_.flush_interval);
    boost::system::error_code ec;
    co_await flush_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopping_) break;
    try {
      co_await Flush();
    } catch (const std::exception& e) {
      spdlog::error("counters: flush failed: {}", e.what());
    }
  }
}

asio::awaitable<core::Result<void>> Moderator::Flush() {
  InFlight running(in_flight_);
  CounterBatch batch = counters_.Take();
  if (batch.empty()) co_return Done();
  auto shared = std::make_shared<CounterBatch>(std::move(batch));
  auto write = [this, shared]() -> core::Result<int> {
    store::pg::CounterWriter writer(deps_.pool);
    return Counters::Write(*shared, writer);
  };
  auto written = co_await OnPool(deps_.db, std::move(write));
  if (!written) {
    counters_.Failed();
    counters_.Restore(std::move(*shared));
    spdlog::warn("counters: flush failed, kept for the next one: {}", written.error().ToString());
    co_return std::unexpected(written.error());
  }
  counters_.Written(*written);
  co_return Done();
}

asio::awaitable<void> Moderator::Shutdown(std::chrono::milliseconds grace) {
  stopping_ = true;
  flush_timer_.cancel();
  retention_timer_.cancel();
  const auto until = Clock::now() + grace;
  while (in_flight_ > 0 && Clock::now() < until) {
    asio::steady_timer t(deps_.io, std::chrono::milliseconds(20));
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (in_flight_ > 0) spdlog::warn("shutdown: {} workflow(s) still running", in_flight_);
  auto r = co_await Flush();
  if (!r) {
    spdlog::error("shutdown: the last counters were not written: {}", r.error().ToString());
  } else {
    spdlog::info("shutdown: {} message(s) judged, {} detection(s); the last counters written",
                 stats_.judged, stats_.detections);
  }
}

}  // namespace bot

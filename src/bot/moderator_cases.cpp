// Moderators' actions on cases: Verify, Ban, Kick, Reopen, History and manual flags.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "bot/blocking.h"
#include "bot/detail/moderator_state.h"
#include "bot/moderator.h"

namespace bot {

namespace asio = boost::asio;
using store::VerificationStatus;

namespace {

// An ok result, built outside co_return: GCC 12 mishandles a braced temporary there.
core::Result<void> Done() { return {}; }

VerificationStatus TargetOf(CaseAction a) {
  switch (a) {
    case CaseAction::kVerify:
      return VerificationStatus::kVerified;
    case CaseAction::kBan:
      return VerificationStatus::kBanned;
    case CaseAction::kKick:
      return VerificationStatus::kKicked;
    case CaseAction::kReopen:
      return VerificationStatus::kReopened;
  }
  return VerificationStatus::kVerified;
}

store::AdminActionType ActionTypeOf(CaseAction a) {
  switch (a) {
    case CaseAction::kVerify:
      return store::AdminActionType::kVerify;
    case CaseAction::kBan:
      return store::AdminActionType::kBan;
    case CaseAction::kKick:
      return store::AdminActionType::kKick;
    case CaseAction::kReopen:
      return store::AdminActionType::kReopen;
  }
  return store::AdminActionType::kVerify;
}

// How a moderator's decision moves the member's reputation (global and in the guild): a verified
// member was wrongly flagged, a banned one was a spammer.

std::string Cut(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text;
}

std::string_view Past(store::VerificationStatus s) {
  switch (s) {
    case VerificationStatus::kVerified:
      return "verified";
    case VerificationStatus::kBanned:
      return "banned";
    case VerificationStatus::kKicked:
      return "kicked";
    case VerificationStatus::kRejected:
      return "rejected";
    case VerificationStatus::kReopened:
      return "reopened";
    case VerificationStatus::kPending:
      return "opened";
  }
  return "changed";
}

}  // namespace

std::string_view ToString(CaseAction a) {
  switch (a) {
    case CaseAction::kVerify:
      return "verify";
    case CaseAction::kBan:
      return "ban";
    case CaseAction::kKick:
      return "kick";
    case CaseAction::kReopen:
      return "reopen";
  }
  return "?";
}

asio::awaitable<core::Result<store::VerificationEvent>> Moderator::FindCase(const CaseRequest& r) {
  if (r.case_id) {
    const store::Uuid id = *r.case_id;
    auto find = [this, id] { return cases_.Find(id); };
    auto found = co_await Db("verification_events.find", std::move(find));
    if (!found) co_return std::unexpected(found.error());
    if (!found->has_value() || (*found)->server_id != r.guild) {
      co_return core::Fail(core::ErrorCode::kNotFound, "this case is not in this server");
    }
    co_return std::move(**found);
  }
  if (!r.user) co_return core::Fail(core::ErrorCode::kInvalidArgument, "no case and no member");
  const core::GuildId guild = r.guild;
  const core::UserId user = *r.user;
  if (r.action == CaseAction::kReopen) {
    auto list = [this, guild, user] { return cases_.ListForMember(guild, user, 1); };
    auto latest = co_await Db("verification_events.list_for_member", std::move(list));
    if (!latest) co_return std::unexpected(latest.error());
    if (latest->empty()) {
      co_return core::Fail(core::ErrorCode::kNotFound,
                           fmt::format("<@{}> has no case to reopen", user.value()));
    }
    co_return std::move(latest->front());
  }
  auto open = [this, guild, user] { return cases_.OpenCase(guild, user); };
  auto found = co_await Db("verification_events.open_case", std::move(open));
  if (!found) co_return std::unexpected(found.error());
  if (!found->has_value()) {
    co_return core::Fail(core::ErrorCode::kNotFound,
                         fmt::format("<@{}> has no open case", user.value()));
  }
  co_return std::move(**found);
}

asio::awaitable<CaseCard> Moderator::CardFromDb(const store::VerificationEvent& c) {
  CaseCard card;
  card.case_id = c.id.value;
  card.guild = c.server_id;
  card.user = c.user_id;
  card.account_created = c.user_id.CreatedAt();
  card.status = c.status;
  card.resolved_by = c.resolved_by;
  if (c.detection_event_id) {
    const store::Uuid id = *c.detection_event_id;
    auto find = [this, id] { return detections_.Find(id); };
    auto det = co_await Db("detection_events.find", std::move(find));
    if (det && det->has_value()) {
      const store::DetectionEvent& e = **det;
      card.level = e.level == store::DetectionLevel::kHigh     ? detect::Level::kHigh
                   : e.level == store::DetectionLevel::kMedium ? detect::Level::kMedium
                                                               : detect::Level::kLow;
      card.risk = e.risk;
      card.trigger = e.detection_type == store::DetectionType::kJoin ? detect::Trigger::kJoin
                                                                     : detect::Trigger::kMessage;
      card.channel = e.channel_id;
      card.message = e.message_id;
      card.reasons = e.reasons;
      auto meta = nlohmann::json::parse(e.metadata, nullptr, false);
      if (meta.is_object() && meta.contains("excerpt") && meta["excerpt"].is_string()) {
        card.excerpt = meta["excerpt"].get<std::string>();
      }
    }
  }
  const core::GuildId guild = c.server_id;
  const core::UserId user = c.user_id;
  auto member = [this, guild, user] { return members_.Find(guild, user); };
  auto row = co_await Db("server_members.find", std::move(member));
  if (row && row->has_value()) card.joined_at = (*row)->join_date;
  auto find_user = [this, user] { return users_.Find(user); };
  auto u = co_await Db("users.find", std::move(find_user));
  if (u && u->has_value() && (*u)->username) card.username = *(*u)->username;
  if (card.username.empty()) card.username = user.ToString();
  co_return card;
}

asio::awaitable<core::Result<CaseResult>> Moderator::Resolve(CaseRequest r) {
  const auto config = ConfigOf(r.guild);
  CaseResult result;
  const VerificationStatus to = TargetOf(r.action);
  auto found = co_await FindCase(r);
  std::optional<store::VerificationEvent> c;
  if (found) {
    c = std::move(*found);
  } else if (found.error().code == core::ErrorCode::kNotFound && r.user && !r.case_id &&
             r.action != CaseAction::kReopen) {
    // /ban and /kick work on anyone; /verify lifts a restriction whose case was never recorded
    // (a database outage). They just have no case to close.
  } else {
    co_return std::unexpected(found.error());
  }
  const core::UserId user = c ? c->user_id : *r.user;
  result.had_case = c.has_value();
  InFlight running(in_flight_);
  std::shared_ptr<CaseState> state = CaseOf(r.guild, user);
  if (state) co_await LockCase(state);
  CaseLock lock(state);

  // 1. The decision: a conditional move of the case. The loser of a race learns who won.
  if (c) {
    if (r.action == CaseAction::kReopen && store::IsOpen(c->status)) {
      co_return core::Fail(core::ErrorCode::kFailedPrecondition, "this case is already open");
    }
    store::pg::Transition t;
    t.to = to;
    t.actor = r.actor;
    t.expected_from = c->status;
    const store::Uuid id = c->id;
    auto apply = [this, id, t] { return cases_.Apply(id, t); };
    auto applied = co_await Db("verification_events.apply", std::move(apply));
    if (!applied) {
      if (applied.error().code != core::ErrorCode::kFailedPrecondition) {
        co_return std::unexpected(applied.error());
      }
      auto find = [this, id] { return cases_.Find(id); };
      auto now = co_await Db("verification_events.find", std::move(find));
      std::string who = "another moderator";
      std::string what = "changed";
      if (now && now->has_value()) {
        what = Past((*now)->status);
        if ((*now)->resolved_by) who = fmt::format("<@{}>", (*now)->resolved_by->value());
      }
      co_return core::Fail(
          core::ErrorCode::kFailedPrecondition,
          fmt::format("this case was already {} by {}", what, who),
          std::string(store::ToString(now && now->has_value() ? (*now)->status : c->status)));
    }
    result.previous = applied->previous;
    result.status = applied->event.status;
    c = applied->event;
  } else {
    result.status = to;
  }
  ++stats_.resolved;

  // 2. What Discord does.
  std::vector<std::string> notes;
  auto refused = [&](std::string_view what, const core::Error& e) {
    ++stats_.refusals;
    notes.push_back(fmt::format("could not {}: {}", what, e.message));
    spdlog::warn("guild {}: member {}: could not {}: {}", r.guild.value(), user.value(), what,
                 e.ToString());
  };
  std::string reason = r.reason.empty()
                           ? fmt::format("antispam: {} by {}", ToString(r.action), r.actor.value())
                           : Cut(r.reason, 400);
  switch (r.action) {
    case CaseAction::kVerify: {
      if (config->restricted_role) {
        auto removed =
            co_await deps_.rest.RemoveMemberRole(r.guild, user, *config->restricted_role, reason);
        if (!removed && removed.error().subject != "10007")
          refused("lift the restriction", removed.error());
      } else {
        std::optional<core::Timestamp> lift;
        auto lifted = co_await deps_.rest.TimeoutMember(r.guild, user, lift, reason);
        if (!lifted && lifted.error().subject != "10007")
          refused("lift the timeout", lifted.error());
      }
      break;
    }
    case CaseAction::kBan: {
      self_removals_.insert({r.guild.value(), user.value()});
      discord::CreateBan ban;
      ban.delete_message_seconds =
          std::chrono::seconds(r.ban_delete_seconds.value_or(config->workflow.ban_delete_seconds));
      auto banned = co_await deps_.rest.CreateBan(r.guild, user, ban, reason);
      if (!banned) {
        self_removals_.erase({r.guild.value(), user.value()});
        refused("ban the member", banned.error());
      }
      break;
    }
    case CaseAction::kKick: {
      auto kicked = co_await deps_.rest.RemoveMember(r.guild, user, reason);
      if (!kicked) refused("kick the member", kicked.error());
      break;
    }
    case CaseAction::kReopen: {
      core::Result<void> applied;
      if (config->restricted_role) {
        applied =
            co_await deps_.rest.AddMemberRole(r.guild, user, *config->restricted_role, reason);
      } else {
        const core::Timestamp until = deps_.clock.Now() + config->workflow.timeout;
        auto m = co_await deps_.rest.TimeoutMember(r.guild, user, until, reason);
        if (!m) applied = std::unexpected(m.error());
      }
      if (!applied) refused("restrict the member again", applied.error());
      break;
    }
  }
  // The verification thread closes with the case and opens again with it.
  if (c && c->thread_id) {
    discord::ModifyChannel thread;
    const bool reopen = r.action == CaseAction::kReopen;
    thread.archived = !reopen;
    thread.locked = !reopen;
    auto changed = co_await deps_.rest.ModifyChannel(*c->thread_id, thread, reason);
    if (!changed && changed.error().subject != "10003") {
      refused(reopen ? "reopen the thread" : "archive the thread", changed.error());
    }
  }

  // 3. The record: admin action, member status, reputation, training example, counters.
  store::AdminAction a;
  a.server_id = r.guild;
  a.user_id = user;
  a.admin_id = r.actor;
  a.action_type = ActionTypeOf(r.action);
  a.previous_status = result.previous;
  a.new_status = result.status;
  if (c) {
    a.verification_event_id = c->id;
    a.detection_event_id = c->detection_event_id;
  }
  if (!r.reason.empty()) a.notes = Cut(r.reason, 1000);
  if (!notes.empty()) {
    nlohmann::json meta{{"refused", notes}};
    a.metadata = meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  Outcome o;
  o.guild = r.guild;
  o.user = user;
  o.action = a;
  o.status = result.status;
  o.moderator = r.actor;
  o.restricted = r.action == CaseAction::kReopen;
  // A reopened case takes back what its earlier outcome did to the reputation.
  if (r.action != CaseAction::kReopen) {
    o.reputation = ReputationOf(result.status);
  } else if (result.previous) {
    o.reputation = -ReputationOf(*result.previous);
  }
  if (c) {
    o.case_id = c->id;
    o.detection = c->detection_event_id;
  }
  o.decision = std::string(ToString(r.action));
  // Moderators' decisions label the triggering message for the local classifier.
  if (r.action != CaseAction::kReopen) {
    o.label = r.action == CaseAction::kVerify ? store::TrainingLabel::kNotSpam
                                              : store::TrainingLabel::kSpam;
    o.labeled_by = r.actor;
  }
  auto recorded = co_await Record("case.record", std::move(o));
  if (!recorded)
    notes.push_back("the decision could not be fully recorded: " + recorded.error().message);
  const core::Timestamp now = deps_.clock.Now();
  switch (r.action) {
    case CaseAction::kVerify:
      counters_.Add(r.guild, Count::kVerify, now);
      counters_.Add(r.guild, Count::kFalsePositive, now);
      ++contexts_[{r.guild.value(), user.value()}].prior_false_positives;
      break;
    case CaseAction::kBan:
      counters_.Add(r.guild, Count::kBan, now);
      break;
    case CaseAction::kKick:
      counters_.Add(r.guild, Count::kKick, now);
      break;
    case CaseAction::kReopen:
      break;
  }

  // 4. The embed.
  if (c) {
    CaseCard card;
    if (state) {
      card = state->card;
    } else {
      card = co_await CardFromDb(*c);
    }
    card.status = result.status;
    card.resolved_by = store::IsOpen(result.status) ? std::nullopt : std::optional(r.actor);
    card.restricted = r.action == CaseAction::kReopen;
    for (const auto& n : notes) card.notes.push_back(n);
    result.card = card;
    result.admin_message = c->notification_message_id;
    result.admin_channel = config->admin_channel;
    if (store::IsOpen(result.status)) {
      auto& slot = open_cases_[{r.guild.value(), user.value()}];
      if (!slot) slot = std::make_shared<CaseState>();
      slot->card = card;
      slot->thread = c->thread_id;
      slot->admin_message = c->notification_message_id;
      slot->admin_channel = config->admin_channel;
    } else if (state) {
      state->card = card;
      open_cases_.erase({r.guild.value(), user.value()});
    }
  }
  result.notes = std::move(notes);
  spdlog::info("guild {}: member {}: {} by {}{}", r.guild.value(), user.value(), ToString(r.action),
               r.actor.value(), c ? fmt::format(" (case {})", c->id.value) : std::string());
  co_return result;
}

std::optional<discord::GuildRoles> Moderator::RolesOf(core::GuildId guild) const {
  auto it = guilds_.find(guild);
  if (it == guilds_.end() || !it->second->roles) return std::nullopt;
  return it->second->roles;
}

asio::awaitable<core::Result<core::UserId>> Moderator::CaseMember(core::GuildId guild,
                                                                  store::Uuid case_id) {
  CaseRequest r;
  r.guild = guild;
  r.case_id = case_id;
  auto c = co_await FindCase(r);
  if (!c) co_return std::unexpected(c.error());
  co_return c->user_id;
}

asio::awaitable<core::Result<int>> Moderator::Record(std::string_view what, Outcome o) {
  // What detection knows of the member follows at once; the rows go through the database pool.
  if (o.restricted) contexts_[{o.guild.value(), o.user.value()}].restricted = *o.restricted;
  auto record = [this, o = std::move(o)] { return RecordOutcome(o); };
  co_return co_await Db(what, std::move(record));
}

core::Result<int> Moderator::RecordOutcome(const Outcome& o) {
  // Several small statements, none on the hot path, in one transaction: a retry after a failure
  // cannot record a decision twice, and a failure part-way leaves nothing half-written.
  return deps_.pool.Transaction("case.record", [&]() -> core::Result<int> {
    if (auto u = users_.Upsert(o.user); !u) return std::unexpected(u.error());
    if (auto m = members_.Upsert(o.guild, o.user); !m) return std::unexpected(m.error());
    if (o.action) {
      if (auto w = actions_.Record(*o.action); !w) return std::unexpected(w.error());
    }
    if (auto m = members_.SetVerificationStatus(o.guild, o.user, o.status, o.moderator); !m) {
      return std::unexpected(m.error());
    }
    if (o.restricted) {
      auto m = members_.SetRestriction(o.guild, o.user, *o.restricted, std::nullopt, o.moderator);
      if (!m) return std::unexpected(m.error());
    }
    if (o.reputation != 0) {
      if (auto u = users_.AdjustReputation(o.user, o.reputation); !u) {
        return std::unexpected(u.error());
      }
      if (auto m = members_.AdjustReputation(o.guild, o.user, o.reputation); !m) {
        return std::unexpected(m.error());
      }
    }
    // The servers where the user is suspect, after this outcome.
    if (auto u = users_.RecountSuspicion(o.user, std::nullopt); !u) {
      return std::unexpected(u.error());
    }
    if (!o.detection) return 0;
    if (o.moderator) {
      auto d = detections_.SetAdminAction(*o.detection, o.decision, *o.moderator);
      if (!d) return std::unexpected(d.error());
    }
    if (!o.label) return 0;
    auto det = detections_.Find(*o.detection);
    if (!det) return std::unexpected(det.error());
    std::optional<std::string> content;
    if (det->has_value() && (*det)->message_id) {
      auto stored = messages_.Find(o.guild, *(*det)->message_id);
      if (!stored) return std::unexpected(stored.error());
      if (stored->has_value()) content = (*stored)->content;
    }
    store::TrainingExample ex;
    ex.server_id = o.guild;
    ex.user_id = o.user;
    ex.content = content;
    ex.label = o.label;
    ex.labeled_by = o.labeled_by;
    nlohmann::json context{{"decision", o.decision}};
    if (o.case_id) context["case"] = o.case_id->value;
    if (det->has_value()) context["reasons"] = (*det)->reasons;
    ex.context = context.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (auto t = training_.Create(ex); !t) return std::unexpected(t.error());
    return 0;
  });
}

asio::awaitable<core::Result<std::string>> Moderator::History(core::GuildId guild,
                                                              core::UserId user) {
  auto load = [this, guild, user]() -> core::Result<std::string> {
    auto dets = detections_.History(guild, user, 10);
    if (!dets) return std::unexpected(dets.error());
    auto cases = cases_.ListForMember(guild, user, 10);
    if (!cases) return std::unexpected(cases.error());
    auto acts = actions_.ListForMember(guild, user, 10);
    if (!acts) return std::unexpected(acts.error());
    std::string out = fmt::format(
        "**History of <@{}>** in this server: {} detection(s), {} "
        "case(s), {} moderator action(s) (latest first)\n",
        user.value(), dets->size(), cases->size(), acts->size());
    if (!dets->empty()) out += "__Detections__\n";
    for (const auto& d : *dets) {
      out += fmt::format("• {} {} {:.0f}% {}: {}\n", RelativeTime(d.detected_at),
                         store::ToString(d.level), d.risk * 100, store::ToString(d.detection_type),
                         d.reasons.empty() ? std::string("-") : Cut(d.reasons.front(), 120));
    }
    if (!cases->empty()) out += "__Cases__\n";
    for (const auto& c : *cases) {
      out += fmt::format(
          "• {} {}{}\n", RelativeTime(c.created_at), store::ToString(c.status),
          c.resolved_by ? fmt::format(" by <@{}>", c.resolved_by->value()) : std::string());
    }
    if (!acts->empty()) out += "__Actions__\n";
    for (const auto& a : *acts) {
      out += fmt::format("• {} {} by <@{}>{}\n", RelativeTime(a.action_at),
                         store::ToString(a.action_type), a.admin_id.value(),
                         a.notes ? ": " + Cut(*a.notes, 100) : std::string());
    }
    return Cut(out, 1900);
  };
  co_return co_await Db("history", std::move(load));
}

asio::awaitable<core::Result<void>> Moderator::Flag(core::GuildId guild, core::UserId user,
                                                    std::string username, std::string reason,
                                                    core::UserId actor) {
  Detection d;
  d.guild = guild;
  d.user = user;
  d.username = std::move(username);
  d.at = deps_.clock.Now();
  d.arrived = std::chrono::steady_clock::now();
  d.context = ContextOf(guild, user);
  d.joined_at = d.context.joined_at;
  d.verdict.level = detect::Level::kHigh;
  d.verdict.risk = 1.0;
  d.verdict.certainty = 1.0;
  d.verdict.action = detect::Action::kRestrict;
  d.manual_by = actor;
  d.manual_reason = Cut(std::move(reason), 300);
  co_await Act(d);
  co_return Done();
}

}  // namespace bot

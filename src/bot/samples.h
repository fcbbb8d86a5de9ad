// From Discord events to what the detection engine judges (issue 5 item 1): which messages and
// joins are judged at all (no bots, webhooks, system messages or DMs; moderators exempt by
// default) and the samples built from them with the member context the caller holds.
#pragma once

#include <optional>

#include "detect/sample.h"
#include "discord/model/entities.h"
#include "discord/model/permissions.h"

namespace bot {

// What the bot knows of a member beyond the event, from its cache of the store.
struct MemberContext {
  std::optional<core::Timestamp> joined_at;
  std::int64_t messages_in_guild = 0;
  std::int32_t prior_detections = 0;
  std::int32_t prior_false_positives = 0;
  double reputation = 0.0;
  // Restricted by a case still open: Discord drops a member's roles when they leave, so one who
  // comes back is restricted again.
  bool restricted = false;
};

// Members who moderate are never judged: the owner, and anyone whose roles give Administrator,
// Manage Messages, Kick, Ban or Moderate Members guild-wide.
bool IsModerator(const discord::GuildRoles& guild, const discord::MemberRoles& member);

// Why an event is not judged (for the debug log and the counters), or kJudge.
enum class Skip { kJudge, kBot, kWebhook, kSystemMessage, kDirectMessage, kModerator };
std::string_view ToString(Skip s);

// Whether a MESSAGE_CREATE is judged. `moderator`: IsModerator of its author (exempt unless
// `judge_moderators`).
Skip ShouldJudge(const discord::Message& m, bool moderator, bool judge_moderators = false);

// The sample of a judged message; it points into `m` (text, names), which must outlive it.
detect::MessageSample MessageSampleOf(const discord::Message& m, const MemberContext& context,
                                      bool moderator);

// The sample of a join; nullopt when the member has no user (Discord always sends one) or is a
// bot. It points into `join`.
std::optional<detect::JoinSample> JoinSampleOf(const discord::GuildMemberAdd& join,
                                               const MemberContext& context);

}  // namespace bot

// The admin embed of a case (issue 5 item 2) and its buttons: who, how risky, what triggered it
// (with a jump link), why (the verdict's signals), the member's history, and the outcome once a
// moderator resolved it. Pure: builds message bodies, sends nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "detect/policy.h"
#include "detect/sample.h"
#include "discord/model/message_body.h"
#include "store/records.h"

namespace bot {

// The button prefixes of a case's admin message: "<prefix><case uuid>".
inline constexpr std::string_view kVerifyButton = "case:verify:";
inline constexpr std::string_view kBanButton = "case:ban:";
inline constexpr std::string_view kKickButton = "case:kick:";
inline constexpr std::string_view kHistoryButton = "case:history:";
inline constexpr std::string_view kReopenButton = "case:reopen:";

struct CaseCard {
  std::string case_id;  // verification_events.id
  core::GuildId guild;
  core::UserId user;
  std::string username;
  std::optional<core::Timestamp> account_created;
  std::optional<core::Timestamp> joined_at;
  detect::Level level = detect::Level::kLow;
  double risk = 0;
  detect::Trigger trigger = detect::Trigger::kMessage;
  std::optional<core::ChannelId> channel;  // the triggering message, for the jump link
  std::optional<core::MessageId> message;
  std::string excerpt;               // the triggering message's text, cut
  std::vector<std::string> reasons;  // one line per fired signal, strongest first
  int detections = 1;                // detections in this case
  int prior_detections = 0;          // before this case
  bool restricted = true;            // false for an alert: nothing was applied
  store::VerificationStatus status = store::VerificationStatus::kPending;
  std::optional<core::UserId> resolved_by;
  std::vector<std::string> notes;  // side effects that failed ("could not delete the message")
};

// The first post in the admin channel: the embed, the buttons, and a ping of `notify` (only that
// role may be pinged).
discord::CreateMessage CaseMessage(const CaseCard& card, std::optional<core::RoleId> notify);
// The same card after a change (repeat detection, resolution): embed and buttons replaced.
discord::EditMessage CaseEdit(const CaseCard& card);

// One line per signal: "phishing_domain (0.97): evil.example".
std::vector<std::string> ReasonLines(const std::vector<detect::Signal>& signals);

// "<t:1700000000:R>": Discord renders it as a relative time in the reader's locale.
std::string RelativeTime(core::Timestamp t);

}  // namespace bot

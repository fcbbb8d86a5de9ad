// Request bodies of the moderation, channel and thread endpoints (PROTOCOL.md §4.3), validated
// where Discord's rules are cheap to check locally. Each encoder returns the JSON text or
// kInvalidArgument naming the broken rule.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "discord/model/channel.h"
#include "discord/model/permissions.h"

namespace discord {

// A field of a PATCH: left out, sent as null (cleared), or set.
struct Unchanged {
  bool operator==(const Unchanged&) const = default;
};
struct Clear {
  bool operator==(const Clear&) const = default;
};
template <class T>
using Patch = std::variant<Unchanged, Clear, T>;

// PATCH /guilds/{guild}/members/{user}. At least one field must change.
struct ModifyMember {
  // A timeout until then (written as "2026-08-06T10:20:05.000Z"), Clear to lift it. Discord allows
  // at most 28 days ahead; that is checked by the caller, who knows the time.
  Patch<core::Timestamp> communication_disabled_until;
  Patch<std::string> nick;                         // ≤ 32 characters
  std::optional<std::vector<core::RoleId>> roles;  // the whole list

  bool operator==(const ModifyMember&) const = default;
};
core::Result<std::string> EncodeModifyMember(const ModifyMember& body);

// PUT /guilds/{guild}/bans/{user}.
struct CreateBan {
  std::chrono::seconds delete_message_seconds{0};  // 0..604800 (7 days)

  bool operator==(const CreateBan&) const = default;
};
core::Result<std::string> EncodeCreateBan(const CreateBan& body);

// POST /channels/{channel}/messages/bulk-delete: 2..100 distinct ids (younger than 2 weeks, which
// Discord checks).
struct BulkDelete {
  std::vector<core::MessageId> messages;

  bool operator==(const BulkDelete&) const = default;
};
core::Result<std::string> EncodeBulkDelete(const BulkDelete& body);

// POST /channels/{channel}/threads (no message) or .../messages/{message}/threads.
struct StartThread {
  std::string name;                                // 1-100 characters
  ChannelType type = ChannelType::kPrivateThread;  // without a message: 10, 11 or 12
  std::optional<int> auto_archive_duration;        // minutes: 60, 1440, 4320 or 10080
  std::optional<bool> invitable;                   // private threads
  std::optional<int> rate_limit_per_user;          // seconds, 0..21600

  bool operator==(const StartThread&) const = default;
};
// Without a message: includes `type` (and `invitable`).
core::Result<std::string> EncodeStartThread(const StartThread& body);
// From a message: Discord picks the type; `type` and `invitable` are left out.
core::Result<std::string> EncodeStartThreadFromMessage(const StartThread& body);

// PATCH /channels/{channel} for channels and threads (lockdown, slow mode, archive/lock). At least
// one field must be set.
struct ModifyChannel {
  std::optional<std::string> name;         // 1-100
  std::optional<std::string> topic;        // ≤ 1024
  std::optional<int> rate_limit_per_user;  // seconds, 0..21600
  std::optional<std::vector<Overwrite>> permission_overwrites;
  std::optional<bool> archived;              // threads
  std::optional<bool> locked;                // threads
  std::optional<bool> invitable;             // private threads
  std::optional<int> auto_archive_duration;  // threads: 60, 1440, 4320 or 10080

  bool operator==(const ModifyChannel&) const = default;
};
core::Result<std::string> EncodeModifyChannel(const ModifyChannel& body);

// POST /guilds/{guild}/channels.
struct CreateChannel {
  std::string name;  // 1-100
  ChannelType type = ChannelType::kGuildText;
  std::optional<core::ChannelId> parent_id;  // a category
  std::string topic;                         // ≤ 1024; empty: none
  std::vector<Overwrite> permission_overwrites;
  std::optional<int> rate_limit_per_user;  // 0..21600

  bool operator==(const CreateChannel&) const = default;
};
core::Result<std::string> EncodeCreateChannel(const CreateChannel& body);

// PUT /channels/{channel}/permissions/{overwrite}: {"allow","deny","type"} (the id is in the path).
core::Result<std::string> EncodeEditOverwrite(const Overwrite& overwrite);

// POST /users/@me/channels: {"recipient_id":"…"}.
std::string EncodeCreateDm(core::UserId recipient);

}  // namespace discord

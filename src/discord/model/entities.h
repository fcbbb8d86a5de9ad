// Typed Discord entities, the parts an anti-spam bot uses (../shared/discord/PROTOCOL.md §2),
// decoded from gateway JSON with simdjson. Unknown fields are ignored; a missing or mistyped
// required field is an error naming it, never a crash; snowflakes are strong types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"

namespace discord {

struct User {
  core::UserId id;
  std::string username;
  std::optional<std::string> global_name;
  bool bot = false;
  bool has_avatar = false;
};

// A guild member. In MESSAGE_CREATE the member is partial (no `user`: the author is the user).
struct Member {
  std::optional<User> user;
  std::vector<core::RoleId> roles;
  std::optional<std::string> nick;
  std::optional<core::Timestamp> joined_at;
  std::optional<core::Timestamp> communication_disabled_until;
  bool pending = false;
  std::uint64_t flags = 0;  // DID_REJOIN = 1 << 0
};

struct Message {
  core::MessageId id;
  core::ChannelId channel_id;
  std::optional<core::GuildId> guild_id;
  User author;
  std::optional<Member> member;
  std::optional<std::uint64_t> webhook_id;
  std::string content;
  std::vector<core::UserId> mentions;
  std::vector<core::RoleId> mention_roles;
  bool mention_everyone = false;
  int attachments = 0;
  int embeds = 0;
  int type = 0;
  core::Timestamp timestamp{};
};

struct GuildMemberAdd {
  core::GuildId guild_id;
  Member member;  // with `user`
};

// READY: what a session needs to resume later.
struct Ready {
  std::string session_id;
  std::string resume_gateway_url;
  core::UserId user;  // the bot
};

// A dispatch this decoder does not type (yet): its name, for the log.
struct OtherEvent {
  std::string name;
};

// A gateway payload: op, sequence (dispatches only), event name and the typed event.
struct GatewayPayload {
  int op = -1;
  std::optional<std::int64_t> sequence;
  std::string event;  // "t": "MESSAGE_CREATE", ... (empty for non-dispatch ops)
  std::variant<std::monostate, Message, GuildMemberAdd, Ready, OtherEvent> data;
  std::optional<std::int64_t> heartbeat_interval;  // op 10 Hello: milliseconds
  std::optional<bool> resumable;                   // op 9 Invalid Session: d
};

core::Result<GatewayPayload> DecodeGatewayPayload(std::string_view json);

// ISO 8601 as Discord writes it ("2026-08-06T10:15:09.871000+00:00", also "Z" or no fraction).
core::Result<core::Timestamp> ParseTimestamp(std::string_view text);

}  // namespace discord

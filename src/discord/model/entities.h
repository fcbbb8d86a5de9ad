// Typed Discord entities, the parts an anti-spam bot uses (../shared/discord/PROTOCOL.md §2), and
// the gateway payloads that carry them, decoded with simdjson. Unknown fields are ignored; a
// missing or mistyped required field is an error naming it, never a crash; snowflakes are strong
// types. The entities are in their own headers (user.h, message.h, channel.h, guild.h,
// interaction.h, ...); this one adds the gateway events.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "discord/model/channel.h"
#include "discord/model/guild.h"
#include "discord/model/ids.h"
#include "discord/model/interaction.h"
#include "discord/model/message.h"
#include "discord/model/timestamp.h"
#include "discord/model/user.h"

namespace discord {

// MESSAGE_CREATE decodes to a Message.

// MESSAGE_UPDATE: the whole message, as MESSAGE_CREATE.
struct MessageUpdate {
  Message message;
  bool operator==(const MessageUpdate&) const = default;
};

// MESSAGE_DELETE.
struct MessageDelete {
  core::MessageId id;
  core::ChannelId channel_id;
  std::optional<core::GuildId> guild_id;
  bool operator==(const MessageDelete&) const = default;
};

// GUILD_MEMBER_ADD: the member (with `user`, required) and its guild.
struct GuildMemberAdd {
  core::GuildId guild_id;
  Member member;
  bool operator==(const GuildMemberAdd&) const = default;
};

// GUILD_MEMBER_UPDATE: the whole member (with `user`, required), not a diff.
struct GuildMemberUpdate {
  core::GuildId guild_id;
  Member member;
  bool operator==(const GuildMemberUpdate&) const = default;
};

// GUILD_MEMBER_REMOVE: left, kicked or banned.
struct GuildMemberRemove {
  core::GuildId guild_id;
  User user;
  bool operator==(const GuildMemberRemove&) const = default;
};

// GUILD_BAN_ADD.
struct GuildBanAdd {
  core::GuildId guild_id;
  User user;
  bool operator==(const GuildBanAdd&) const = default;
};

// GUILD_CREATE: lazy load after READY, back from an outage, or joined; or `unavailable`.
struct GuildCreate {
  Guild guild;
  bool operator==(const GuildCreate&) const = default;
};

// GUILD_DELETE: unavailable (an outage) or, when false, the bot was removed.
struct GuildDelete {
  core::GuildId id;
  bool unavailable = false;
  bool operator==(const GuildDelete&) const = default;
};

// THREAD_CREATE: a thread created (newly_created) or the bot added to a private one.
struct ThreadCreate {
  Channel thread;
  bool newly_created = false;
  bool operator==(const ThreadCreate&) const = default;
};

struct InteractionCreate {
  Interaction interaction;
  bool operator==(const InteractionCreate&) const = default;
};

// READY: what a session needs to resume later, and the guilds to expect GUILD_CREATE for.
struct Ready {
  std::string session_id;
  std::string resume_gateway_url;
  core::UserId user;  // the bot
  std::vector<core::GuildId> guilds;
  std::optional<ApplicationId> application_id;
  bool operator==(const Ready&) const = default;
};

// RESUMED: the replay after a Resume is complete.
struct Resumed {
  bool operator==(const Resumed&) const = default;
};

// A dispatch this decoder does not type (yet): its name, for the log.
struct OtherEvent {
  std::string name;
  bool operator==(const OtherEvent&) const = default;
};

using GatewayEvent =
    std::variant<std::monostate, Message, GuildMemberAdd, Ready, OtherEvent, MessageUpdate,
                 MessageDelete, GuildMemberUpdate, GuildMemberRemove, GuildBanAdd, GuildCreate,
                 GuildDelete, ThreadCreate, InteractionCreate, Resumed>;

// A gateway payload: op, sequence (dispatches only), event name and the typed event.
struct GatewayPayload {
  int op = -1;
  std::optional<std::int64_t> sequence;
  std::string event;  // "t": "MESSAGE_CREATE", ... (empty for non-dispatch ops)
  GatewayEvent data;
  std::optional<std::int64_t> heartbeat_interval;  // op 10 Hello: milliseconds
  std::optional<bool> resumable;                   // op 9 Invalid Session: d
  bool operator==(const GatewayPayload&) const = default;
};

core::Result<GatewayPayload> DecodeGatewayPayload(std::string_view json);

// The event's "d" in Discord's shape (the simulator's dispatches). monostate and OtherEvent: {}.
nlohmann::json ToJson(const GatewayEvent& event);
// The whole payload: {"op","d","s","t"}; Hello and Invalid Session from their fields.
nlohmann::json ToJson(const GatewayPayload& payload);

}  // namespace discord

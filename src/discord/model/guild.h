// Guilds (https://discord.com/developers/docs/resources/guild#guild-object) as GUILD_CREATE and
// GET /guilds/{id} carry them, the parts we use: name, owner, roles, and in GUILD_CREATE the
// channels, active threads and the few members Discord includes.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "discord/model/channel.h"
#include "discord/model/permissions.h"
#include "discord/model/user.h"

namespace discord {

// Required: id; and unless `unavailable` (an outage: {"id","unavailable":true}) also name,
// owner_id and roles.
struct Guild {
  core::GuildId id;
  bool unavailable = false;
  std::string name;
  core::UserId owner_id;
  std::vector<Role> roles;
  // GUILD_CREATE only:
  std::optional<int> member_count;
  std::optional<core::Timestamp> joined_at;
  bool large = false;
  std::vector<Channel> channels;  // guild_id filled in from the guild when Discord omits it
  std::vector<Channel> threads;   // active threads the bot can see
  std::vector<Member> members;    // with `user`; only the bot and voice users without presences

  bool operator==(const Guild&) const = default;
};

// What permission arithmetic needs of a guild.
GuildRoles RolesOf(const Guild& guild);

core::Result<Guild> DecodeGuild(std::string_view json);

// GUILD_CREATE's shape (the lists written when non-empty; joined_at/member_count when set).
nlohmann::json ToJson(const Guild& guild);

}  // namespace discord

// Users and guild members (https://discord.com/developers/docs/resources/user#user-object,
// .../resources/guild#guild-member-object): decoded from gateway events and REST responses, and
// written back in Discord's shapes for the simulator.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "discord/model/permissions.h"

namespace discord {

// Required: id. Everything else defaults when absent (partial users carry only an id).
struct User {
  core::UserId id;
  std::string username;
  std::optional<std::string> global_name;
  bool bot = false;
  bool has_avatar = false;  // the avatar hash itself is not kept

  bool operator==(const User&) const = default;
};

// A guild member. Partial in MESSAGE_CREATE (no `user`: the author is the user) and in an
// interaction's `resolved` (no `user`, `deaf`, `mute`). Nothing is required.
struct Member {
  std::optional<User> user;
  std::vector<core::RoleId> roles;
  std::optional<std::string> nick;
  std::optional<core::Timestamp> joined_at;
  std::optional<core::Timestamp> communication_disabled_until;
  bool pending = false;
  std::uint64_t flags = 0;  // DID_REJOIN = 1 << 0
  // Interactions only: the member's effective permissions in the interaction's channel.
  std::optional<Permissions> permissions;

  bool operator==(const Member&) const = default;
};

// What permission arithmetic needs of a member (`user` is the member's user id: partial members
// lack it).
MemberRoles RolesOf(core::UserId user, const Member& member);

// REST responses (GET /users/{id}, GET /guilds/{id}/members/{id}). Errors name the field.
core::Result<User> DecodeUser(std::string_view json);
core::Result<Member> DecodeMember(std::string_view json);

// Discord's shapes: snowflakes and permissions as decimal strings, timestamps "+00:00".
nlohmann::json ToJson(const User& user);
nlohmann::json ToJson(const Member& member);

}  // namespace discord

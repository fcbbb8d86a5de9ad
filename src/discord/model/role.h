// Decoding and writing roles (https://discord.com/developers/docs/topics/permissions#role-object);
// the Role struct itself is in permissions.h, beside the arithmetic that uses it.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "discord/model/permissions.h"

namespace discord {

// Required: id, name, position, permissions (a decimal string that fits in 64 bits).
core::Result<Role> DecodeRole(std::string_view json);
// GET /guilds/{id}/roles: an array of roles.
core::Result<std::vector<Role>> DecodeRoles(std::string_view json);

nlohmann::json ToJson(const Role& role);

}  // namespace discord

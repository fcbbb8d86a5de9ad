#include "discord/model/role.h"

#include <nlohmann/json.hpp>

#include "discord/model/detail/readers.h"

namespace discord {
namespace detail {

core::Result<Role> ReadRole(const object& o, const Path& path) {
  Reader r(o, path);
  Role role;
  role.id = r.ReqId<core::RoleId>("id");
  role.name = r.ReqStr("name");
  role.position = static_cast<int>(r.ReqInt("position", -(1 << 30), 1 << 30));
  role.permissions = r.ReqPermissions("permissions");
  role.managed = r.Bool("managed");
  role.color = static_cast<std::uint32_t>(r.Int("color", 0, 0xFFFFFF));
  role.hoist = r.Bool("hoist");
  role.mentionable = r.Bool("mentionable");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return role;
}

}  // namespace detail

core::Result<Role> DecodeRole(std::string_view json) {
  return detail::DecodeOne<Role>(json, "role", detail::ReadRole);
}

core::Result<std::vector<Role>> DecodeRoles(std::string_view json) {
  return detail::DecodeList<Role>(json, "roles", detail::ReadRole);
}

nlohmann::json ToJson(const Role& role) {
  return {
      {"id", role.id.ToString()},
      {"name", role.name},
      {"color", role.color},
      {"hoist", role.hoist},
      {"icon", nullptr},
      {"unicode_emoji", nullptr},
      {"position", role.position},
      {"permissions", std::to_string(role.permissions)},
      {"managed", role.managed},
      {"mentionable", role.mentionable},
      {"flags", 0},
  };
}

}  // namespace discord

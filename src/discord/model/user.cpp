#include "discord/model/user.h"

#include <nlohmann/json.hpp>

#include "discord/model/detail/readers.h"
#include "discord/model/timestamp.h"

namespace discord {
namespace detail {

// Users and members are read in one pass over their fields: they sit on MESSAGE_CREATE's hot path.
core::Result<User> ReadUser(const object& o, const Path& path) {
  Reader r(o, path);
  User u;
  bool has_id = false;
  for (auto [key, value] : o) {
    Field f = r.At(key, value);
    if (key == "id") {
      u.id = f.ReqId<core::UserId>();
      has_id = true;
    } else if (key == "username") {
      u.username = f.Str();
    } else if (key == "global_name") {
      u.global_name = f.OptStr();
    } else if (key == "bot") {
      u.bot = f.Bool();
    } else if (key == "avatar") {
      u.has_avatar = f.Opt<std::string_view>().has_value();
    }
  }
  if (!has_id) r.Missing("id");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return u;
}

core::Result<Member> ReadMember(const object& o, const Path& path) {
  Reader r(o, path);
  Member m;
  for (auto [key, value] : o) {
    Field f = r.At(key, value);
    if (key == "roles") {
      m.roles = f.Ids<core::RoleId>();
    } else if (key == "user") {
      m.user = f.Nested<User>(ReadUser);
    } else if (key == "nick") {
      m.nick = f.OptStr();
    } else if (key == "joined_at") {
      m.joined_at = f.OptTime();
    } else if (key == "communication_disabled_until") {
      m.communication_disabled_until = f.OptTime();
    } else if (key == "pending") {
      m.pending = f.Bool();
    } else if (key == "flags") {
      m.flags = f.Opt<std::uint64_t>().value_or(0);
    } else if (key == "permissions") {
      m.permissions = f.OptPermissions();
    }
  }
  if (!r.ok()) return std::unexpected(r.TakeError());
  return m;
}

}  // namespace detail

MemberRoles RolesOf(core::UserId user, const Member& member) {
  return MemberRoles{user, member.roles, member.communication_disabled_until};
}

core::Result<User> DecodeUser(std::string_view json) {
  return detail::DecodeOne<User>(json, "user", detail::ReadUser);
}

core::Result<Member> DecodeMember(std::string_view json) {
  return detail::DecodeOne<Member>(json, "member", detail::ReadMember);
}

nlohmann::json ToJson(const User& user) {
  nlohmann::json j = {
      {"id", user.id.ToString()},
      {"username", user.username},
      {"discriminator", "0"},
      {"global_name", user.global_name ? nlohmann::json(*user.global_name) : nlohmann::json()},
      // The hash itself is not kept; any 32 hex digits stand for "has an avatar".
      {"avatar",
       user.has_avatar ? nlohmann::json("00000000000000000000000000000000") : nlohmann::json()},
      {"public_flags", 0},
  };
  if (user.bot) j["bot"] = true;
  return j;
}

nlohmann::json ToJson(const Member& member) {
  auto time = [](const std::optional<core::Timestamp>& t) {
    return t ? nlohmann::json(FormatTimestamp(*t)) : nlohmann::json();
  };
  nlohmann::json roles = nlohmann::json::array();
  for (core::RoleId id : member.roles) roles.push_back(id.ToString());
  nlohmann::json j = {
      {"roles", std::move(roles)},
      {"nick", member.nick ? nlohmann::json(*member.nick) : nlohmann::json()},
      {"avatar", nullptr},
      {"banner", nullptr},
      {"joined_at", time(member.joined_at)},
      {"premium_since", nullptr},
      {"deaf", false},
      {"mute", false},
      {"flags", member.flags},
      {"pending", member.pending},
      {"communication_disabled_until", time(member.communication_disabled_until)},
  };
  if (member.user) j["user"] = ToJson(*member.user);
  if (member.permissions) j["permissions"] = std::to_string(*member.permissions);
  return j;
}

}  // namespace discord

#include "discord/model/guild.h"

#include <nlohmann/json.hpp>

#include "discord/model/detail/readers.h"
#include "discord/model/role.h"
#include "discord/model/timestamp.h"

namespace discord {
namespace detail {

core::Result<Guild> ReadGuild(const object& o, const Path& path) {
  Reader r(o, path);
  Guild g;
  g.id = r.ReqId<core::GuildId>("id");
  g.unavailable = r.Bool("unavailable");
  if (g.unavailable) {  // an outage: nothing else is sent
    if (!r.ok()) return std::unexpected(r.TakeError());
    return g;
  }
  g.name = r.ReqStr("name");
  g.owner_id = r.ReqId<core::UserId>("owner_id");
  if (!r.Opt<array>("roles")) r.Missing("roles");
  g.roles = r.Objects<Role>("roles", ReadRole);
  if (auto count = r.OptInt("member_count", 0, 1LL << 31))
    g.member_count = static_cast<int>(*count);
  g.joined_at = r.OptTime("joined_at");
  g.large = r.Bool("large");
  g.channels = r.Objects<Channel>("channels", ReadChannel);
  g.threads = r.Objects<Channel>("threads", ReadChannel);
  g.members = r.Objects<Member>("members", ReadMember);
  if (!r.ok()) return std::unexpected(r.TakeError());
  for (Channel& c : g.channels) {
    if (!c.guild_id) c.guild_id = g.id;  // GUILD_CREATE leaves it out
  }
  for (Channel& c : g.threads) {
    if (!c.guild_id) c.guild_id = g.id;
  }
  return g;
}

}  // namespace detail

GuildRoles RolesOf(const Guild& guild) { return GuildRoles{guild.id, guild.owner_id, guild.roles}; }

core::Result<Guild> DecodeGuild(std::string_view json) {
  return detail::DecodeOne<Guild>(json, "guild", detail::ReadGuild);
}

nlohmann::json ToJson(const Guild& guild) {
  if (guild.unavailable) return {{"id", guild.id.ToString()}, {"unavailable", true}};
  nlohmann::json roles = nlohmann::json::array();
  for (const Role& role : guild.roles) roles.push_back(ToJson(role));
  nlohmann::json j = {
      {"id", guild.id.ToString()},
      {"name", guild.name},
      {"icon", nullptr},
      {"owner_id", guild.owner_id.ToString()},
      {"roles", std::move(roles)},
      {"emojis", nlohmann::json::array()},
      {"features", nlohmann::json::array()},
      {"mfa_level", 0},
      {"verification_level", 0},
      {"premium_tier", 0},
      {"preferred_locale", "en-US"},
      {"unavailable", false},
  };
  if (guild.member_count) j["member_count"] = *guild.member_count;
  if (guild.joined_at) j["joined_at"] = FormatTimestamp(*guild.joined_at);
  if (guild.large) j["large"] = true;
  auto list = [](const auto& items) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : items) out.push_back(ToJson(item));
    return out;
  };
  if (!guild.channels.empty()) j["channels"] = list(guild.channels);
  if (!guild.threads.empty()) j["threads"] = list(guild.threads);
  if (!guild.members.empty()) j["members"] = list(guild.members);
  return j;
}

}  // namespace discord

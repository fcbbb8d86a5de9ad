#include "discord/model/permissions.h"

#include <fmt/format.h>

#include <algorithm>

namespace discord {

core::Result<Permissions> ParsePermissions(std::string_view decimal) {
  auto fail = [&] {
    return core::Fail(
        core::ErrorCode::kInvalidArgument,
        fmt::format("permissions \"{}\" are not a 64-bit decimal number", decimal.substr(0, 40)),
        "permissions");
  };
  if (decimal.empty() || decimal.size() > 20) return fail();
  Permissions p = 0;
  for (char c : decimal) {
    if (c < '0' || c > '9') return fail();
    const Permissions digit = static_cast<Permissions>(c - '0');
    if (p > (permission::kAll - digit) / 10) return fail();  // would overflow
    p = p * 10 + digit;
  }
  return p;
}

const Role* GuildRoles::Find(core::RoleId role) const {
  const auto it =
      std::find_if(roles.begin(), roles.end(), [&](const Role& r) { return r.id == role; });
  return it == roles.end() ? nullptr : &*it;
}

Permissions BasePermissions(const GuildRoles& guild, const MemberRoles& member) {
  if (member.user == guild.owner) return permission::kAll;
  Permissions p = 0;
  if (const Role* everyone = guild.Find(core::RoleId(guild.id.value()))) p = everyone->permissions;
  for (core::RoleId id : member.roles) {
    if (const Role* r = guild.Find(id)) p |= r->permissions;
  }
  return (p & permission::kAdministrator) ? permission::kAll : p;
}

Permissions ChannelPermissions(const GuildRoles& guild, const MemberRoles& member,
                               std::span<const Overwrite> overwrites, core::Timestamp now) {
  Permissions p = BasePermissions(guild, member);
  if (p == permission::kAll) return p;
  auto find = [&](std::uint64_t id, Overwrite::Type type) -> const Overwrite* {
    for (const Overwrite& o : overwrites) {
      if (o.id == id && o.type == type) return &o;
    }
    return nullptr;
  };
  if (const Overwrite* everyone = find(guild.id.value(), Overwrite::Type::kRole)) {
    p &= ~everyone->deny;
    p |= everyone->allow;
  }
  Permissions allow = 0, deny = 0;
  for (core::RoleId id : member.roles) {
    if (const Overwrite* o = find(id.value(), Overwrite::Type::kRole)) {
      allow |= o->allow;
      deny |= o->deny;
    }
  }
  p &= ~deny;
  p |= allow;
  if (const Overwrite* own = find(member.user.value(), Overwrite::Type::kMember)) {
    p &= ~own->deny;
    p |= own->allow;
  }
  if (member.timed_out_until && *member.timed_out_until > now) {
    p &= permission::kViewChannel | permission::kReadMessageHistory;
  }
  return p;
}

bool Above(const Role& a, const Role& b) {
  if (a.position != b.position) return a.position > b.position;
  return a.id.value() < b.id.value();  // equal positions: the older (lower id) role is higher
}

const Role* HighestRole(const GuildRoles& guild, const MemberRoles& member) {
  const Role* best = nullptr;
  for (core::RoleId id : member.roles) {
    const Role* r = guild.Find(id);
    if (r && r->id.value() != guild.id.value() && (!best || Above(*r, *best))) best = r;
  }
  return best;
}

namespace {

// Whether the bot's highest role is strictly above the target's (no role at all is lowest).
bool Outranks(const GuildRoles& guild, const MemberRoles& bot, const MemberRoles& target) {
  const Role* mine = HighestRole(guild, bot);
  const Role* theirs = HighestRole(guild, target);
  if (!mine) return false;
  return !theirs || Above(*mine, *theirs);
}

}  // namespace

std::string_view Explain(Refusal r) {
  switch (r) {
    case Refusal::kNone:
      return "allowed";
    case Refusal::kTargetIsOwner:
      return "cannot act: the member owns the server";
    case Refusal::kTargetIsSelf:
      return "cannot act: that is the bot itself";
    case Refusal::kMissingPermission:
      return "cannot act: the bot lacks the permission";
    case Refusal::kRoleHierarchy:
      return "cannot act: role hierarchy (the member's highest role is not below the bot's)";
    case Refusal::kTargetIsAdmin:
      return "cannot act: administrators cannot be timed out";
    case Refusal::kManagedRole:
      return "cannot act: the role is managed by an integration";
  }
  return "cannot act";
}

Refusal CheckModeration(const GuildRoles& guild, const MemberRoles& bot, const MemberRoles& target,
                        ModAction action) {
  if (target.user == guild.owner) return Refusal::kTargetIsOwner;
  if (target.user == bot.user) return Refusal::kTargetIsSelf;
  const Permissions mine = BasePermissions(guild, bot);
  const Permissions needed = action == ModAction::kKick      ? permission::kKickMembers
                             : action == ModAction::kBan     ? permission::kBanMembers
                             : action == ModAction::kTimeout ? permission::kModerateMembers
                                                             : permission::kManageRoles;
  if ((mine & needed) != needed) return Refusal::kMissingPermission;
  // The owner's bot (rare) is not above the hierarchy for others: Discord checks roles.
  if (bot.user != guild.owner && !Outranks(guild, bot, target)) return Refusal::kRoleHierarchy;
  if (action == ModAction::kTimeout &&
      (BasePermissions(guild, target) & permission::kAdministrator)) {
    return Refusal::kTargetIsAdmin;
  }
  return Refusal::kNone;
}

Refusal CheckRoleAssignment(const GuildRoles& guild, const MemberRoles& bot, core::RoleId role) {
  const Role* r = guild.Find(role);
  if (!r) return Refusal::kMissingPermission;
  if (r->managed) return Refusal::kManagedRole;
  if ((BasePermissions(guild, bot) & permission::kManageRoles) == 0) {
    return Refusal::kMissingPermission;
  }
  if (bot.user == guild.owner) return Refusal::kNone;
  const Role* mine = HighestRole(guild, bot);
  if (!mine || !Above(*mine, *r)) return Refusal::kRoleHierarchy;
  return Refusal::kNone;
}

}  // namespace discord

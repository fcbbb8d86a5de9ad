// Discord permissions (../shared/discord/PROTOCOL.md §6): the bits an anti-spam bot uses, a
// member's effective permissions in a channel, and the role hierarchy, so the bot can say "cannot
// act: role hierarchy" before Discord refuses. Pure functions over the parts of a guild they need.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"

namespace discord {

using Permissions = std::uint64_t;

namespace permission {
inline constexpr Permissions kKickMembers = 1ULL << 1;
inline constexpr Permissions kBanMembers = 1ULL << 2;
inline constexpr Permissions kAdministrator = 1ULL << 3;
inline constexpr Permissions kManageChannels = 1ULL << 4;
inline constexpr Permissions kManageGuild = 1ULL << 5;
inline constexpr Permissions kViewAuditLog = 1ULL << 7;
inline constexpr Permissions kViewChannel = 1ULL << 10;
inline constexpr Permissions kSendMessages = 1ULL << 11;
inline constexpr Permissions kManageMessages = 1ULL << 13;
inline constexpr Permissions kReadMessageHistory = 1ULL << 16;
inline constexpr Permissions kMentionEveryone = 1ULL << 17;
inline constexpr Permissions kManageRoles = 1ULL << 28;
inline constexpr Permissions kManageThreads = 1ULL << 34;
inline constexpr Permissions kCreatePublicThreads = 1ULL << 35;
inline constexpr Permissions kCreatePrivateThreads = 1ULL << 36;
inline constexpr Permissions kSendMessagesInThreads = 1ULL << 38;
inline constexpr Permissions kModerateMembers = 1ULL << 40;
inline constexpr Permissions kAll = ~Permissions{0};
}  // namespace permission

// Discord sends permissions as a decimal string of any size; a value that does not fit in 64 bits
// (or is not a number) is an error, never truncated.
core::Result<Permissions> ParsePermissions(std::string_view decimal);

struct Role {
  core::RoleId id;
  int position = 0;  // @everyone is 0
  Permissions permissions = 0;
  bool managed = false;  // integration or booster role: cannot be assigned by hand
  std::string name;
  std::uint32_t color = 0;  // 0xRRGGBB, 0 for none
  bool hoist = false;       // shown separately in the member list
  bool mentionable = false;

  bool operator==(const Role&) const = default;
};

struct Overwrite {
  enum class Type { kRole = 0, kMember = 1 };
  std::uint64_t id = 0;  // a role id (the guild id for @everyone) or a user id
  Type type = Type::kRole;
  Permissions allow = 0;
  Permissions deny = 0;

  bool operator==(const Overwrite&) const = default;
};

// What permission arithmetic needs of a guild: its id (also @everyone's role id), owner and roles.
struct GuildRoles {
  core::GuildId id;
  core::UserId owner;
  std::vector<Role> roles;
  const Role* Find(core::RoleId role) const;
};

struct MemberRoles {
  core::UserId user;
  std::vector<core::RoleId> roles;
  std::optional<core::Timestamp> timed_out_until;  // communication_disabled_until
};

// Guild-wide: @everyone and the member's roles; everything for the owner and administrators.
Permissions BasePermissions(const GuildRoles& guild, const MemberRoles& member);

// In a channel (threads: pass the parent's overwrites): base, then @everyone's overwrite, then all
// role overwrites together (denies, then allows), then the member's own. A timed-out member keeps
// only View Channel and Read Message History (the owner and administrators are exempt).
Permissions ChannelPermissions(const GuildRoles& guild, const MemberRoles& member,
                               std::span<const Overwrite> overwrites, core::Timestamp now);

// The member's highest role (greatest position; at equal positions the lower id is higher), or
// nullptr for a member with no role but @everyone.
const Role* HighestRole(const GuildRoles& guild, const MemberRoles& member);

// Whether `a` sits above `b` in the hierarchy.
bool Above(const Role& a, const Role& b);

enum class Refusal {
  kNone,
  kTargetIsOwner,      // nobody acts on the owner
  kTargetIsSelf,       // the bot acting on itself
  kMissingPermission,  // the bot lacks the permission the action needs
  kRoleHierarchy,      // the target's highest role is not strictly below the bot's
  kTargetIsAdmin,      // administrators cannot be timed out
  kManagedRole,        // integration/booster roles cannot be assigned
};
std::string_view Explain(Refusal r);  // "cannot act: role hierarchy", ...

enum class ModAction { kKick, kBan, kTimeout, kChangeRoles };

// Whether the bot may do `action` to `target`, by Discord's rules, before asking Discord.
Refusal CheckModeration(const GuildRoles& guild, const MemberRoles& bot, const MemberRoles& target,
                        ModAction action);
// Whether the bot may add `role` to (or remove it from) members.
Refusal CheckRoleAssignment(const GuildRoles& guild, const MemberRoles& bot, core::RoleId role);

}  // namespace discord

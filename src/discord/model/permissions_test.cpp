#include "discord/model/permissions.h"

#include <gtest/gtest.h>

#include <chrono>

namespace discord {
namespace {

using namespace permission;
using namespace std::chrono_literals;

const core::GuildId kGuild(1390000000000000000);
const core::UserId kOwner(1000000000000000001);
const core::UserId kBot(1100000000000000000);
const core::UserId kAlice(1401999999999999999);
const core::RoleId kEveryone(kGuild.value());
const core::RoleId kMod(1390000000000000005), kBotRole(1390000000000000006),
    kRestricted(1390000000000000007), kAdmin(1390000000000000008), kBooster(1390000000000000009),
    kSneakyAdmin(1390000000000000010), kTwin(1390000000000000004);

GuildRoles Guild() {
  return GuildRoles{kGuild,
                    kOwner,
                    {{kEveryone, 0, kViewChannel | kSendMessages | kReadMessageHistory},
                     {kMod, 5, kKickMembers | kModerateMembers},
                     {kTwin, 5, 0},  // same position as Mod, lower id: above it
                     {kBotRole, 10, kKickMembers | kBanMembers | kModerateMembers | kManageRoles},
                     {kRestricted, 2, 0},
                     {kAdmin, 20, kAdministrator},
                     {kBooster, 1, 0, /*managed=*/true},
                     {kSneakyAdmin, 3, kAdministrator}}};
}

MemberRoles Member(core::UserId user, std::vector<core::RoleId> roles) {
  return MemberRoles{user, std::move(roles), std::nullopt};
}

TEST(PermissionsTest, ParsesDecimalStringsThatFit) {
  EXPECT_EQ(ParsePermissions("0").value(), 0u);
  EXPECT_EQ(ParsePermissions("8").value(), kAdministrator);
  EXPECT_EQ(ParsePermissions("1099511627776").value(), kModerateMembers);
  EXPECT_EQ(ParsePermissions("18446744073709551615").value(), kAll);
  for (const char* bad : {"18446744073709551616", "99999999999999999999", "", "-1", "12a", " 8",
                          "123456789012345678901"}) {
    EXPECT_FALSE(ParsePermissions(bad).has_value()) << bad;
  }
}

TEST(PermissionsTest, BaseIsEveryoneAndRolesAndAllForOwnersAndAdmins) {
  const GuildRoles g = Guild();
  EXPECT_EQ(BasePermissions(g, Member(kAlice, {})),
            kViewChannel | kSendMessages | kReadMessageHistory);
  EXPECT_EQ(BasePermissions(g, Member(kAlice, {kMod})) & (kKickMembers | kModerateMembers),
            kKickMembers | kModerateMembers);
  EXPECT_EQ(BasePermissions(g, Member(kAlice, {kAdmin})), kAll);
  EXPECT_EQ(BasePermissions(g, Member(kOwner, {})), kAll);
  EXPECT_EQ(BasePermissions(g, Member(kAlice, {core::RoleId(42)})),  // unknown roles add nothing
            kViewChannel | kSendMessages | kReadMessageHistory);
}

TEST(PermissionsTest, ChannelOverwritesApplyInTheDocumentedOrder) {
  const GuildRoles g = Guild();
  const core::Timestamp now(std::chrono::seconds(1'780'000'000));
  // The verification channel: hidden from @everyone, visible to the restricted role.
  const std::vector<Overwrite> verification{
      {kGuild.value(), Overwrite::Type::kRole, 0, kViewChannel},
      {kRestricted.value(), Overwrite::Type::kRole, kViewChannel, 0}};
  EXPECT_FALSE(ChannelPermissions(g, Member(kAlice, {}), verification, now) & kViewChannel);
  EXPECT_TRUE(ChannelPermissions(g, Member(kAlice, {kRestricted}), verification, now) &
              kViewChannel);
  // Among roles, allow beats deny whatever the positions.
  const std::vector<Overwrite> roles{{kMod.value(), Overwrite::Type::kRole, 0, kSendMessages},
                                     {kTwin.value(), Overwrite::Type::kRole, kSendMessages, 0}};
  EXPECT_TRUE(ChannelPermissions(g, Member(kAlice, {kMod, kTwin}), roles, now) & kSendMessages);
  EXPECT_FALSE(ChannelPermissions(g, Member(kAlice, {kMod}), roles, now) & kSendMessages);
  // The member's own overwrite comes last: it beats the roles both ways.
  std::vector<Overwrite> own = roles;
  own.push_back({kAlice.value(), Overwrite::Type::kMember, 0, kSendMessages});
  EXPECT_FALSE(ChannelPermissions(g, Member(kAlice, {kMod, kTwin}), own, now) & kSendMessages);
  own.back() = {kAlice.value(), Overwrite::Type::kMember, kSendMessages, 0};
  EXPECT_TRUE(ChannelPermissions(g, Member(kAlice, {kMod}), own, now) & kSendMessages);
  // A member overwrite does not apply as a role overwrite of the same id (types differ).
  const std::vector<Overwrite> typed{{kAlice.value(), Overwrite::Type::kRole, 0, kViewChannel}};
  EXPECT_TRUE(ChannelPermissions(g, Member(kAlice, {}), typed, now) & kViewChannel);
  // Administrators and the owner ignore overwrites.
  EXPECT_EQ(ChannelPermissions(g, Member(kAlice, {kAdmin}), verification, now), kAll);
  EXPECT_EQ(ChannelPermissions(g, Member(kOwner, {}), verification, now), kAll);
}

TEST(PermissionsTest, ATimedOutMemberKeepsOnlyViewAndHistory) {
  const GuildRoles g = Guild();
  const core::Timestamp now(std::chrono::seconds(1'780'000'000));
  MemberRoles m = Member(kAlice, {kMod});
  m.timed_out_until = now + 10min;
  EXPECT_EQ(ChannelPermissions(g, m, {}, now), kViewChannel | kReadMessageHistory);
  m.timed_out_until = now - 1s;  // over
  EXPECT_TRUE(ChannelPermissions(g, m, {}, now) & kSendMessages);
  MemberRoles admin = Member(kAlice, {kAdmin});
  admin.timed_out_until = now + 10min;
  EXPECT_EQ(ChannelPermissions(g, admin, {}, now), kAll);
}

TEST(PermissionsTest, HierarchyDecidesBeforeDiscordDoes) {
  const GuildRoles g = Guild();
  const MemberRoles bot = Member(kBot, {kBotRole});
  EXPECT_EQ(HighestRole(g, bot)->id, kBotRole);
  EXPECT_EQ(HighestRole(g, Member(kAlice, {})), nullptr);
  EXPECT_TRUE(Above(*g.Find(kTwin), *g.Find(kMod)));  // equal positions: the lower id is higher
  EXPECT_FALSE(Above(*g.Find(kMod), *g.Find(kTwin)));

  EXPECT_EQ(CheckModeration(g, bot, Member(kAlice, {kMod}), ModAction::kKick), Refusal::kNone);
  EXPECT_EQ(CheckModeration(g, bot, Member(kAlice, {}), ModAction::kBan), Refusal::kNone);
  EXPECT_EQ(CheckModeration(g, bot, Member(kAlice, {kAdmin}), ModAction::kBan),
            Refusal::kRoleHierarchy);
  EXPECT_EQ(CheckModeration(g, bot, Member(kAlice, {kBotRole}), ModAction::kKick),
            Refusal::kRoleHierarchy);  // equal: not strictly below
  EXPECT_EQ(CheckModeration(g, bot, Member(kOwner, {}), ModAction::kKick), Refusal::kTargetIsOwner);
  EXPECT_EQ(CheckModeration(g, bot, bot, ModAction::kKick), Refusal::kTargetIsSelf);
  // Below the bot but an administrator: kick is fine, a timeout is not.
  EXPECT_EQ(CheckModeration(g, bot, Member(kAlice, {kSneakyAdmin}), ModAction::kKick),
            Refusal::kNone);
  EXPECT_EQ(CheckModeration(g, bot, Member(kAlice, {kSneakyAdmin}), ModAction::kTimeout),
            Refusal::kTargetIsAdmin);
  // A bot that lacks the permission is told so first.
  EXPECT_EQ(CheckModeration(g, Member(kBot, {kMod}), Member(kAlice, {}), ModAction::kBan),
            Refusal::kMissingPermission);
  EXPECT_NE(Explain(Refusal::kRoleHierarchy).find("role hierarchy"), std::string_view::npos);
}

TEST(PermissionsTest, RolesTheBotMayAssign) {
  const GuildRoles g = Guild();
  const MemberRoles bot = Member(kBot, {kBotRole});
  EXPECT_EQ(CheckRoleAssignment(g, bot, kRestricted), Refusal::kNone);
  EXPECT_EQ(CheckRoleAssignment(g, bot, kAdmin), Refusal::kRoleHierarchy);
  EXPECT_EQ(CheckRoleAssignment(g, bot, kBotRole), Refusal::kRoleHierarchy);  // its own: not below
  EXPECT_EQ(CheckRoleAssignment(g, bot, kBooster), Refusal::kManagedRole);
  EXPECT_EQ(CheckRoleAssignment(g, Member(kBot, {kMod}), kRestricted), Refusal::kMissingPermission);
  EXPECT_EQ(CheckRoleAssignment(g, bot, core::RoleId(42)), Refusal::kMissingPermission);
}

}  // namespace
}  // namespace discord

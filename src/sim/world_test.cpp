// The simulator's rules, without sockets: what Discord refuses, with which code.
#include "sim/world.h"

#include <gtest/gtest.h>

#include "core/testing/manual_clock.h"

namespace sim {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace perm = discord::permission;

class WorldTest : public ::testing::Test {
 protected:
  WorldTest() : world_(clock_, core::UserId(1100000000000000000), 1100000000000000000) {
    owner_ = world_.AddUser("owner").id;
    Guild& g = world_.AddGuild("g", owner_);
    guild_ = g.id;
    bot_role_ = world_.AddRole(g, "bot", 10,
                               perm::kKickMembers | perm::kBanMembers | perm::kManageRoles |
                                   perm::kManageMessages | perm::kModerateMembers |
                                   perm::kCreatePrivateThreads | perm::kManageThreads);
    high_ = world_.AddRole(g, "high", 20, 0);
    low_ = world_.AddRole(g, "low", 1, 0);
    g.members[world_.bot().value()] = Member{world_.bot(), {bot_role_}, std::nullopt, {}, {}};
    channel_ = world_.AddChannel(g, "general").id;
    user_ = world_.AddUser("user").id;
    world_.Join(g, user_);
  }
  std::string G() const { return guild_.ToString(); }
  Guild& guild() { return *world_.FindGuild(guild_.value()); }

  core::testing::ManualClock clock_;
  World world_;
  core::UserId owner_, user_;
  core::GuildId guild_;
  core::RoleId bot_role_, high_, low_;
  core::ChannelId channel_;
};

TEST_F(WorldTest, RolesFollowTheHierarchy) {
  EXPECT_EQ(world_.AddMemberRole(G(), user_.ToString(), low_.ToString(), true).status, 204);
  const Answer above = world_.AddMemberRole(G(), user_.ToString(), high_.ToString(), true);
  EXPECT_EQ(above.status, 403);
  EXPECT_EQ(above.code, 50013);
  EXPECT_EQ(world_.AddMemberRole(G(), "1400000000000000000", low_.ToString(), true).code, 10007);
  EXPECT_EQ(world_.AddMemberRole(G(), user_.ToString(), "1400000000000000000", true).code, 10011);
  ASSERT_EQ(guild().members.at(user_.value()).roles, std::vector<core::RoleId>{low_});
}

TEST_F(WorldTest, NobodyActsOnTheOwnerOrAboveTheBot) {
  EXPECT_EQ(world_.Kick(G(), owner_.ToString()).code, 50013);
  world_.AddMemberRole(G(), user_.ToString(), low_.ToString(), true);
  guild().members.at(user_.value()).roles.push_back(high_);  // given by someone else
  EXPECT_EQ(world_.CreateBan(G(), user_.ToString(), json::object(), "").code, 50013);
  guild().members.at(user_.value()).roles = {low_};
  const Answer ban = world_.CreateBan(G(), user_.ToString(), {{"delete_message_seconds", 60}}, "r");
  EXPECT_EQ(ban.status, 204);
  ASSERT_EQ(ban.dispatches.size(), 2u);
  EXPECT_EQ(ban.dispatches[0].event, "GUILD_MEMBER_REMOVE");
  EXPECT_EQ(ban.dispatches[1].event, "GUILD_BAN_ADD");
  EXPECT_EQ(guild().bans.at(user_.value()).reason, "r");
  EXPECT_EQ(world_.CreateBan(G(), owner_.ToString(), {{"delete_message_seconds", 604801}}, "").code,
            50035);
}

TEST_F(WorldTest, TimeoutsAreAtMost28DaysAndNeverOnAdministrators) {
  const auto at = [&](std::chrono::hours h) {
    return json{{"communication_disabled_until", IsoTime(clock_.Now() + h)}};
  };
  EXPECT_EQ(world_.ModifyMember(G(), user_.ToString(), at(24h)).status, 200);
  EXPECT_TRUE(guild().members.at(user_.value()).timed_out_until.has_value());
  EXPECT_EQ(world_.ModifyMember(G(), user_.ToString(), at(29 * 24h)).code, 50035);
  EXPECT_EQ(world_.ModifyMember(G(), user_.ToString(), {{"communication_disabled_until", nullptr}})
                .status,
            200);
  EXPECT_FALSE(guild().members.at(user_.value()).timed_out_until.has_value());
  EXPECT_EQ(world_.ModifyMember(G(), owner_.ToString(), at(1h)).code, 50013);
}

TEST_F(WorldTest, BulkDeleteTakesTwoToAHundredRecentMessages) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const Answer a = world_.Post(channel_, user_, "m" + std::to_string(i));
    ASSERT_EQ(a.status, 200);
    ids.push_back(json::parse(a.body)["id"]);
  }
  EXPECT_EQ(world_.BulkDelete(channel_.ToString(), {{"messages", {ids[0]}}}).code, 50016);
  EXPECT_EQ(world_.BulkDelete(channel_.ToString(), {{"messages", {ids[0], ids[0]}}}).code, 50035);
  const std::string old =
      std::to_string(core::MessageId::CreatedAtTime(clock_.Now() - std::chrono::days(15)).value());
  EXPECT_EQ(world_.BulkDelete(channel_.ToString(), {{"messages", {ids[0], old}}}).code, 50034);
  EXPECT_EQ(world_.BulkDelete(channel_.ToString(), {{"messages", {ids[0], ids[1]}}}).status, 204);
  EXPECT_EQ(world_.GetMessage(channel_.ToString(), ids[0]).code, 10008);
  EXPECT_EQ(world_.GetMessage(channel_.ToString(), ids[2]).status, 200);
}

TEST_F(WorldTest, ThreadsArePrivateByDefaultAndArchivedOnesRefuseMembers) {
  const Answer t = world_.StartThread(channel_.ToString(), std::nullopt, {{"name", "verify"}});
  ASSERT_EQ(t.status, 201);
  const json thread = json::parse(t.body);
  EXPECT_EQ(thread["type"], 12);
  const std::string id = thread["id"];
  EXPECT_EQ(world_.AddThreadMember(id, user_.ToString()).status, 204);
  EXPECT_EQ(world_.ModifyChannel(id, {{"archived", true}, {"locked", true}}).status, 200);
  EXPECT_EQ(world_.AddThreadMember(id, owner_.ToString()).code, 50083);
  EXPECT_EQ(world_.StartThread(channel_.ToString(), std::nullopt, {{"name", ""}}).code, 50035);
}

TEST_F(WorldTest, InteractionsMustBeAnsweredOnceWithinThreeSeconds) {
  const Answer created = world_.CreateInteraction(channel_, user_, 2, {{"name", "history"}});
  ASSERT_EQ(created.status, 200);
  const json d = json::parse(created.body);
  EXPECT_EQ(d["member"]["permissions"].get<std::string>(),
            std::to_string(world_.PermissionsIn(*world_.FindChannel(channel_.value()), user_)));
  const std::string id = d["id"], token = d["token"];
  EXPECT_EQ(world_.InteractionCallback(id, "wrong-token", {{"type", 5}}).code, 10062);
  EXPECT_EQ(world_.InteractionCallback(id, token, {{"type", 5}}).status, 204);
  EXPECT_EQ(world_.InteractionCallback(id, token, {{"type", 5}}).code, 40060);
  EXPECT_EQ(world_.EditOriginal(token, {{"content", "done"}}).status, 200);

  const Answer late = world_.CreateInteraction(channel_, user_, 2, {{"name", "history"}});
  const json l = json::parse(late.body);
  clock_.Advance(3100ms);
  EXPECT_EQ(world_
                .InteractionCallback(l["id"].get<std::string>(), l["token"].get<std::string>(),
                                     {{"type", 4}, {"data", {{"content", "x"}}}})
                .code,
            10062);
}

TEST_F(WorldTest, EmptyOrOversizedMessagesAreRefused) {
  EXPECT_EQ(world_.CreateMessage(channel_.ToString(), json::object()).code, 50006);
  EXPECT_EQ(world_.CreateMessage(channel_.ToString(), {{"content", std::string(2001, 'x')}}).code,
            50035);
  EXPECT_EQ(world_.CreateMessage(channel_.ToString(), {{"content", "ok"}}).status, 200);
  EXPECT_EQ(world_.CreateMessage("1400000000000000000", {{"content", "ok"}}).code, 10003);
}

}  // namespace
}  // namespace sim

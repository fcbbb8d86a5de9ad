// Which events are judged, and the samples built from them, on the JSON the simulator writes.
#include "bot/samples.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/testing/manual_clock.h"
#include "sim/world.h"

namespace bot {
namespace {

using json = nlohmann::json;
namespace perm = discord::permission;

class SamplesTest : public ::testing::Test {
 protected:
  SamplesTest() : world_(clock_, core::UserId(1100000000000000000), 1100000000000000000) {
    owner_ = world_.AddUser("owner").id;
    sim::Guild& g = world_.AddGuild("g", owner_);
    guild_ = g.id;
    const core::RoleId bot_role = world_.AddRole(g, "bot", 10, perm::kAdministrator);
    moderators_ = world_.AddRole(g, "mods", 5, perm::kKickMembers | perm::kManageMessages);
    g.members[world_.bot().value()] = sim::Member{world_.bot(), {bot_role}, std::nullopt, {}, {}};
    channel_ = world_.AddChannel(g, "general").id;
    user_ = world_.AddUser("spammer", false, /*avatar=*/false).id;
    moderator_ = world_.AddUser("mod").id;
    world_.Join(g, user_);
    world_.Join(g, moderator_, {moderators_});
    auto decoded = discord::DecodeGuild(world_.GuildJson(g).dump());
    EXPECT_TRUE(decoded.has_value()) << decoded.error().message;
    roles_ = discord::RolesOf(*decoded);
  }

  // The MESSAGE_CREATE the simulator dispatches for `author` posting `text`, edited by `change`.
  discord::Message Posted(core::UserId author, std::string text,
                          const std::function<void(json&)>& change = {}) {
    const sim::Answer a =
        world_.Post(channel_, author, std::move(text), {moderator_}, /*mention_everyone=*/false);
    EXPECT_EQ(a.status, 200) << a.body;
    json d = a.dispatches.at(0).data;
    if (change) change(d);
    auto p = discord::DecodeGatewayPayload(
        json{{"op", 0}, {"s", 1}, {"t", "MESSAGE_CREATE"}, {"d", d}}.dump());
    EXPECT_TRUE(p.has_value()) << p.error().message;
    return std::get<discord::Message>(p->data);
  }
  bool Moderator(core::UserId u) {
    const sim::Member& m = world_.FindGuild(guild_.value())->members.at(u.value());
    return IsModerator(roles_, discord::MemberRoles{u, m.roles, std::nullopt});
  }

  core::testing::ManualClock clock_;
  sim::World world_;
  core::UserId owner_, user_, moderator_;
  core::GuildId guild_;
  core::RoleId moderators_;
  core::ChannelId channel_;
  discord::GuildRoles roles_;
};

TEST_F(SamplesTest, AMembersMessageIsJudgedWithItsContext) {
  const discord::Message m = Posted(user_, "free nitro https://evil.example");
  ASSERT_EQ(ShouldJudge(m, Moderator(user_)), Skip::kJudge);
  const MemberContext context{.messages_in_guild = 3, .prior_detections = 1, .reputation = -0.5};
  const detect::MessageSample s = MessageSampleOf(m, context, false);
  EXPECT_EQ(s.guild, guild_);
  EXPECT_EQ(s.channel, channel_);
  EXPECT_EQ(s.message, m.id);
  EXPECT_EQ(s.text, "free nitro https://evil.example");
  EXPECT_EQ(s.author.id, user_);
  EXPECT_EQ(s.author.username, "spammer");
  EXPECT_FALSE(s.author.has_avatar);
  EXPECT_EQ(s.author.messages_in_guild, 3);
  EXPECT_EQ(s.author.prior_detections, 1);
  EXPECT_DOUBLE_EQ(s.author.reputation, -0.5);
  EXPECT_EQ(s.author.joined_at, clock_.Now());  // from the event's member
  EXPECT_EQ(s.user_mentions, 1);
  EXPECT_EQ(s.at, m.timestamp);
}

TEST_F(SamplesTest, BotsWebhooksSystemMessagesAndDirectMessagesAreNotJudged) {
  EXPECT_EQ(ShouldJudge(Posted(user_, "x", [](json& d) { d["author"]["bot"] = true; }), false),
            Skip::kBot);
  EXPECT_EQ(
      ShouldJudge(Posted(user_, "x", [](json& d) { d["webhook_id"] = "1400000000000000000"; }),
                  false),
      Skip::kWebhook);
  EXPECT_EQ(ShouldJudge(Posted(user_, "", [](json& d) { d["type"] = 7; }), false),  // joined
            Skip::kSystemMessage);
  EXPECT_EQ(ShouldJudge(Posted(user_, "x", [](json& d) { d["type"] = 19; }), false),  // a reply
            Skip::kJudge);
  EXPECT_EQ(ShouldJudge(Posted(user_, "x", [](json& d) { d.erase("guild_id"); }), false),
            Skip::kDirectMessage);
}

TEST_F(SamplesTest, ModeratorsAreExemptUnlessTheGuildSaysOtherwise) {
  EXPECT_TRUE(Moderator(moderator_));
  EXPECT_TRUE(Moderator(owner_));
  EXPECT_FALSE(Moderator(user_));
  const discord::Message m = Posted(moderator_, "free nitro");
  EXPECT_EQ(ShouldJudge(m, true), Skip::kModerator);
  EXPECT_EQ(ShouldJudge(m, true, /*judge_moderators=*/true), Skip::kJudge);
  EXPECT_TRUE(MessageSampleOf(m, {}, true).author.is_moderator);
}

TEST_F(SamplesTest, AJoinBecomesAJoinSampleAndBotsAreSkipped) {
  const core::UserId fresh = world_.AddUser("n1tro_support", false, false).id;
  const sim::Answer a = world_.Join(*world_.FindGuild(guild_.value()), fresh);
  auto p = discord::DecodeGatewayPayload(
      json{{"op", 0}, {"s", 1}, {"t", "GUILD_MEMBER_ADD"}, {"d", a.dispatches.at(0).data}}.dump());
  ASSERT_TRUE(p.has_value()) << p.error().message;
  const auto& join = std::get<discord::GuildMemberAdd>(p->data);
  const auto s = JoinSampleOf(join, {});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->guild, guild_);
  EXPECT_EQ(s->user.id, fresh);
  EXPECT_EQ(s->user.username, "n1tro_support");
  EXPECT_FALSE(s->user.has_avatar);
  EXPECT_EQ(s->at, clock_.Now());

  discord::GuildMemberAdd bot_join = join;
  bot_join.member.user->bot = true;
  EXPECT_FALSE(JoinSampleOf(bot_join, {}).has_value());
}

}  // namespace
}  // namespace bot

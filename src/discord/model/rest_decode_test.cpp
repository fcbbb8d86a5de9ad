// The standalone decoders of REST responses: the shapes Discord returns, the error discipline.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "discord/model/channel.h"
#include "discord/model/commands.h"
#include "discord/model/gateway_bot.h"
#include "discord/model/guild.h"
#include "discord/model/message.h"
#include "discord/model/role.h"
#include "discord/model/timestamp.h"
#include "discord/model/user.h"

namespace discord {
namespace {

template <class T>
std::string ErrorOf(const core::Result<T>& r) {
  EXPECT_FALSE(r.has_value());
  return r ? std::string() : r.error().message;
}

TEST(RestDecodeTest, UserAndMember) {
  auto u = DecodeUser(R"({"id":"80351110224678912","username":"nelly","discriminator":"0",
    "global_name":"Nelly","avatar":"8342729096ea3675442027381ff50dfe","bot":false,"banner":null,
    "accent_color":16711680,"public_flags":64})");
  ASSERT_TRUE(u.has_value()) << u.error().message;
  EXPECT_EQ(*u, (User{core::UserId(80351110224678912), "nelly", "Nelly", false, true}));
  EXPECT_EQ(ErrorOf(DecodeUser(R"({"username":"x"})")), "user.id is missing");
  EXPECT_EQ(ErrorOf(DecodeUser(R"({"id":"1","bot":"no"})")), "user.bot has the wrong type");

  auto m = DecodeMember(R"({"user":{"id":"5","username":"a"},"nick":null,"roles":["6","7"],
    "joined_at":"2026-01-01T00:00:00.000000+00:00","deaf":false,"mute":false,"flags":2,
    "pending":true,"communication_disabled_until":"2026-01-02T00:00:00.000000+00:00"})");
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->user->id, core::UserId(5));
  EXPECT_EQ(m->roles, (std::vector<core::RoleId>{core::RoleId(6), core::RoleId(7)}));
  EXPECT_TRUE(m->pending);
  EXPECT_EQ(m->flags, 2u);
  EXPECT_FALSE(m->nick.has_value());
  EXPECT_EQ(m->communication_disabled_until, ParseTimestamp("2026-01-02T00:00:00Z").value());
  const MemberRoles roles = RolesOf(core::UserId(5), *m);
  EXPECT_EQ(roles.timed_out_until, m->communication_disabled_until);
  EXPECT_EQ(ErrorOf(DecodeMember(R"({"roles":["6",7.5]})")), "member.roles[1] is not a snowflake");
  EXPECT_EQ(ErrorOf(DecodeMember(R"({"joined_at":"yesterday"})")),
            "member.joined_at is not a timestamp");
  EXPECT_EQ(ErrorOf(DecodeMember(R"({"user":{"username":"no id"}})")), "member.user.id is missing");
}

TEST(RestDecodeTest, Message) {
  auto m = DecodeMessage(
      R"({"id":"11","channel_id":"12","author":{"id":"13","username":"bot","bot":true},
    "content":"hello","timestamp":"2026-08-06T10:00:00.000000+00:00",
    "edited_timestamp":"2026-08-06T10:01:00.000000+00:00","tts":false,"mention_everyone":false,
    "mentions":[{"id":"14","username":"x"}],"mention_roles":["15"],"attachments":[],"embeds":[],
    "pinned":false,"type":19,"flags":4,"sticker_items":[{"id":"1","name":"s","format_type":1}],
    "message_reference":{"type":0,"message_id":"10","channel_id":"12","guild_id":"16"},
    "referenced_message":{"id":"10"},"webhook_id":"17"})");
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->type, 19);
  EXPECT_EQ(m->flags, 4u);
  EXPECT_EQ(m->edited_timestamp, ParseTimestamp("2026-08-06T10:01:00Z").value());
  EXPECT_EQ(m->mentions, std::vector<core::UserId>{core::UserId(14)});
  EXPECT_EQ(m->sticker_items, 1);
  EXPECT_EQ(m->webhook_id, 17u);
  ASSERT_TRUE(m->message_reference.has_value());
  EXPECT_EQ(m->message_reference->message_id, core::MessageId(10));
  EXPECT_EQ(m->message_reference->guild_id, core::GuildId(16));
  EXPECT_FALSE(m->guild_id.has_value());  // REST messages carry no guild_id

  auto list = DecodeMessages(
      R"([{"id":"1","channel_id":"2","author":{"id":"3"},"timestamp":"2026-08-06T10:00:00Z"},
                                 {"id":"4","channel_id":"2","author":{"id":"3"}}])");
  EXPECT_EQ(ErrorOf(list), "messages[1].timestamp is missing");
  EXPECT_EQ(
      ErrorOf(DecodeMessage(R"({"id":"1","channel_id":"2","timestamp":"2026-08-06T10:00:00Z"})")),
      "message.author is missing");
  EXPECT_EQ(ErrorOf(DecodeMessage(R"({"id":"1","channel_id":"2","author":{"id":"3"},
      "timestamp":"2026-08-06T10:00:00Z","embeds":[{"title":"x"},"not an embed"]})")),
            "message.embeds[1] is not an object");
  EXPECT_EQ(ErrorOf(DecodeMessage(R"({"id":"1","channel_id":"2","author":{"id":"3"},
      "timestamp":"2026-08-06T10:00:00Z","embeds":[{"color":16777216}]})")),
            "message.embeds[0].color is out of range (0..16777215)");
  EXPECT_EQ(ErrorOf(DecodeMessage(R"({"id":"1","channel_id":"2","author":{"id":"3"},
      "timestamp":"2026-08-06T10:00:00Z","components":[{"type":1,"components":[{"type":2,"label":"x"}]}]})")),
            "message.components[0].components[0].style is missing");
}

TEST(RestDecodeTest, ChannelsAndThreads) {
  auto c = DecodeChannel(R"({"id":"41771983423143937","type":0,"guild_id":"41771983423143938",
    "name":"general","topic":"24/7 chat about how to gank Mike #2","position":6,
    "permission_overwrites":[{"id":"41771983423143938","type":0,"allow":"0","deny":"2048"},
                             {"id":"5","type":1,"allow":"2048","deny":"0"}],
    "rate_limit_per_user":2,"nsfw":true,"last_message_id":"155117677105512449","parent_id":"399942396007890945",
    "default_auto_archive_duration":60})");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->type, ChannelType::kGuildText);
  EXPECT_EQ(c->guild_id, core::GuildId(41771983423143938));
  EXPECT_EQ(c->topic, "24/7 chat about how to gank Mike #2");
  EXPECT_EQ(c->position, 6);
  EXPECT_EQ(c->rate_limit_per_user, 2);
  EXPECT_EQ(c->parent_id, core::ChannelId(399942396007890945));
  ASSERT_EQ(c->permission_overwrites.size(), 2u);
  EXPECT_EQ(c->permission_overwrites[1],
            (Overwrite{5, Overwrite::Type::kMember, permission::kSendMessages, 0}));
  EXPECT_FALSE(IsThread(c->type));

  auto thread = DecodeChannel(R"({"id":"9","type":12,"guild_id":"8","parent_id":"7","owner_id":"6",
    "name":"case-42","rate_limit_per_user":0,"message_count":0,"member_count":1,
    "thread_metadata":{"archived":true,"auto_archive_duration":10080,
                       "archive_timestamp":"2026-08-06T10:00:00.000000+00:00","locked":true,"invitable":false},
    "member":{"id":"9","user_id":"6","join_timestamp":"2026-08-06T10:00:00.000000+00:00","flags":0},
    "total_message_sent":0})");
  ASSERT_TRUE(thread.has_value()) << thread.error().message;
  EXPECT_TRUE(IsThread(thread->type));
  EXPECT_EQ(thread->owner_id, core::UserId(6));
  EXPECT_EQ(
      thread->thread_metadata,
      (ThreadMetadata{true, 10080, ParseTimestamp("2026-08-06T10:00:00Z").value(), true, false}));

  auto dm = DecodeChannel(R"({"id":"3","type":1,"last_message_id":null,
    "recipients":[{"id":"4","username":"someone"}]})");
  ASSERT_TRUE(dm.has_value());
  EXPECT_EQ(dm->recipients.at(0).id, core::UserId(4));
  EXPECT_TRUE(dm->name.empty());

  auto list = DecodeChannels(
      R"([{"id":"1","type":4,"name":"Moderation"},{"id":"2","type":0,"name":"mod-log","parent_id":"1"}])");
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].type, ChannelType::kGuildCategory);

  EXPECT_EQ(ErrorOf(DecodeChannel(R"({"id":"1"})")), "channel.type is missing");
  EXPECT_EQ(ErrorOf(DecodeChannel(R"({"type":0})")), "channel.id is missing");
  EXPECT_EQ(ErrorOf(DecodeChannel(R"({"id":"1","type":0,"rate_limit_per_user":-1})")),
            "channel.rate_limit_per_user is out of range (0..21600)");
  EXPECT_EQ(
      ErrorOf(DecodeChannel(
          R"({"id":"1","type":0,"permission_overwrites":[{"id":"2","type":0,"allow":"0"}]})")),
      "channel.permission_overwrites[0].deny is missing");
  EXPECT_EQ(
      ErrorOf(DecodeChannel(
          R"({"id":"1","type":0,"permission_overwrites":[{"id":"2","type":0,"allow":"99999999999999999999999","deny":"0"}]})")),
      "channel.permission_overwrites[0].allow is not a 64-bit decimal permission set");
  EXPECT_EQ(
      ErrorOf(DecodeChannel(
          R"({"id":"1","type":0,"permission_overwrites":[{"id":"2","type":3,"allow":"0","deny":"0"}]})")),
      "channel.permission_overwrites[0].type is out of range (0..1)");
  EXPECT_EQ(ErrorOf(DecodeChannels(R"({"id":"1","type":0})")), "channels is not an array");
  EXPECT_EQ(ErrorOf(DecodeChannels(R"([{"id":"1","type":0},3])")), "channels[1] is not an object");
}

TEST(RestDecodeTest, GuildsAndRoles) {
  auto g = DecodeGuild(R"({"id":"1","name":"G","owner_id":"2","icon":null,"features":[],
    "roles":[{"id":"1","name":"@everyone","position":0,"permissions":"104324673","color":0,
              "hoist":false,"managed":false,"mentionable":false,"tags":{}}],
    "emojis":[],"premium_tier":0,"approximate_member_count":12})");
  ASSERT_TRUE(g.has_value()) << g.error().message;
  EXPECT_EQ(g->roles.at(0).permissions, 104324673u);
  EXPECT_TRUE(g->channels.empty());
  EXPECT_FALSE(g->member_count.has_value());
  EXPECT_EQ(ErrorOf(DecodeGuild(R"({"id":"1","name":"G","roles":[]})")),
            "guild.owner_id is missing");

  auto r = DecodeRole(R"({"id":"41771983423143936","name":"WE DEM BOYZZ!!!!!!","color":3447003,
    "hoist":true,"icon":"cf3ced8600b777c9486c6d8d84fb4327","unicode_emoji":null,"position":1,
    "permissions":"66321471","managed":false,"mentionable":false,"flags":0})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->name, "WE DEM BOYZZ!!!!!!");
  EXPECT_EQ(r->color, 3447003u);
  EXPECT_EQ(r->permissions, 66321471u);
  for (const char* field : {"id", "name", "position", "permissions"}) {
    nlohmann::json j =
        nlohmann::json::parse(R"({"id":"1","name":"r","position":1,"permissions":"0"})");
    j.erase(field);
    EXPECT_EQ(ErrorOf(DecodeRole(j.dump())), "role." + std::string(field) + " is missing");
  }
  EXPECT_EQ(ErrorOf(DecodeRole(R"({"id":"1","name":"r","position":1,"permissions":8})")),
            "role.permissions has the wrong type");
  auto roles = DecodeRoles(R"([{"id":"1","name":"a","position":0,"permissions":"0"},
                               {"id":"2","name":"b","position":1,"permissions":"8","managed":true}])");
  ASSERT_TRUE(roles.has_value());
  EXPECT_TRUE((*roles)[1].managed);
  EXPECT_EQ(ErrorOf(DecodeRoles(R"([{"id":"1","name":"a","position":0,"permissions":"-8"}])")),
            "roles[0].permissions is not a 64-bit decimal permission set");
}

TEST(RestDecodeTest, GatewayBot) {
  auto g = DecodeGatewayBot(R"({"url":"wss://gateway.discord.gg","shards":9,
    "session_start_limit":{"total":1000,"remaining":999,"reset_after":14400000,"max_concurrency":1}})");
  ASSERT_TRUE(g.has_value()) << g.error().message;
  EXPECT_EQ(g->url, "wss://gateway.discord.gg");
  EXPECT_EQ(g->shards, 9);
  EXPECT_EQ(g->session_start_limit.remaining, 999);
  EXPECT_EQ(g->session_start_limit.reset_after, std::chrono::hours(4));
  EXPECT_EQ(DecodeGatewayBot(ToJson(*g).dump()).value(), *g);
  EXPECT_EQ(ErrorOf(DecodeGatewayBot(R"({"url":"wss://x","shards":1})")),
            "gateway_bot.session_start_limit is missing");
  EXPECT_EQ(ErrorOf(DecodeGatewayBot(R"({"url":"wss://x","shards":0,"session_start_limit":{}})")),
            "gateway_bot.shards is out of range (1..2147483648)");
  EXPECT_EQ(ErrorOf(DecodeGatewayBot(R"({"url":"wss://x","shards":1,
    "session_start_limit":{"total":1000,"remaining":999,"reset_after":1}})")),
            "gateway_bot.session_start_limit.max_concurrency is missing");
}

TEST(RestDecodeTest, ApplicationCommands) {
  auto list = DecodeApplicationCommands(R"([
    {"id":"1395000000000000001","application_id":"1100000000000000000","version":"1",
     "default_member_permissions":"1099511627776","type":1,"name":"antispam","description":"x",
     "guild_id":"1390000000000000000","options":[]},
    {"id":"1395000000000000002","application_id":"1100000000000000000","type":3,
     "name":"Report spam","description":""}])");
  ASSERT_TRUE(list.has_value()) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0],
            (CommandInfo{CommandId(1395000000000000001), "antispam", CommandType::kChatInput,
                         ApplicationId(1100000000000000000), core::GuildId(1390000000000000000)}));
  EXPECT_EQ((*list)[1].type, CommandType::kMessage);
  EXPECT_EQ(ErrorOf(DecodeApplicationCommands(R"([{"id":"1","type":1}])")),
            "commands[0].name is missing");
}

}  // namespace
}  // namespace discord

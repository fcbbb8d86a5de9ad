#include "discord/model/entities.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace discord {
namespace {

// The examples of ../shared/discord/PROTOCOL.md §2.3.
const std::string kMessageCreate = R"({"op":0,"s":57,"t":"MESSAGE_CREATE","d":{
  "id":"1402000000000000001","channel_id":"1390000000000000010","guild_id":"1390000000000000000",
  "channel_type":0,"type":0,"flags":0,"nonce":"1402000000000000000",
  "author":{"id":"1401999999999999999","username":"freegifts","discriminator":"0",
            "global_name":"Free Gifts","avatar":null,"public_flags":0},
  "member":{"roles":[],"nick":null,"avatar":null,"banner":null,
            "joined_at":"2026-08-06T10:15:02.113000+00:00","premium_since":null,
            "deaf":false,"mute":false,"flags":1,"communication_disabled_until":null},
  "content":"@everyone free nitro https://example.invalid/gift",
  "timestamp":"2026-08-06T10:15:09.871000+00:00","edited_timestamp":null,
  "tts":false,"mention_everyone":true,"mentions":[],"mention_roles":[],
  "attachments":[],"embeds":[],"components":[],"pinned":false}})";

const std::string kMemberAdd = R"({"op":0,"s":58,"t":"GUILD_MEMBER_ADD","d":{
  "guild_id":"1390000000000000000",
  "user":{"id":"1402000000123456789","username":"newbie_9123","discriminator":"0",
          "global_name":null,"avatar":null,"public_flags":0},
  "nick":null,"avatar":null,"banner":null,"roles":[],
  "joined_at":"2026-08-06T10:20:00.000000+00:00","premium_since":null,
  "deaf":false,"mute":false,"flags":0,"pending":false,"communication_disabled_until":null}})";

TEST(EntitiesTest, DecodesMessageCreate) {
  auto p = DecodeGatewayPayload(kMessageCreate);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->op, 0);
  EXPECT_EQ(p->sequence, 57);
  EXPECT_EQ(p->event, "MESSAGE_CREATE");
  const auto* m = std::get_if<Message>(&p->data);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->id, core::MessageId(1402000000000000001));
  EXPECT_EQ(m->channel_id, core::ChannelId(1390000000000000010));
  EXPECT_EQ(m->guild_id, core::GuildId(1390000000000000000));
  EXPECT_EQ(m->author.id, core::UserId(1401999999999999999));
  EXPECT_EQ(m->author.username, "freegifts");
  EXPECT_EQ(m->author.global_name, "Free Gifts");
  EXPECT_FALSE(m->author.bot);
  EXPECT_FALSE(m->author.has_avatar);
  ASSERT_TRUE(m->member.has_value());
  EXPECT_FALSE(m->member->user.has_value());  // partial member in MESSAGE_CREATE
  EXPECT_EQ(m->member->flags, 1u);            // DID_REJOIN
  EXPECT_EQ(m->member->joined_at, ParseTimestamp("2026-08-06T10:15:02.113Z").value());
  EXPECT_EQ(m->content, "@everyone free nitro https://example.invalid/gift");
  EXPECT_TRUE(m->mention_everyone);
  EXPECT_EQ(m->attachments, 0);
  EXPECT_EQ(m->timestamp, ParseTimestamp("2026-08-06T10:15:09.871+00:00").value());
}

TEST(EntitiesTest, DecodesGuildMemberAddAndMentions) {
  auto p = DecodeGatewayPayload(kMemberAdd);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  const auto* add = std::get_if<GuildMemberAdd>(&p->data);
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->guild_id, core::GuildId(1390000000000000000));
  ASSERT_TRUE(add->member.user.has_value());
  EXPECT_EQ(add->member.user->id, core::UserId(1402000000123456789));
  EXPECT_FALSE(add->member.user->global_name.has_value());
  EXPECT_FALSE(add->member.pending);

  std::string with_mentions = kMessageCreate;
  auto swap = [&](std::string_view from, std::string_view to) {
    with_mentions.replace(with_mentions.find(from), from.size(), to);
  };
  swap(R"("mentions":[])",
       R"("mentions":[{"id":"1390000000000000555","username":"mod","member":{}}])");
  swap(R"("mention_roles":[])", R"("mention_roles":["1390000000000000777"])");
  swap(R"("attachments":[])", R"("attachments":[{"id":"1"},{"id":"2"}])");
  auto m = DecodeGatewayPayload(with_mentions);
  ASSERT_TRUE(m.has_value()) << m.error().message;
  const Message& msg = std::get<Message>(m->data);
  EXPECT_EQ(msg.mentions, std::vector<core::UserId>{core::UserId(1390000000000000555)});
  EXPECT_EQ(msg.mention_roles, std::vector<core::RoleId>{core::RoleId(1390000000000000777)});
  EXPECT_EQ(msg.attachments, 2);
}

TEST(EntitiesTest, UnknownFieldsAndEventsAndOtherOpsPassThrough) {
  std::string extra = kMessageCreate;
  extra.insert(extra.find(R"("content")"), R"("a_field_from_2030":{"x":[1,2,3]},)");
  EXPECT_TRUE(DecodeGatewayPayload(extra).has_value());
  auto other = DecodeGatewayPayload(R"({"op":0,"s":9,"t":"TYPING_START","d":{"x":1}})");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(std::get<OtherEvent>(other->data).name, "TYPING_START");
  auto hello =
      DecodeGatewayPayload(R"({"op":10,"s":null,"t":null,"d":{"heartbeat_interval":41250}})");
  ASSERT_TRUE(hello.has_value()) << hello.error().message;
  EXPECT_EQ(hello->op, 10);
  EXPECT_FALSE(hello->sequence.has_value());
  EXPECT_TRUE(hello->event.empty());
  // Field order does not matter (Discord sends "t" and "s" before "op").
  auto reordered = DecodeGatewayPayload(R"({"d":{"x":1},"t":"GUILD_UPDATE","s":3,"op":0})");
  ASSERT_TRUE(reordered.has_value());
  EXPECT_EQ(reordered->sequence, 3);
}

TEST(EntitiesTest, BadPayloadsAreErrorsThatNameTheField) {
  auto error_of = [](const std::string& json) {
    auto p = DecodeGatewayPayload(json);
    EXPECT_FALSE(p.has_value()) << json.substr(0, 80);
    return p ? std::string() : p.error().message;
  };
  auto without = [&](std::string_view field) {
    std::string j = kMessageCreate;
    const std::size_t at = j.find("\"" + std::string(field) + "\"");
    const std::size_t end = j.find_first_of(",}", j.find(':', at));
    j.erase(at, end - at + 1);
    return j;
  };
  EXPECT_NE(error_of(without("channel_id")).find("MESSAGE_CREATE.channel_id is missing"),
            std::string::npos);
  EXPECT_NE(error_of(without("timestamp")).find("timestamp"), std::string::npos);
  std::string bad_id = kMessageCreate;
  bad_id.replace(bad_id.find("1402000000000000001"), 19, "not-a-snowflake-xyz");
  EXPECT_NE(error_of(bad_id).find("MESSAGE_CREATE.id is not a snowflake"), std::string::npos);
  std::string wrong_type = kMessageCreate;
  wrong_type.replace(wrong_type.find(R"("mention_everyone":true)"), 23,
                     R"("mention_everyone":"yes")");
  EXPECT_NE(error_of(wrong_type).find("mention_everyone has the wrong type"), std::string::npos);
  EXPECT_NE(error_of(kMessageCreate.substr(0, kMessageCreate.size() / 2)).find("not JSON"),
            std::string::npos);
  EXPECT_NE(error_of("[1,2]").find("not an object"), std::string::npos);
  EXPECT_NE(error_of(R"({"t":"X"})").find("payload.op is missing"), std::string::npos);
  EXPECT_NE(error_of(R"({"op":0,"d":{}})").find("payload.t"), std::string::npos);
  EXPECT_FALSE(DecodeGatewayPayload(
                   R"({"op":0,"t":"GUILD_MEMBER_ADD","d":{"guild_id":"1390000000000000000"}})")
                   .has_value());  // no user
  EXPECT_FALSE(DecodeGatewayPayload("").has_value());
}

TEST(EntitiesTest, DecodesHelloInvalidSessionAndReady) {
  auto hello = DecodeGatewayPayload(R"({"op":10,"d":{"heartbeat_interval":41250}})");
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->heartbeat_interval, 41250);
  EXPECT_FALSE(DecodeGatewayPayload(R"({"op":10,"d":{}})").has_value());
  EXPECT_FALSE(DecodeGatewayPayload(R"({"op":10,"d":{"heartbeat_interval":0}})").has_value());
  EXPECT_EQ(DecodeGatewayPayload(R"({"op":9,"d":true})")->resumable, true);
  EXPECT_EQ(DecodeGatewayPayload(R"({"op":9,"d":false})")->resumable, false);
  EXPECT_FALSE(DecodeGatewayPayload(R"({"op":9,"d":"maybe"})").has_value());
  auto ready = DecodeGatewayPayload(R"({"op":0,"s":1,"t":"READY","d":{"v":10,
    "user":{"id":"1100000000000000000","username":"antispam","bot":true},
    "guilds":[{"id":"41771983423143937","unavailable":true}],
    "session_id":"6f1c","resume_gateway_url":"wss://gateway-us-east1-b.discord.gg",
    "shard":[0,1],"application":{"id":"1100000000000000000","flags":0}}})");
  ASSERT_TRUE(ready.has_value()) << ready.error().message;
  const auto& r = std::get<Ready>(ready->data);
  EXPECT_EQ(r.session_id, "6f1c");
  EXPECT_EQ(r.resume_gateway_url, "wss://gateway-us-east1-b.discord.gg");
  EXPECT_EQ(r.user, core::UserId(1100000000000000000));
  EXPECT_FALSE(DecodeGatewayPayload(R"({"op":0,"s":1,"t":"READY","d":{"user":{"id":"1"}}})")
                   .has_value());  // no session_id
}

const std::string kGuildCreate = R"({"op":0,"s":3,"t":"GUILD_CREATE","d":{
  "id":"1390000000000000000","name":"Test Guild","icon":null,"owner_id":"1000000000000000001",
  "joined_at":"2026-08-06T09:00:00.000000+00:00","large":false,"member_count":1234,
  "unavailable":false,"features":["COMMUNITY"],"voice_states":[],"presences":[],
  "roles":[{"id":"1390000000000000000","name":"@everyone","color":0,"hoist":false,"position":0,
            "permissions":"1071698660929","managed":false,"mentionable":false,"flags":0},
           {"id":"1390000000000000777","name":"Mods","color":15548997,"hoist":true,"position":5,
            "permissions":"1099511627782","managed":false,"mentionable":true,"flags":0}],
  "channels":[{"id":"1390000000000000010","type":0,"name":"general","position":0,
               "parent_id":null,"topic":"hi","rate_limit_per_user":5,"nsfw":false,
               "permission_overwrites":[{"id":"1390000000000000000","type":0,"allow":"0","deny":"2048"}]}],
  "threads":[{"id":"1390000000000000050","type":12,"guild_id":"1390000000000000000",
              "parent_id":"1390000000000000010","owner_id":"1100000000000000000","name":"case-1",
              "rate_limit_per_user":0,"member_count":2,"message_count":3,
              "thread_metadata":{"archived":false,"auto_archive_duration":1440,"locked":true,
                                 "archive_timestamp":"2026-08-06T09:30:00.000000+00:00","invitable":false}}],
  "members":[{"user":{"id":"1100000000000000000","username":"antispam","bot":true},"roles":[],
              "joined_at":"2026-08-06T09:00:00.000000+00:00","deaf":false,"mute":false,"flags":0}]}})";

TEST(EventsTest, DecodesGuildCreateWithRolesChannelsThreadsAndMembers) {
  auto p = DecodeGatewayPayload(kGuildCreate);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  const Guild& g = std::get<GuildCreate>(p->data).guild;
  EXPECT_EQ(g.id, core::GuildId(1390000000000000000));
  EXPECT_EQ(g.name, "Test Guild");
  EXPECT_EQ(g.owner_id, core::UserId(1000000000000000001));
  EXPECT_FALSE(g.unavailable);
  EXPECT_EQ(g.member_count, 1234);
  ASSERT_EQ(g.roles.size(), 2u);
  EXPECT_EQ(g.roles[1].name, "Mods");
  EXPECT_EQ(g.roles[1].position, 5);
  EXPECT_EQ(g.roles[1].color, 15548997u);
  EXPECT_TRUE(g.roles[1].hoist);
  EXPECT_TRUE(g.roles[1].mentionable);
  EXPECT_EQ(g.roles[1].permissions, 1099511627782ULL);
  ASSERT_EQ(g.channels.size(), 1u);
  EXPECT_EQ(g.channels[0].guild_id, g.id);  // filled in: GUILD_CREATE leaves it out
  EXPECT_EQ(g.channels[0].rate_limit_per_user, 5);
  ASSERT_EQ(g.channels[0].permission_overwrites.size(), 1u);
  EXPECT_EQ(g.channels[0].permission_overwrites[0].deny, permission::kSendMessages);
  ASSERT_EQ(g.threads.size(), 1u);
  EXPECT_EQ(g.threads[0].type, ChannelType::kPrivateThread);
  ASSERT_TRUE(g.threads[0].thread_metadata.has_value());
  EXPECT_TRUE(g.threads[0].thread_metadata->locked);
  EXPECT_EQ(g.threads[0].thread_metadata->invitable, false);
  ASSERT_EQ(g.members.size(), 1u);
  EXPECT_TRUE(g.members[0].user->bot);
  // Usable for permission arithmetic as it is.
  const GuildRoles roles = RolesOf(g);
  EXPECT_EQ(BasePermissions(roles, RolesOf(core::UserId(5), Member{.roles = {g.roles[1].id}})) &
                permission::kModerateMembers,
            permission::kModerateMembers);
}

TEST(EventsTest, UnavailableGuildsAndGuildDelete) {
  auto p = DecodeGatewayPayload(
      R"({"op":0,"s":4,"t":"GUILD_CREATE","d":{"id":"1390000000000000000","unavailable":true}})");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  const Guild& g = std::get<GuildCreate>(p->data).guild;
  EXPECT_TRUE(g.unavailable);
  EXPECT_TRUE(g.name.empty());
  // An available guild must say who it is.
  auto no_name = DecodeGatewayPayload(
      R"({"op":0,"t":"GUILD_CREATE","d":{"id":"1","owner_id":"2","roles":[]}})");
  ASSERT_FALSE(no_name.has_value());
  EXPECT_EQ(no_name.error().message, "GUILD_CREATE.name is missing");
  auto no_roles = DecodeGatewayPayload(
      R"({"op":0,"t":"GUILD_CREATE","d":{"id":"1","owner_id":"2","name":"x"}})");
  ASSERT_FALSE(no_roles.has_value());
  EXPECT_EQ(no_roles.error().message, "GUILD_CREATE.roles is missing");
  auto bad_role = DecodeGatewayPayload(
      R"({"op":0,"t":"GUILD_CREATE","d":{"id":"1","owner_id":"2","name":"x","roles":[
         {"id":"1","name":"@everyone","position":0,"permissions":"8"},
         {"id":"3","name":"big","position":1,"permissions":"18446744073709551616"}]}})");
  ASSERT_FALSE(bad_role.has_value());
  EXPECT_EQ(bad_role.error().subject, "GUILD_CREATE.roles[1].permissions");

  auto gone = DecodeGatewayPayload(R"({"op":0,"t":"GUILD_DELETE","d":{"id":"7"}})");
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(std::get<GuildDelete>(gone->data), (GuildDelete{core::GuildId(7), false}));
  auto outage =
      DecodeGatewayPayload(R"({"op":0,"t":"GUILD_DELETE","d":{"id":"7","unavailable":true}})");
  EXPECT_TRUE(std::get<GuildDelete>(outage->data).unavailable);
}

TEST(EventsTest, MemberRemoveBanAddAndMemberUpdate) {
  auto remove = DecodeGatewayPayload(R"({"op":0,"s":5,"t":"GUILD_MEMBER_REMOVE","d":{
    "guild_id":"1390000000000000000","user":{"id":"1402000000123456789","username":"newbie_9123"}}})");
  ASSERT_TRUE(remove.has_value()) << remove.error().message;
  const auto& r = std::get<GuildMemberRemove>(remove->data);
  EXPECT_EQ(r.guild_id, core::GuildId(1390000000000000000));
  EXPECT_EQ(r.user.id, core::UserId(1402000000123456789));
  EXPECT_EQ(r.user.username, "newbie_9123");

  auto ban = DecodeGatewayPayload(R"({"op":0,"s":6,"t":"GUILD_BAN_ADD","d":{
    "guild_id":"1390000000000000000","user":{"id":"1402000000123456789"}}})");
  ASSERT_TRUE(ban.has_value());
  EXPECT_EQ(std::get<GuildBanAdd>(ban->data).user.id, core::UserId(1402000000123456789));
  auto ban_without_user = DecodeGatewayPayload(
      R"({"op":0,"t":"GUILD_BAN_ADD","d":{"guild_id":"1390000000000000000"}})");
  ASSERT_FALSE(ban_without_user.has_value());
  EXPECT_EQ(ban_without_user.error().message, "GUILD_BAN_ADD.user is missing");

  auto update = DecodeGatewayPayload(R"({"op":0,"s":7,"t":"GUILD_MEMBER_UPDATE","d":{
    "guild_id":"1390000000000000000","roles":["1390000000000000777"],
    "user":{"id":"1402000000123456789","username":"newbie_9123"},"nick":"quiet",
    "joined_at":"2026-08-06T10:20:00.000000+00:00",
    "communication_disabled_until":"2026-08-06T11:20:00.000000+00:00","pending":false}})");
  ASSERT_TRUE(update.has_value()) << update.error().message;
  const auto& u = std::get<GuildMemberUpdate>(update->data);
  EXPECT_EQ(u.member.nick, "quiet");
  EXPECT_EQ(u.member.roles, std::vector<core::RoleId>{core::RoleId(1390000000000000777)});
  EXPECT_EQ(u.member.communication_disabled_until, ParseTimestamp("2026-08-06T11:20:00Z").value());
  EXPECT_FALSE(
      DecodeGatewayPayload(R"({"op":0,"t":"GUILD_MEMBER_UPDATE","d":{"guild_id":"1","roles":[]}})")
          .has_value());  // no user
}

TEST(EventsTest, MessageUpdateDeleteThreadCreateResumedAndReadyGuilds) {
  std::string update = kMessageCreate;
  update.replace(update.find("MESSAGE_CREATE"), 14, "MESSAGE_UPDATE");
  auto u = DecodeGatewayPayload(update);
  ASSERT_TRUE(u.has_value()) << u.error().message;
  EXPECT_EQ(std::get<MessageUpdate>(u->data).message.content,
            "@everyone free nitro https://example.invalid/gift");

  auto del = DecodeGatewayPayload(
      R"({"op":0,"t":"MESSAGE_DELETE","d":{"id":"11","channel_id":"12","guild_id":"13"}})");
  ASSERT_TRUE(del.has_value());
  EXPECT_EQ(std::get<MessageDelete>(del->data),
            (MessageDelete{core::MessageId(11), core::ChannelId(12), core::GuildId(13)}));
  EXPECT_FALSE(
      DecodeGatewayPayload(R"({"op":0,"t":"MESSAGE_DELETE","d":{"id":"11"}})").has_value());

  auto thread = DecodeGatewayPayload(R"({"op":0,"t":"THREAD_CREATE","d":{
    "id":"21","type":11,"guild_id":"13","parent_id":"12","owner_id":"5","name":"spam report",
    "newly_created":true,"thread_metadata":{"archived":false,"auto_archive_duration":60,"locked":false}}})");
  ASSERT_TRUE(thread.has_value()) << thread.error().message;
  const auto& t = std::get<ThreadCreate>(thread->data);
  EXPECT_TRUE(t.newly_created);
  EXPECT_TRUE(IsThread(t.thread.type));
  EXPECT_EQ(t.thread.owner_id, core::UserId(5));
  EXPECT_EQ(t.thread.thread_metadata->auto_archive_duration, 60);

  auto resumed = DecodeGatewayPayload(R"({"op":0,"s":99,"t":"RESUMED","d":{}})");
  ASSERT_TRUE(resumed.has_value());
  EXPECT_TRUE(std::holds_alternative<Resumed>(resumed->data));

  auto ready = DecodeGatewayPayload(R"({"op":0,"s":1,"t":"READY","d":{"v":10,
    "user":{"id":"1100000000000000000","username":"antispam","bot":true},
    "guilds":[{"id":"41771983423143937","unavailable":true},{"id":"41771983423143938","unavailable":true}],
    "session_id":"6f1c","resume_gateway_url":"wss://r","application":{"id":"1100000000000000001"}}})");
  ASSERT_TRUE(ready.has_value()) << ready.error().message;
  const auto& r = std::get<Ready>(ready->data);
  EXPECT_EQ(r.guilds, (std::vector<core::GuildId>{core::GuildId(41771983423143937),
                                                  core::GuildId(41771983423143938)}));
  EXPECT_EQ(r.application_id, ApplicationId(1100000000000000001));
}

TEST(EventsTest, MessageCreateKeepsCountsAndDetails) {
  std::string rich = kMessageCreate;
  auto swap = [&](std::string_view from, std::string_view to) {
    rich.replace(rich.find(from), from.size(), to);
  };
  swap(
      R"("attachments":[])",
      R"("attachments":[{"id":"31","filename":"gift.exe","size":1024,"url":"https://cdn.invalid/gift.exe","content_type":"application/octet-stream"}])");
  swap(
      R"("embeds":[])",
      R"("embeds":[{"type":"rich","title":"Free Nitro","url":"https://example.invalid","color":5793266,"fields":[{"name":"a","value":"b","inline":true}],"footer":{"text":"f"},"author":{"name":"Discord"},"timestamp":"2026-08-06T10:00:00+00:00","thumbnail":{"url":"x"}}])");
  swap(
      R"("components":[])",
      R"("components":[{"type":1,"components":[{"type":2,"style":5,"label":"Claim","url":"https://example.invalid/claim"},{"type":3,"custom_id":"sel","options":[]}]},{"type":10,"content":"v2 text"}])");
  auto p = DecodeGatewayPayload(rich);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  const Message& m = std::get<Message>(p->data);
  EXPECT_EQ(m.attachments, 1);
  EXPECT_EQ(m.attachment_list[0].filename, "gift.exe");
  EXPECT_EQ(m.attachment_list[0].size, 1024u);
  EXPECT_EQ(m.attachment_list[0].content_type, "application/octet-stream");
  EXPECT_EQ(m.embeds, 1);
  EXPECT_EQ(m.embed_list[0].title, "Free Nitro");
  EXPECT_EQ(m.embed_list[0].color, 5793266u);
  EXPECT_EQ(m.embed_list[0].fields, (std::vector<EmbedField>{{"a", "b", true}}));
  EXPECT_EQ(m.embed_list[0].footer, "f");
  EXPECT_EQ(m.embed_list[0].author_name, "Discord");
  ASSERT_EQ(m.components.size(), 1u);                // the V2 text display is skipped
  ASSERT_EQ(m.components[0].components.size(), 1u);  // so is the select
  EXPECT_EQ(m.components[0].components[0].style, ButtonStyle::kLink);
  EXPECT_EQ(m.components[0].components[0].url, "https://example.invalid/claim");
}

TEST(EventsTest, PayloadsRoundTripThroughToJson) {
  for (const std::string& json : {kMessageCreate, kMemberAdd, kGuildCreate}) {
    auto p = DecodeGatewayPayload(json);
    ASSERT_TRUE(p.has_value()) << p.error().message;
    const std::string again = ToJson(*p).dump();
    auto q = DecodeGatewayPayload(again);
    ASSERT_TRUE(q.has_value()) << q.error().message << "\n" << again;
    EXPECT_EQ(*p, *q) << again;
  }
  GatewayPayload ban{
      .op = 0, .sequence = 8, .data = GuildBanAdd{core::GuildId(1), User{.id = core::UserId(2)}}};
  const nlohmann::json j = ToJson(ban);
  EXPECT_EQ(j["t"], "GUILD_BAN_ADD");  // named from the event when `event` is empty
  EXPECT_EQ(j["s"], 8);
  EXPECT_EQ(j["d"]["user"]["id"], "2");
  auto back = DecodeGatewayPayload(j.dump());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(std::get<GuildBanAdd>(back->data), std::get<GuildBanAdd>(ban.data));

  GatewayPayload hello{.op = 10, .heartbeat_interval = 41250};
  EXPECT_EQ(ToJson(hello), nlohmann::json::parse(
                               R"({"op":10,"d":{"heartbeat_interval":41250},"s":null,"t":null})"));
  EXPECT_EQ(DecodeGatewayPayload(ToJson(hello).dump()).value(), hello);
  GatewayPayload invalid{.op = 9, .resumable = true};
  EXPECT_EQ(DecodeGatewayPayload(ToJson(invalid).dump()).value(), invalid);
  GatewayPayload ready{
      .op = 0,
      .sequence = 1,
      .event = "READY",
      .data = Ready{"s", "wss://r", core::UserId(3), {core::GuildId(4)}, ApplicationId(3)}};
  EXPECT_EQ(DecodeGatewayPayload(ToJson(ready).dump()).value(), ready);
}

TEST(EntitiesTest, SnowflakesMayArriveAsNumbers) {
  // PROTOCOL.md §3: an id small enough may come back as a JSON number.
  auto del =
      DecodeGatewayPayload(R"({"op":0,"t":"MESSAGE_DELETE","d":{"id":11,"channel_id":"12"}})");
  ASSERT_TRUE(del.has_value()) << del.error().message;
  EXPECT_EQ(std::get<MessageDelete>(del->data).id, core::MessageId(11));
  auto negative =
      DecodeGatewayPayload(R"({"op":0,"t":"MESSAGE_DELETE","d":{"id":-11,"channel_id":"12"}})");
  ASSERT_FALSE(negative.has_value());
  EXPECT_EQ(negative.error().message, "MESSAGE_DELETE.id is not a snowflake");
}

TEST(TimestampTest, ParsesDiscordsFormsAndRefusesOthers) {
  const auto base = ParseTimestamp("2026-08-06T10:15:09Z").value();
  EXPECT_EQ(ParseTimestamp("2026-08-06T10:15:09.871000+00:00").value() - base,
            std::chrono::microseconds(871000));
  EXPECT_EQ(ParseTimestamp("2026-08-06T12:15:09+02:00").value(), base);
  EXPECT_EQ(ParseTimestamp("2026-08-06T10:15:09.5Z").value() - base,
            std::chrono::milliseconds(500));
  EXPECT_EQ(ParseTimestamp("2026-08-06T10:15:09.1234567Z").value() - base,
            std::chrono::microseconds(123456));  // beyond microseconds: cut
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(base.time_since_epoch()).count(),
            1786011309);
  for (const char* bad :
       {"", "2026-08-06", "2026-13-06T10:15:09Z", "2026-02-30T10:15:09Z", "2026-08-06T25:15:09Z",
        "2026-08-06T10:15:09", "2026-08-06T10:15:09.Z", "2026-08-06T10:15:09+0200",
        "2026-08-06T10:15:09Zjunk", "x026-08-06T10:15:09Z"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
}

TEST(TimestampTest, FormatsAsDiscordSendsAndAsRequestsTakeIt) {
  const auto t = ParseTimestamp("2026-08-06T10:15:09.871234Z").value();
  EXPECT_EQ(FormatTimestamp(t), "2026-08-06T10:15:09.871234+00:00");
  EXPECT_EQ(FormatRequestTimestamp(t), "2026-08-06T10:15:09.871Z");
  EXPECT_EQ(ParseTimestamp(FormatTimestamp(t)).value(), t);
  const auto epoch = core::Timestamp{};
  EXPECT_EQ(FormatTimestamp(epoch), "1970-01-01T00:00:00.000000+00:00");
  const auto leap = ParseTimestamp("2028-02-29T23:59:59.999999+00:00").value();
  EXPECT_EQ(FormatTimestamp(leap), "2028-02-29T23:59:59.999999+00:00");
}

}  // namespace
}  // namespace discord

#include "discord/model/entities.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace discord

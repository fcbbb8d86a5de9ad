// ToJson writes Discord's shapes (the simulator's events and responses); decoding them gives back
// the value written.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "discord/model/channel.h"
#include "discord/model/guild.h"
#include "discord/model/message.h"
#include "discord/model/role.h"
#include "discord/model/timestamp.h"
#include "discord/model/user.h"

namespace discord {
namespace {

core::Timestamp At(const char* iso) { return ParseTimestamp(iso).value(); }

const User kUser{core::UserId(1402000000123456789), "newbie_9123", "Newbie", false, true};
const Member kMember{.user = kUser,
                     .roles = {core::RoleId(1390000000000000777), core::RoleId(8)},
                     .nick = "nb",
                     .joined_at = At("2026-08-06T10:20:00.123456Z"),
                     .communication_disabled_until = At("2026-08-07T10:20:00Z"),
                     .pending = true,
                     .flags = 1,
                     .permissions = permission::kAll};
const Role kRole{core::RoleId(1390000000000000777),
                 5,
                 permission::kKickMembers | permission::kModerateMembers,
                 true,
                 "Mods",
                 0xE74C3C,
                 true,
                 true};

TEST(RoundTripTest, UsersMembersAndRoles) {
  const nlohmann::json u = ToJson(kUser);
  EXPECT_EQ(u["id"], "1402000000123456789");  // snowflakes as strings
  EXPECT_TRUE(u["avatar"].is_string());
  EXPECT_FALSE(u.contains("bot"));
  EXPECT_EQ(DecodeUser(u.dump()).value(), kUser);
  const User bot{.id = core::UserId(1), .bot = true};
  EXPECT_EQ(ToJson(bot)["bot"], true);
  EXPECT_TRUE(ToJson(bot)["global_name"].is_null());
  EXPECT_EQ(DecodeUser(ToJson(bot).dump()).value(), bot);

  const nlohmann::json m = ToJson(kMember);
  EXPECT_EQ(m["joined_at"], "2026-08-06T10:20:00.123456+00:00");
  EXPECT_EQ(m["permissions"], "18446744073709551615");  // decimal strings
  EXPECT_EQ(m["roles"], nlohmann::json({"1390000000000000777", "8"}));
  EXPECT_EQ(DecodeMember(m.dump()).value(), kMember);
  const Member partial{.roles = {core::RoleId(3)}};
  EXPECT_TRUE(ToJson(partial)["communication_disabled_until"].is_null());
  EXPECT_FALSE(ToJson(partial).contains("user"));
  EXPECT_EQ(DecodeMember(ToJson(partial).dump()).value(), partial);

  const nlohmann::json r = ToJson(kRole);
  EXPECT_EQ(r["permissions"], "1099511627778");
  EXPECT_EQ(r["color"], 0xE74C3C);
  EXPECT_EQ(DecodeRole(r.dump()).value(), kRole);
}

TEST(RoundTripTest, Channels) {
  const Channel text{
      .id = core::ChannelId(10),
      .type = ChannelType::kGuildText,
      .guild_id = core::GuildId(1),
      .name = "general",
      .topic = "rules",
      .parent_id = core::ChannelId(9),
      .position = 3,
      .permission_overwrites = {{1, Overwrite::Type::kRole, 0, permission::kSendMessages},
                                {5, Overwrite::Type::kMember, permission::kSendMessages, 0}},
      .rate_limit_per_user = 30};
  const nlohmann::json j = ToJson(text);
  EXPECT_EQ(j["permission_overwrites"][0],
            nlohmann::json::parse(R"({"id":"1","type":0,"allow":"0","deny":"2048"})"));
  EXPECT_EQ(j["rate_limit_per_user"], 30);
  EXPECT_EQ(DecodeChannel(j.dump()).value(), text);

  const Channel thread{
      .id = core::ChannelId(11),
      .type = ChannelType::kPrivateThread,
      .guild_id = core::GuildId(1),
      .name = "case-1",
      .parent_id = core::ChannelId(10),
      .owner_id = core::UserId(2),
      .thread_metadata = ThreadMetadata{.archived = false,
                                        .auto_archive_duration = 4320,
                                        .archive_timestamp = At("2026-08-06T10:00:00Z"),
                                        .locked = true,
                                        .invitable = false}};
  const nlohmann::json t = ToJson(thread);
  EXPECT_EQ(t["thread_metadata"]["archive_timestamp"], "2026-08-06T10:00:00.000000+00:00");
  EXPECT_EQ(t["owner_id"], "2");
  EXPECT_EQ(DecodeChannel(t.dump()).value(), thread);

  const Channel dm{.id = core::ChannelId(12), .type = ChannelType::kDm, .recipients = {kUser}};
  EXPECT_EQ(DecodeChannel(ToJson(dm).dump()).value(), dm);
  const Channel resolved{
      .id = core::ChannelId(13), .name = "log", .permissions = permission::kViewChannel};
  EXPECT_EQ(DecodeChannel(ToJson(resolved).dump()).value(), resolved);
}

TEST(RoundTripTest, Messages) {
  const Message m{
      .id = core::MessageId(1402000000000000001),
      .channel_id = core::ChannelId(10),
      .guild_id = core::GuildId(1),
      .author = kUser,
      .member = Member{.roles = {core::RoleId(8)}, .joined_at = At("2026-08-06T10:00:00Z")},
      .webhook_id = 77,
      .content = "@everyone free nitro",
      .mentions = {core::UserId(4), core::UserId(5)},
      .mention_roles = {core::RoleId(6)},
      .mention_everyone = true,
      .attachments = 1,
      .embeds = 1,
      .type = 19,
      .timestamp = At("2026-08-06T10:15:09.871Z"),
      .edited_timestamp = At("2026-08-06T10:16:00Z"),
      .flags = 4,
      .attachment_list = {{AttachmentId(31), "gift.exe", 1024, "https://cdn.invalid/gift.exe",
                           "application/octet-stream"}},
      .embed_list = {Embed{.title = "Free Nitro",
                           .description = "claim now",
                           .url = "https://example.invalid",
                           .color = 0x5865F2,
                           .fields = {{"a", "b", true}, {"c", "d", false}},
                           .footer = "f",
                           .author_name = "Discord",
                           .timestamp = At("2026-08-06T10:00:00Z")}},
      .components = {ActionRow{
          {Button{.style = ButtonStyle::kDanger, .label = "Ban", .custom_id = "as:ban:1"},
           Button{.style = ButtonStyle::kLink,
                  .label = "Rules",
                  .url = "https://example.org/rules",
                  .emoji = Emoji{EmojiId(9), "rules", true}},
           Button{.style = ButtonStyle::kSecondary,
                  .custom_id = "as:x",
                  .disabled = true,
                  .emoji = Emoji{std::nullopt, "🔨", false}}}}},
      .message_reference =
          MessageReference{core::MessageId(3), core::ChannelId(10), core::GuildId(1)},
      .sticker_items = 2};
  const nlohmann::json j = ToJson(m);
  EXPECT_EQ(j["timestamp"], "2026-08-06T10:15:09.871000+00:00");
  EXPECT_TRUE(j["tts"].is_boolean());
  EXPECT_EQ(j["mentions"][1]["id"], "5");
  EXPECT_EQ(j["embeds"][0]["type"], "rich");
  EXPECT_EQ(j["embeds"][0]["footer"]["text"], "f");
  EXPECT_EQ(j["components"][0]["type"], 1);
  EXPECT_EQ(j["components"][0]["components"][1]["emoji"]["id"], "9");
  EXPECT_TRUE(j["components"][0]["components"][2]["emoji"]["id"].is_null());
  EXPECT_EQ(j["webhook_id"], "77");
  auto back = DecodeMessage(j.dump());
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(*back, m);

  // Callers that set only counts still get that many attachments and embeds.
  const Message counts{.id = core::MessageId(2),
                       .channel_id = core::ChannelId(10),
                       .author = User{.id = core::UserId(3)},
                       .attachments = 2,
                       .embeds = 3,
                       .timestamp = At("2026-08-06T10:00:00Z")};
  const nlohmann::json c = ToJson(counts);
  EXPECT_EQ(c["attachments"].size(), 2u);
  EXPECT_EQ(c["embeds"].size(), 3u);
  auto decoded = DecodeMessage(c.dump()).value();
  EXPECT_EQ(decoded.attachments, 2);
  EXPECT_EQ(decoded.embeds, 3);
}

TEST(RoundTripTest, Guilds) {
  const Guild g{.id = core::GuildId(1),
                .name = "Test",
                .owner_id = core::UserId(2),
                .roles = {Role{.id = core::RoleId(1),
                               .permissions = permission::kViewChannel,
                               .name = "@everyone"},
                          kRole},
                .member_count = 1234,
                .joined_at = At("2026-08-06T09:00:00Z"),
                .large = true,
                .channels = {Channel{
                    .id = core::ChannelId(10), .guild_id = core::GuildId(1), .name = "general"}},
                .threads = {Channel{.id = core::ChannelId(11),
                                    .type = ChannelType::kPublicThread,
                                    .guild_id = core::GuildId(1),
                                    .name = "t",
                                    .parent_id = core::ChannelId(10),
                                    .thread_metadata = ThreadMetadata{}}},
                .members = {kMember}};
  const nlohmann::json j = ToJson(g);
  EXPECT_EQ(j["owner_id"], "2");
  EXPECT_EQ(j["roles"].size(), 2u);
  EXPECT_EQ(j["joined_at"], "2026-08-06T09:00:00.000000+00:00");
  EXPECT_EQ(DecodeGuild(j.dump()).value(), g);
  const Guild outage{.id = core::GuildId(1), .unavailable = true};
  EXPECT_EQ(ToJson(outage), nlohmann::json::parse(R"({"id":"1","unavailable":true})"));
  EXPECT_EQ(DecodeGuild(ToJson(outage).dump()).value(), outage);
}

}  // namespace
}  // namespace discord

#include "discord/model/interaction.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "discord/model/entities.h"

namespace discord {
namespace {

// The examples of ../shared/discord/PROTOCOL.md §2.3.
const std::string kSlashCommand = R"({"op":0,"s":59,"t":"INTERACTION_CREATE","d":{
  "id":"1402000000200000000","application_id":"1100000000000000000","type":2,
  "token":"aW50ZXJhY3Rpb24…","version":1,
  "guild_id":"1390000000000000000","channel_id":"1390000000000000010",
  "channel":{"id":"1390000000000000010","type":0,"name":"general"},
  "member":{"user":{"id":"1390000000000000555","username":"mod","discriminator":"0","global_name":"Mod","avatar":null},
            "roles":["1390000000000000777"],"permissions":"1099511627782",
            "joined_at":"2025-01-01T00:00:00.000000+00:00","deaf":false,"mute":false,"flags":0,"pending":false},
  "app_permissions":"1099780063238","locale":"en-US","guild_locale":"en-US",
  "entitlements":[],"authorizing_integration_owners":{"0":"1390000000000000000"},"context":0,
  "attachment_size_limit":10485760,
  "data":{"id":"1395000000000000001","name":"antispam","type":1,
    "options":[{"name":"quarantine","type":1,"options":[
        {"name":"user","type":6,"value":"1402000000123456789"},
        {"name":"minutes","type":4,"value":60},
        {"name":"reason","type":3,"value":"invite spam"}]}],
    "resolved":{
      "users":{"1402000000123456789":{"id":"1402000000123456789","username":"newbie_9123","discriminator":"0","global_name":null,"avatar":null}},
      "members":{"1402000000123456789":{"roles":[],"joined_at":"2026-08-06T10:20:00.000000+00:00","flags":0,"permissions":"0"}}}}}})";

// The document elides app_permissions ("…"); a real value stands in for it here.
const std::string kButtonClick = R"({"op":0,"s":60,"t":"INTERACTION_CREATE","d":{
  "id":"1402000000300000000","application_id":"1100000000000000000","type":3,
  "token":"…","version":1,"guild_id":"1390000000000000000","channel_id":"1390000000000000099",
  "member":{"user":{"id":"1390000000000000555","username":"mod"},"roles":["1390000000000000777"],"permissions":"1099511627782"},
  "message":{"id":"1402000000250000000","channel_id":"1390000000000000099","author":{"id":"1100000000000000000","bot":true},
             "content":"","embeds":[{"title":"Spam suspect"}],
             "components":[{"type":1,"id":1,"components":[
                 {"type":2,"id":2,"style":4,"label":"Ban","custom_id":"as:ban:1402000000123456789"},
                 {"type":2,"id":3,"style":2,"label":"Dismiss","custom_id":"as:dismiss:1402000000123456789"}]}]},
  "data":{"component_type":2,"id":2,"custom_id":"as:ban:1402000000123456789"},
  "app_permissions":"1099780063238","locale":"en-US","guild_locale":"en-US","entitlements":[],
  "authorizing_integration_owners":{"0":"1390000000000000000"},"context":0}})";

Interaction Decode(const std::string& payload) {
  auto p = DecodeGatewayPayload(payload);
  EXPECT_TRUE(p.has_value()) << p.error().message;
  if (!p) return {};
  return std::get<InteractionCreate>(p->data).interaction;
}

// The "d" of a gateway payload, for the HTTP-endpoint decoder.
std::string Body(const std::string& payload) { return nlohmann::json::parse(payload)["d"].dump(); }

TEST(InteractionTest, DecodesTheSlashCommandExample) {
  const Interaction i = Decode(kSlashCommand);
  EXPECT_EQ(i.id, InteractionId(1402000000200000000));
  EXPECT_EQ(i.application_id, ApplicationId(1100000000000000000));
  EXPECT_EQ(i.type, InteractionType::kApplicationCommand);
  EXPECT_EQ(i.token, "aW50ZXJhY3Rpb24…");
  EXPECT_EQ(i.guild_id, core::GuildId(1390000000000000000));
  EXPECT_EQ(i.channel_id, core::ChannelId(1390000000000000010));
  ASSERT_TRUE(i.channel.has_value());
  EXPECT_EQ(i.channel->name, "general");
  ASSERT_TRUE(i.member.has_value());
  EXPECT_EQ(i.member->permissions,
            permission::kModerateMembers | permission::kKickMembers | permission::kBanMembers);
  ASSERT_NE(i.Invoker(), nullptr);
  EXPECT_EQ(i.Invoker()->id, core::UserId(1390000000000000555));
  EXPECT_EQ(i.app_permissions, 1099780063238ULL);
  EXPECT_EQ(i.locale, "en-US");
  EXPECT_EQ(i.context, 0);

  const auto& data = std::get<CommandData>(i.data);
  EXPECT_EQ(data.id, CommandId(1395000000000000001));
  EXPECT_EQ(data.name, "antispam");
  EXPECT_EQ(data.type, CommandType::kChatInput);
  const auto route = data.Leaf();
  EXPECT_EQ(route.group, "");
  EXPECT_EQ(route.subcommand, "quarantine");
  ASSERT_EQ(route.options->size(), 3u);
  const CommandOption& sub = data.options[0];
  EXPECT_EQ(sub.type, OptionType::kSubCommand);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(sub.value));
  EXPECT_EQ(sub.Find("user")->AsId(), Snowflake(1402000000123456789));
  EXPECT_EQ(sub.Find("minutes")->AsInteger(), 60);
  EXPECT_EQ(sub.Find("minutes")->AsNumber(), 60.0);
  EXPECT_EQ(*sub.Find("reason")->AsString(), "invite spam");
  EXPECT_EQ(sub.Find("nope"), nullptr);
  EXPECT_EQ(sub.Find("reason")->AsInteger(), std::nullopt);

  const core::UserId target(1402000000123456789);
  ASSERT_EQ(data.resolved.users.count(target), 1u);
  EXPECT_EQ(data.resolved.users.at(target).username, "newbie_9123");
  ASSERT_EQ(data.resolved.members.count(target), 1u);
  EXPECT_FALSE(data.resolved.members.at(target).user.has_value());
  EXPECT_EQ(data.resolved.members.at(target).permissions, 0u);
  EXPECT_TRUE(data.resolved.roles.empty());

  // The HTTP endpoint delivers the same object.
  auto direct = DecodeInteraction(Body(kSlashCommand));
  ASSERT_TRUE(direct.has_value()) << direct.error().message;
  EXPECT_EQ(*direct, i);
}

TEST(InteractionTest, DecodesTheButtonExample) {
  const Interaction i = Decode(kButtonClick);
  EXPECT_EQ(i.type, InteractionType::kMessageComponent);
  const auto& data = std::get<ComponentData>(i.data);
  EXPECT_EQ(data.custom_id, "as:ban:1402000000123456789");
  EXPECT_EQ(data.component_type, ComponentType::kButton);
  EXPECT_TRUE(data.values.empty());
  ASSERT_TRUE(i.message.has_value());
  EXPECT_TRUE(i.message->author.bot);
  EXPECT_EQ(i.message->embed_list.at(0).title, "Spam suspect");
  ASSERT_EQ(i.message->components.size(), 1u);
  ASSERT_EQ(i.message->components[0].components.size(), 2u);
  EXPECT_EQ(i.message->components[0].components[0].style, ButtonStyle::kDanger);
  EXPECT_EQ(i.message->components[0].components[1].custom_id, "as:dismiss:1402000000123456789");
  // The attached message is partial: its time comes from its id.
  EXPECT_EQ(i.message->timestamp, std::chrono::time_point_cast<std::chrono::microseconds>(
                                      core::MessageId(1402000000250000000).CreatedAt()));
  EXPECT_EQ(i.member->permissions, 1099511627782ULL);
}

TEST(InteractionTest, NestedGroupsAutocompleteModalsAndDms) {
  auto group = DecodeInteraction(R"({"id":"1","application_id":"2","type":2,"token":"t",
    "user":{"id":"3","username":"dm-user"},
    "data":{"id":"4","name":"antispam","type":1,"options":[
      {"name":"config","type":2,"options":[
        {"name":"threshold","type":1,"options":[
          {"name":"value","type":10,"value":0.85},
          {"name":"strict","type":5,"value":true},
          {"name":"role","type":8,"value":"77"}]}]}],
      "resolved":{"roles":{"77":{"id":"77","name":"Spammer","position":1,"permissions":"0"}},
                  "channels":{"88":{"id":"88","type":0,"name":"log","permissions":"1024"}}}}})");
  ASSERT_TRUE(group.has_value()) << group.error().message;
  EXPECT_EQ(group->Invoker()->username, "dm-user");  // DMs: `user`, no member
  const auto& data = std::get<CommandData>(group->data);
  const auto route = data.Leaf();
  EXPECT_EQ(route.group, "config");
  EXPECT_EQ(route.subcommand, "threshold");
  ASSERT_EQ(route.options->size(), 3u);
  EXPECT_EQ((*route.options)[0].AsNumber(), 0.85);
  EXPECT_EQ((*route.options)[1].AsBool(), true);
  EXPECT_EQ((*route.options)[2].AsId(), Snowflake(77));
  EXPECT_EQ(data.resolved.roles.at(core::RoleId(77)).name, "Spammer");
  EXPECT_EQ(data.resolved.channels.at(core::ChannelId(88)).permissions, permission::kViewChannel);

  // Autocomplete: the focused option holds the partial text even for an INTEGER.
  auto autocomplete = DecodeInteraction(R"({"id":"1","application_id":"2","type":4,"token":"t",
    "data":{"id":"4","name":"antispam","type":1,"options":[
      {"name":"minutes","type":4,"value":"6","focused":true},{"name":"reason","type":3,"value":"x"}]}})");
  ASSERT_TRUE(autocomplete.has_value()) << autocomplete.error().message;
  const auto& ac = std::get<CommandData>(autocomplete->data);
  EXPECT_TRUE(ac.options[0].focused);
  EXPECT_EQ(*ac.options[0].AsString(), "6");
  EXPECT_EQ(ac.Leaf().subcommand, "");

  auto modal = DecodeInteraction(R"({"id":"1","application_id":"2","type":5,"token":"t",
    "data":{"custom_id":"as:appeal:9","components":[
      {"type":18,"id":1,"component":{"type":4,"id":2,"custom_id":"text","value":"I am not a bot"}},
      {"type":1,"components":[{"type":4,"custom_id":"legacy","value":"old style"}]}]}})");
  ASSERT_TRUE(modal.has_value()) << modal.error().message;
  const auto& md = std::get<ModalData>(modal->data);
  EXPECT_EQ(md.custom_id, "as:appeal:9");
  EXPECT_EQ(md.fields,
            (std::vector<ModalData::Field>{{"text", "I am not a bot"}, {"legacy", "old style"}}));

  auto select = DecodeInteraction(R"({"id":"1","application_id":"2","type":3,"token":"t",
    "data":{"custom_id":"as:pick","component_type":3,"values":["a","b"]}})");
  ASSERT_TRUE(select.has_value());
  EXPECT_EQ(std::get<ComponentData>(select->data).values, (std::vector<std::string>{"a", "b"}));

  auto ping =
      DecodeInteraction(R"({"id":"1","application_id":"2","type":1,"token":"t","version":1})");
  ASSERT_TRUE(ping.has_value());
  EXPECT_EQ(ping->type, InteractionType::kPing);
  EXPECT_EQ(ping->Invoker(), nullptr);
}

std::string ErrorOf(const std::string& body) {
  auto i = DecodeInteraction(body);
  EXPECT_FALSE(i.has_value()) << body;
  return i ? std::string() : i.error().message;
}

TEST(InteractionTest, MissingAndMistypedFieldsAreErrorsNamingThem) {
  const std::string body = Body(kSlashCommand);
  auto without = [&](const std::string& key) {
    nlohmann::json j = nlohmann::json::parse(body);
    j.erase(key);
    return j.dump();
  };
  for (const char* key : {"id", "application_id", "type", "token", "data"}) {
    EXPECT_EQ(ErrorOf(without(key)), "interaction." + std::string(key) + " is missing") << key;
  }
  auto edit = [&](auto change) {
    nlohmann::json j = nlohmann::json::parse(body);
    change(j);
    return j.dump();
  };
  EXPECT_EQ(ErrorOf(edit([](auto& j) { j["data"].erase("name"); })),
            "interaction.data.name is missing");
  EXPECT_EQ(ErrorOf(edit([](auto& j) { j["data"]["options"][0]["options"][1].erase("value"); })),
            "interaction.data.options[0].options[1].value is missing");
  EXPECT_EQ(ErrorOf(edit([](auto& j) { j["data"]["options"][0]["options"][1]["value"] = "60"; })),
            "interaction.data.options[0].options[1].value has the wrong type");
  EXPECT_EQ(ErrorOf(edit([](auto& j) { j["data"]["options"][0]["options"][0]["value"] = "me"; })),
            "interaction.data.options[0].options[0].value is not a snowflake");
  EXPECT_EQ(ErrorOf(edit([](auto& j) { j["type"] = "2"; })), "interaction.type has the wrong type");
  EXPECT_EQ(ErrorOf(edit([](auto& j) { j["member"]["roles"] = "1390000000000000777"; })),
            "interaction.member.roles has the wrong type");
  // Permission strings that do not fit in 64 bits are refused, not truncated.
  EXPECT_EQ(ErrorOf(edit([](auto& j) { j["member"]["permissions"] = "18446744073709551616"; })),
            "interaction.member.permissions is not a 64-bit decimal permission set");
  EXPECT_EQ(ErrorOf(edit([](auto& j) { j["app_permissions"] = std::string(400, '9'); })),
            "interaction.app_permissions is not a 64-bit decimal permission set");
  EXPECT_EQ(ErrorOf(edit([](auto& j) {
              j["data"]["resolved"]["members"]["1402000000123456789"]["permissions"] = 8;
            })),
            "interaction.data.resolved.members.1402000000123456789.permissions has the wrong type");
  EXPECT_EQ(ErrorOf(edit([](auto& j) {
              j["data"]["resolved"]["users"] = {{"nope", {{"id", "1"}}}};
            })),
            "interaction.data.resolved.users.nope is keyed by something other than a snowflake");
  EXPECT_EQ(
      ErrorOf(
          R"({"id":"1","application_id":"2","type":3,"token":"t","data":{"component_type":2}})"),
      "interaction.data.custom_id is missing");
  EXPECT_EQ(ErrorOf("[]"), "interaction is not an object");
  EXPECT_NE(ErrorOf("{\"id\":").find("is not JSON"), std::string::npos);

  // Options nested beyond any real command are refused rather than recursed into.
  nlohmann::json deep = {{"name", "v"}, {"type", 3}, {"value", "x"}};
  for (int i = 0; i < 20; ++i) deep = {{"name", "g"}, {"type", 2}, {"options", {deep}}};
  nlohmann::json j = nlohmann::json::parse(body);
  j["data"]["options"] = {deep};
  EXPECT_NE(ErrorOf(j.dump()).find("nests options too deeply"), std::string::npos);
}

TEST(InteractionTest, UnknownFieldsAndTypesAreIgnored) {
  nlohmann::json j = nlohmann::json::parse(Body(kSlashCommand));
  j["a_field_from_2030"] = {{"x", {1, 2, 3}}};
  j["data"]["options"][0]["options"].push_back({{"name", "future"}, {"type", 99}, {"value", {1}}});
  j["data"]["resolved"]["attachments"] = nlohmann::json::object();
  auto i = DecodeInteraction(j.dump());
  ASSERT_TRUE(i.has_value()) << i.error().message;
  const auto& options = std::get<CommandData>(i->data).options[0].options;
  ASSERT_EQ(options.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(options[3].value));
}

TEST(InteractionTest, RoundTripsThroughToJson) {
  for (const std::string& payload : {kSlashCommand, kButtonClick}) {
    const Interaction i = Decode(payload);
    const std::string json = ToJson(i).dump();
    auto again = DecodeInteraction(json);
    ASSERT_TRUE(again.has_value()) << again.error().message << "\n" << json;
    EXPECT_EQ(*again, i) << json;
  }
  Interaction modal{.id = InteractionId(1),
                    .application_id = ApplicationId(2),
                    .type = InteractionType::kModalSubmit,
                    .token = "t",
                    .user = User{.id = core::UserId(3)},
                    .data = ModalData{"as:appeal:9", {{"text", "please"}}}};
  EXPECT_EQ(DecodeInteraction(ToJson(modal).dump()).value(), modal);
  Interaction command{
      .id = InteractionId(1),
      .application_id = ApplicationId(2),
      .type = InteractionType::kApplicationCommand,
      .token = "t",
      .guild_id = core::GuildId(9),
      .member = Member{.user = User{.id = core::UserId(3)}, .permissions = permission::kAll},
      .data = CommandData{
          .id = CommandId(4),
          .name = "Report message",
          .type = CommandType::kMessage,
          .resolved = {.messages = {{core::MessageId(50),
                                     Message{.id = core::MessageId(50),
                                             .channel_id = core::ChannelId(6),
                                             .author = User{.id = core::UserId(7)},
                                             .content = "buy followers",
                                             .timestamp = ParseTimestamp("2026-08-06T10:00:00Z")
                                                              .value()}}}},
          .target_id = Snowflake(50)}};
  const nlohmann::json j = ToJson(command);
  EXPECT_EQ(j["member"]["permissions"], "18446744073709551615");
  EXPECT_EQ(j["data"]["target_id"], "50");
  EXPECT_EQ(DecodeInteraction(j.dump()).value(), command);
}

}  // namespace
}  // namespace discord

#include "discord/model/message_body.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "discord/model/interaction_response.h"
#include "discord/model/timestamp.h"

namespace discord {
namespace {

nlohmann::json Parse(const core::Result<std::string>& body) {
  EXPECT_TRUE(body.has_value()) << body.error().message;
  return body ? nlohmann::json::parse(*body) : nlohmann::json();
}

template <class T>
std::string ErrorOf(const core::Result<T>& r) {
  EXPECT_FALSE(r.has_value());
  return r ? std::string() : r.error().message;
}

// The body of ../shared/discord/PROTOCOL.md §4.4.
CreateMessage Report() {
  return CreateMessage{
      .content = "⚠️ <@1402000000123456789> was quarantined (invite spam).",
      .embeds = {Embed{.title = "Spam suspect",
                       .description = "5 messages in 3 s",
                       .color = 15548997,
                       .fields = {{"Account age", "2 h", true}},
                       .footer = "guardbot",
                       .timestamp = ParseTimestamp("2026-08-06T10:20:05.000Z").value()}},
      .components = {ActionRow{
          {{.style = ButtonStyle::kDanger,
            .label = "Ban",
            .custom_id = "as:ban:1402000000123456789"},
           {.style = ButtonStyle::kSuccess,
            .label = "Release",
            .custom_id = "as:release:1402000000123456789"},
           {.style = ButtonStyle::kLink, .label = "Rules", .url = "https://example.org/rules"}}}},
      .reply_to = ReplyTo{core::MessageId(1402000000000000001)}};
}

TEST(MessageBodyTest, EncodesTheDocumentedCreateMessage) {
  const nlohmann::json j = Parse(EncodeCreateMessage(Report()));
  EXPECT_EQ(j, nlohmann::json::parse(R"({
    "content":"⚠️ <@1402000000123456789> was quarantined (invite spam).",
    "embeds":[{"type":"rich","title":"Spam suspect","description":"5 messages in 3 s","color":15548997,
               "fields":[{"name":"Account age","value":"2 h","inline":true}],
               "footer":{"text":"guardbot"},"timestamp":"2026-08-06T10:20:05.000000+00:00"}],
    "components":[{"type":1,"components":[
      {"type":2,"style":4,"label":"Ban","custom_id":"as:ban:1402000000123456789"},
      {"type":2,"style":3,"label":"Release","custom_id":"as:release:1402000000123456789"},
      {"type":2,"style":5,"label":"Rules","url":"https://example.org/rules"}]}],
    "allowed_mentions":{"parse":[]},
    "message_reference":{"message_id":"1402000000000000001","fail_if_not_exists":false}})"));
}

TEST(MessageBodyTest, AllowedMentionsPingNobodyUnlessListed) {
  const nlohmann::json plain = Parse(EncodeCreateMessage({.content = "hi @everyone"}));
  EXPECT_EQ(plain,
            nlohmann::json::parse(R"({"content":"hi @everyone","allowed_mentions":{"parse":[]}})"));
  const nlohmann::json listed =
      Parse(EncodeCreateMessage({.content = "<@5>",
                                 .allowed_mentions = {.users = {core::UserId(5)},
                                                      .roles = {core::RoleId(6)},
                                                      .replied_user = true},
                                 .flags = message_flag::kSuppressNotifications,
                                 .nonce = "case-42"}));
  EXPECT_EQ(
      listed["allowed_mentions"],
      nlohmann::json::parse(R"({"parse":[],"users":["5"],"roles":["6"],"replied_user":true})"));
  EXPECT_EQ(listed["flags"], 4096);
  EXPECT_EQ(listed["nonce"], "case-42");
  EXPECT_EQ(listed["enforce_nonce"], true);
  const nlohmann::json parsed = Parse(EncodeCreateMessage(
      {.content = "x", .allowed_mentions = {.parse_users = true, .parse_everyone = true}}));
  EXPECT_EQ(parsed["allowed_mentions"]["parse"], nlohmann::json({"users", "everyone"}));
  EXPECT_EQ(
      ErrorOf(EncodeCreateMessage(
          {.content = "x", .allowed_mentions = {.parse_users = true, .users = {core::UserId(1)}}})),
      "allowed_mentions parses users and lists them too");
}

TEST(MessageBodyTest, ValidatesDiscordsLimits) {
  EXPECT_EQ(ErrorOf(EncodeCreateMessage({})), "a message needs content, embeds or components");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage({.content = std::string(2001, 'x')})),
            "content is 2001 characters (at most 2000)");
  // Characters, not bytes: 2000 three-byte characters fit.
  std::string wide;
  for (int i = 0; i < 2000; ++i) wide += "€";
  EXPECT_TRUE(EncodeCreateMessage({.content = wide}).has_value());
  EXPECT_EQ(ErrorOf(EncodeCreateMessage({.embeds = std::vector<Embed>(11, Embed{.title = "t"})})),
            "11 embeds (at most 10)");
  auto embed = [](Embed e) { return CreateMessage{.embeds = {std::move(e)}}; };
  EXPECT_EQ(ErrorOf(EncodeCreateMessage(embed({.title = std::string(257, 't')}))),
            "embeds[0].title is 257 characters (at most 256)");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage(embed({.description = std::string(4097, 'd')}))),
            "embeds[0].description is 4097 characters (at most 4096)");
  EXPECT_EQ(
      ErrorOf(EncodeCreateMessage(embed({.fields = std::vector<EmbedField>(26, {"n", "v"})}))),
      "embeds[0] has 26 fields (at most 25)");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage(embed({.fields = {{"n", std::string(1025, 'v')}}}))),
            "embeds[0].fields[0].value is 1025 characters (at most 1024)");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage(embed({.fields = {{"", "v"}}}))),
            "embeds[0].fields[0].name is empty");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage(embed({.footer = std::string(2049, 'f')}))),
            "embeds[0].footer.text is 2049 characters (at most 2048)");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage(embed({.author_name = std::string(257, 'a')}))),
            "embeds[0].author.name is 257 characters (at most 256)");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage(
                {.embeds = std::vector<Embed>(2, Embed{.description = std::string(3001, 'd')})})),
            "the embeds hold 6002 characters in all (at most 6000)");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage({.content = "x", .nonce = std::string(26, 'n')})),
            "nonce is 26 characters (at most 25)");

  auto buttons = [](std::vector<Button> b) {
    return CreateMessage{.components = {ActionRow{std::move(b)}}};
  };
  EXPECT_EQ(ErrorOf(EncodeCreateMessage(buttons({}))), "components[0] has 0 buttons (1 to 5)");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage(
                buttons(std::vector<Button>(6, Button{.label = "x", .custom_id = "y"})))),
            "components[0] has 6 buttons (1 to 5)");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage(buttons(
                {{.label = "a", .custom_id = "same"}, {.label = "b", .custom_id = "same"}}))),
            "components[0].components[1].custom_id \"same\" is used twice");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage(buttons({{.label = "a"}}))),
            "components[0].components[0].custom_id is empty");
  EXPECT_EQ(
      ErrorOf(EncodeCreateMessage(buttons({{.label = "a", .custom_id = std::string(101, 'c')}}))),
      "components[0].components[0].custom_id is 101 characters (at most 100)");
  EXPECT_EQ(
      ErrorOf(EncodeCreateMessage(buttons(
          {{.style = ButtonStyle::kLink, .label = "a", .custom_id = "c", .url = "https://x"}}))),
      "components[0].components[0] is a link button with a custom_id");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage(buttons({{.custom_id = "c"}}))),
            "components[0].components[0] has neither label nor emoji");
  EXPECT_EQ(
      ErrorOf(EncodeCreateMessage(buttons({{.label = std::string(81, 'l'), .custom_id = "c"}}))),
      "components[0].components[0].label is 81 characters (at most 80)");
  EXPECT_EQ(ErrorOf(EncodeCreateMessage({.components = std::vector<ActionRow>(
                                             6, ActionRow{{{.label = "l", .custom_id = "c"}}})})),
            "6 action rows (at most 5)");
}

TEST(MessageBodyTest, EditsSendOnlyWhatChanges) {
  EXPECT_EQ(Parse(EncodeEditMessage({.components = std::vector<ActionRow>{}})),
            nlohmann::json::parse(R"({"components":[],"allowed_mentions":{"parse":[]}})"));
  EXPECT_EQ(Parse(EncodeEditMessage({.content = "",
                                     .embeds = std::vector<Embed>{{.title = "done"}},
                                     .flags = message_flag::kSuppressEmbeds})),
            nlohmann::json::parse(R"({"content":"","embeds":[{"type":"rich","title":"done"}],
                                      "allowed_mentions":{"parse":[]},"flags":4})"));
  EXPECT_EQ(ErrorOf(EncodeEditMessage({})), "an edit changes nothing");
  EXPECT_EQ(ErrorOf(EncodeEditMessage({.content = std::string(2001, 'x')})),
            "content is 2001 characters (at most 2000)");
}

TEST(InteractionResponseTest, MessagesDeferralsAndUpdates) {
  CreateMessage reply{.content = "Quarantined.", .flags = message_flag::kEphemeral};
  EXPECT_EQ(
      Parse(EncodeInteractionResponse({.type = ResponseType::kChannelMessage, .message = reply})),
      nlohmann::json::parse(R"({"type":4,"data":{"content":"Quarantined.",
                                      "allowed_mentions":{"parse":[]},"flags":64}})"));
  EXPECT_EQ(Parse(EncodeInteractionResponse(
                {.type = ResponseType::kDeferredChannelMessage,
                 .message = CreateMessage{.flags = message_flag::kEphemeral}})),
            nlohmann::json::parse(R"({"type":5,"data":{"flags":64}})"));
  EXPECT_EQ(Parse(EncodeInteractionResponse({.type = ResponseType::kDeferredUpdate})),
            nlohmann::json::parse(R"({"type":6})"));
  EXPECT_EQ(Parse(EncodeInteractionResponse({.type = ResponseType::kPong})),
            nlohmann::json::parse(R"({"type":1})"));
  // UPDATE_MESSAGE replaces the message: the buttons are cleared by an empty list.
  EXPECT_EQ(
      Parse(EncodeInteractionResponse({.type = ResponseType::kUpdateMessage,
                                       .message = CreateMessage{.embeds = {{.title = "Banned"}}}})),
      nlohmann::json::parse(
          R"({"type":7,"data":{"content":"","embeds":[{"type":"rich","title":"Banned"}],
                                      "components":[],"allowed_mentions":{"parse":[]}}})"));
  EXPECT_EQ(ErrorOf(EncodeInteractionResponse({.type = ResponseType::kChannelMessage})),
            "a CHANNEL_MESSAGE_WITH_SOURCE response needs a message");
  EXPECT_EQ(ErrorOf(EncodeInteractionResponse(
                {.type = ResponseType::kDeferredChannelMessage, .message = reply})),
            "a deferred response carries only flags (edit @original for the rest)");
  EXPECT_EQ(
      ErrorOf(EncodeInteractionResponse({.type = ResponseType::kDeferredUpdate, .message = reply})),
      "an interaction response of type 6 takes no message");
  EXPECT_EQ(ErrorOf(EncodeInteractionResponse(
                {.type = ResponseType::kChannelMessage,
                 .message = CreateMessage{.content = std::string(2001, 'x')}})),
            "content is 2001 characters (at most 2000)");
  EXPECT_EQ(ErrorOf(EncodeInteractionResponse({.type = static_cast<ResponseType>(10)})),
            "interaction response type 10 is not supported");
}

TEST(InteractionResponseTest, ModalsAndAutocomplete) {
  // The modal of ../shared/discord/PROTOCOL.md §5.3.
  const Modal appeal{.custom_id = "as:appeal:1402000000123456789",
                     .title = "Appeal",
                     .inputs = {{.custom_id = "text",
                                 .label = "Why should we lift it?",
                                 .style = TextInputStyle::kParagraph,
                                 .min_length = 10,
                                 .max_length = 1000}}};
  EXPECT_EQ(Parse(EncodeInteractionResponse({.type = ResponseType::kModal, .modal = appeal})),
            nlohmann::json::parse(
                R"({"type":9,"data":{"custom_id":"as:appeal:1402000000123456789","title":"Appeal",
              "components":[{"type":18,"label":"Why should we lift it?",
                "component":{"type":4,"custom_id":"text","style":2,"min_length":10,"max_length":1000,"required":true}}]}})"));
  Modal bad = appeal;
  bad.title = std::string(46, 't');
  EXPECT_EQ(ErrorOf(EncodeInteractionResponse({.type = ResponseType::kModal, .modal = bad})),
            "modal.title is 46 characters (at most 45)");
  bad = appeal;
  bad.inputs.clear();
  EXPECT_EQ(ErrorOf(EncodeInteractionResponse({.type = ResponseType::kModal, .modal = bad})),
            "modal has 0 inputs (1 to 5)");
  bad = appeal;
  bad.inputs[0].max_length = 4001;
  EXPECT_EQ(ErrorOf(EncodeInteractionResponse({.type = ResponseType::kModal, .modal = bad})),
            "modal.components[0].max_length is 4001 (allowed 1..4000)");
  EXPECT_EQ(ErrorOf(EncodeInteractionResponse({.type = ResponseType::kModal})),
            "a MODAL response needs a modal");

  EXPECT_EQ(Parse(EncodeInteractionResponse(
                {.type = ResponseType::kAutocompleteResult,
                 .choices = {{"60 minutes", std::int64_t{60}}, {"1 day", std::int64_t{1440}}}})),
            nlohmann::json::parse(R"({"type":8,"data":{"choices":[{"name":"60 minutes","value":60},
                                                                 {"name":"1 day","value":1440}]}})"));
  EXPECT_EQ(ErrorOf(EncodeInteractionResponse(
                {.type = ResponseType::kAutocompleteResult,
                 .choices = std::vector<CommandChoice>(26, {"x", std::int64_t{1}})})),
            "26 choices (at most 25)");
  EXPECT_EQ(ErrorOf(EncodeInteractionResponse({.type = ResponseType::kChannelMessage,
                                               .message = CreateMessage{.content = "x"},
                                               .choices = {{"x", std::int64_t{1}}}})),
            "an interaction response of type 4 takes no choices");
}

}  // namespace
}  // namespace discord

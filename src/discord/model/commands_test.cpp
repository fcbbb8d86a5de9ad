#include "discord/model/commands.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace discord {
namespace {

// The registration example of ../shared/discord/PROTOCOL.md §5.1.
ApplicationCommand Antispam() {
  return ApplicationCommand{
      .name = "antispam",
      .description = "Anti-spam tools",
      .options = {CommandOptionSpec{.type = OptionType::kSubCommand,
                                    .name = "quarantine",
                                    .description = "Timeout and isolate a user",
                                    .options = {{.type = OptionType::kUser,
                                                 .name = "user",
                                                 .description = "Target",
                                                 .required = true},
                                                {.type = OptionType::kInteger,
                                                 .name = "minutes",
                                                 .description = "1-40320",
                                                 .required = true,
                                                 .min_value = 1,
                                                 .max_value = 40320},
                                                {.type = OptionType::kString,
                                                 .name = "reason",
                                                 .description = "Why",
                                                 .max_length = 400}}}},
      .default_member_permissions = permission::kModerateMembers,
      .contexts = {InteractionContext::kGuild}};
}

std::string ErrorOf(const ApplicationCommand& c) {
  auto v = Validate(c);
  EXPECT_FALSE(v.has_value()) << c.name;
  return v ? std::string() : v.error().message;
}

TEST(CommandsTest, EncodesTheDocumentedRegistration) {
  const ApplicationCommand cmd = Antispam();
  auto body = EncodeApplicationCommands(std::vector<ApplicationCommand>{cmd});
  ASSERT_TRUE(body.has_value()) << body.error().message;
  EXPECT_EQ(nlohmann::json::parse(*body), nlohmann::json::parse(R"([
    {"name":"antispam","type":1,"description":"Anti-spam tools","default_member_permissions":"1099511627776",
     "contexts":[0],"options":[{"type":1,"name":"quarantine","description":"Timeout and isolate a user",
       "options":[{"type":6,"name":"user","description":"Target","required":true},
                  {"type":4,"name":"minutes","description":"1-40320","required":true,"min_value":1,"max_value":40320},
                  {"type":3,"name":"reason","description":"Why","max_length":400}]}]}])"));
  // min/max of an INTEGER are written as integers, of a NUMBER as numbers.
  const auto j = nlohmann::json::parse(*body);
  EXPECT_TRUE(j[0]["options"][0]["options"][1]["min_value"].is_number_integer());
}

TEST(CommandsTest, ContextMenusGroupsChoicesAndDefaults) {
  const ApplicationCommand report{.name = "Report spam", .type = CommandType::kMessage};
  const ApplicationCommand config{
      .name = "config",
      .description = "Settings",
      .options = {{.type = OptionType::kSubCommandGroup,
                   .name = "threshold",
                   .description = "Thresholds",
                   .options = {{.type = OptionType::kSubCommand,
                                .name = "set",
                                .description = "Set one",
                                .options = {{.type = OptionType::kString,
                                             .name = "level",
                                             .description = "How strict",
                                             .required = true,
                                             .choices = {{"Low", std::string("low")},
                                                         {"High", std::string("high")}}},
                                            {.type = OptionType::kNumber,
                                             .name = "score",
                                             .description = "0-1",
                                             .choices = {{"Half", 0.5}, {"One", std::int64_t{1}}}},
                                            {.type = OptionType::kChannel,
                                             .name = "log",
                                             .description = "Where",
                                             .channel_types = {ChannelType::kGuildText}}}}}}},
      .default_member_permissions = 0,  // administrators only
      .dm_permission = false};
  auto body = EncodeApplicationCommands(std::vector<ApplicationCommand>{report, config});
  ASSERT_TRUE(body.has_value()) << body.error().message;
  const auto j = nlohmann::json::parse(*body);
  EXPECT_EQ(
      j[0],
      nlohmann::json::parse(
          R"({"name":"Report spam","type":3,"description":"","default_member_permissions":null})"));
  EXPECT_EQ(j[1]["default_member_permissions"], "0");
  EXPECT_EQ(j[1]["dm_permission"], false);
  const auto& level = j[1]["options"][0]["options"][0]["options"][0];
  EXPECT_EQ(level["choices"][1], nlohmann::json::parse(R"({"name":"High","value":"high"})"));
  EXPECT_EQ(j[1]["options"][0]["options"][0]["options"][1]["choices"][0]["value"], 0.5);
  EXPECT_EQ(j[1]["options"][0]["options"][0]["options"][2]["channel_types"], nlohmann::json({0}));

  EXPECT_FALSE(
      EncodeApplicationCommands(std::vector<ApplicationCommand>{config, config}).has_value());
}

TEST(CommandsTest, RefusesWhatDiscordRefuses) {
  auto with = [](auto change) {
    ApplicationCommand c = Antispam();
    change(c);
    return c;
  };
  EXPECT_EQ(
      ErrorOf(with([](auto& c) { c.name = "AntiSpam"; })),
      "command \"AntiSpam\".name \"AntiSpam\" may hold only lowercase letters, digits, - _ '");
  EXPECT_NE(ErrorOf(with([](auto& c) { c.name = "anti spam"; })).find("lowercase"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(with([](auto& c) { c.name = std::string(33, 'a'); })),
            "command \"" + std::string(33, 'a') + "\".name is 33 characters (at most 32)");
  EXPECT_EQ(ErrorOf(with([](auto& c) { c.description = ""; })),
            "command \"antispam\".description is empty");
  EXPECT_EQ(
      ErrorOf(with([](auto& c) { c.options[0].options[0].required = false; })),
      "command \"antispam\".options[0].options[1] is required but follows an optional option");
  EXPECT_EQ(ErrorOf(with([](auto& c) { c.options[0].options[2].name = "user"; })),
            "command \"antispam\".options[0].options[2].name \"user\" is used twice");
  EXPECT_EQ(ErrorOf(with([](auto& c) { c.options[0].options[1].min_value = 50000; })),
            "command \"antispam\".options[0].options[1].min_value is above max_value");
  EXPECT_EQ(
      ErrorOf(with([](auto& c) { c.options[0].options[0].max_length = 5; })),
      "command \"antispam\".options[0].options[0] has min_length/max_length but is not STRING");
  EXPECT_EQ(ErrorOf(with([](auto& c) { c.options[0].options[2].max_length = 6001; })),
            "command \"antispam\".options[0].options[2].max_length is 6001 (allowed 1..6000)");
  EXPECT_EQ(ErrorOf(with([](auto& c) {
              c.options[0].options[1].choices = {{"one", std::string("1")}};
            })),
            "command \"antispam\".options[0].options[1].choices[0].value does not have the "
            "option's type");
  EXPECT_EQ(ErrorOf(with([](auto& c) {
              c.options[0].options[2].choices = {{"spam", std::string("spam")}};
              c.options[0].options[2].autocomplete = true;
            })),
            "command \"antispam\".options[0].options[2] has both choices and autocomplete");
  EXPECT_EQ(ErrorOf(with([](auto& c) {
              c.options[0].options.resize(26, CommandOptionSpec{.name = "x", .description = "y"});
            })),
            "command \"antispam\".options[0] has 26 options (at most 25)");
  // Nesting: a subcommand in a subcommand, a value beside a subcommand, a value in a group.
  EXPECT_EQ(ErrorOf(with([](auto& c) {
              c.options[0].options = {
                  {.type = OptionType::kSubCommand, .name = "deeper", .description = "d"}};
            })),
            "command \"antispam\".options[0].options[0] nests subcommands too deeply");
  EXPECT_EQ(
      ErrorOf(with([](auto& c) {
        c.options.push_back({.type = OptionType::kString, .name = "loose", .description = "d"});
      })),
      "command \"antispam\" mixes subcommands with value options");
  EXPECT_EQ(
      ErrorOf(with([](auto& c) {
        c.options = {{.type = OptionType::kSubCommandGroup,
                      .name = "g",
                      .description = "d",
                      .options = {{.type = OptionType::kString, .name = "v", .description = "d"}}}};
      })),
      "command \"antispam\".options[0].options[0] is in a subcommand group but not a subcommand");
  EXPECT_EQ(ErrorOf(ApplicationCommand{
                .name = "Report", .description = "no", .type = CommandType::kUser}),
            "command \"Report\" is a context-menu command and must have no description");
  // 8000 characters in all: 22 more options of 500 characters each.
  const std::string too_long = ErrorOf(with([](auto& c) {
    for (int i = 0; i < 22; ++i) {
      c.options[0].options.push_back({.type = OptionType::kString,
                                      .name = "o" + std::to_string(i),
                                      .description = std::string(100, 'd'),
                                      .choices = {{std::string(100, 'c'), std::string(100, 'v')},
                                                  {std::string(100, 'e'), std::string(100, 'w')}}});
    }
  }));
  EXPECT_NE(too_long.find("characters (at most 8000)"), std::string::npos) << too_long;
}

}  // namespace
}  // namespace discord

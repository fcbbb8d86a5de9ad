// Application (slash and context-menu) command definitions for the bulk overwrite
// (PUT /applications/{app}/commands, .../guilds/{guild}/commands) and the list Discord returns
// (https://discord.com/developers/docs/interactions/application-commands).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/id.h"
#include "core/result.h"
#include "discord/model/channel.h"
#include "discord/model/ids.h"
#include "discord/model/permissions.h"

namespace discord {

enum class CommandType : int {
  kChatInput = 1,  // slash command
  kUser = 2,       // user context menu
  kMessage = 3,    // message context menu
  kPrimaryEntryPoint = 4,
};

enum class OptionType : int {
  kSubCommand = 1,
  kSubCommandGroup = 2,
  kString = 3,
  kInteger = 4,  // within ±(2^53 - 1)
  kBoolean = 5,
  kUser = 6,
  kChannel = 7,
  kRole = 8,
  kMentionable = 9,
  kNumber = 10,  // double
  kAttachment = 11,
};

enum class InteractionContext : int { kGuild = 0, kBotDm = 1, kPrivateChannel = 2 };

// A predefined value of a STRING, INTEGER or NUMBER option (also an autocomplete result).
struct CommandChoice {
  std::string name;  // 1-100 characters
  std::variant<std::string, std::int64_t, double> value;

  bool operator==(const CommandChoice&) const = default;
};

struct CommandOptionSpec {
  OptionType type = OptionType::kString;
  std::string name;                        // 1-32, lowercase
  std::string description;                 // 1-100
  bool required = false;                   // required options come first
  std::vector<CommandChoice> choices;      // ≤ 25, of the option's type
  std::vector<CommandOptionSpec> options;  // SUB_COMMAND_GROUP: subcommands; SUB_COMMAND: values
  std::vector<ChannelType> channel_types;  // CHANNEL only
  std::optional<double> min_value;         // INTEGER (written as an integer) and NUMBER
  std::optional<double> max_value;
  std::optional<int> min_length;  // STRING: 0..6000
  std::optional<int> max_length;  // STRING: 1..6000
  bool autocomplete = false;      // not with choices

  bool operator==(const CommandOptionSpec&) const = default;
};

struct ApplicationCommand {
  std::string name;         // 1-32; lowercase for CHAT_INPUT
  std::string description;  // CHAT_INPUT: 1-100; USER and MESSAGE commands: empty
  CommandType type = CommandType::kChatInput;
  std::vector<CommandOptionSpec> options;  // ≤ 25
  // Who may use it by default: nullopt everyone, 0 administrators only, else these permissions.
  std::optional<Permissions> default_member_permissions;
  std::vector<InteractionContext> contexts;  // empty: Discord's default
  std::optional<bool> dm_permission;         // the deprecated form of contexts
  bool nsfw = false;

  bool operator==(const ApplicationCommand&) const = default;
};

// Discord's rules that can be checked locally (PROTOCOL.md §5.1): name and description lengths,
// lowercase names of [-_'], letters and digits, ≤ 25 options and choices, required options first,
// subcommand nesting (a group holds subcommands, a subcommand holds values, nothing deeper), choice
// types, min ≤ max, 8000 characters in all. kInvalidArgument names the command and option.
core::Result<void> Validate(const ApplicationCommand& command);

// The body of the bulk overwrite: a JSON array, after Validate of each and unique (name, type).
core::Result<std::string> EncodeApplicationCommands(std::span<const ApplicationCommand> commands);

// One command definition in Discord's shape (not validated).
nlohmann::json ToJson(const ApplicationCommand& command);

// A registered command as Discord lists it. Required: id, name, type.
struct CommandInfo {
  CommandId id;
  std::string name;
  CommandType type = CommandType::kChatInput;
  std::optional<ApplicationId> application_id;
  std::optional<core::GuildId> guild_id;

  bool operator==(const CommandInfo&) const = default;
};

// The response of the bulk overwrite or GET .../commands: an array of commands.
core::Result<std::vector<CommandInfo>> DecodeApplicationCommands(std::string_view json);

}  // namespace discord

#include "discord/model/commands.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "discord/model/detail/limits.h"
#include "discord/model/detail/readers.h"

namespace discord {
namespace {

using detail::CheckLength;
using detail::CodePoints;
using detail::Invalid;

bool IsValueOption(OptionType t) {
  return t != OptionType::kSubCommand && t != OptionType::kSubCommandGroup;
}

// CHAT_INPUT names and all option names: lowercase; ASCII letters, digits, '-', '_', '\''. Other
// scripts' letters are left to Discord (its rule is \p{L}\p{N} and two scripts).
core::Result<void> CheckName(const std::string& what, std::string_view name) {
  DISCORD_MODEL_CHECK(CheckLength(what, name, 1, 32));
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) continue;
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '\'';
    if (!ok) {
      return Invalid(
          fmt::format("{} \"{}\" may hold only lowercase letters, digits, - _ '", what, name),
          what);
    }
  }
  return {};
}

core::Result<void> CheckChoices(const std::string& at, const CommandOptionSpec& o,
                                std::size_t& total) {
  if (o.choices.empty()) return {};
  if (o.type != OptionType::kString && o.type != OptionType::kInteger &&
      o.type != OptionType::kNumber) {
    return Invalid(at + " has choices but is not a STRING, INTEGER or NUMBER option", at);
  }
  if (o.choices.size() > 25) {
    return Invalid(fmt::format("{} has {} choices (at most 25)", at, o.choices.size()), at);
  }
  if (o.autocomplete) return Invalid(at + " has both choices and autocomplete", at);
  for (std::size_t i = 0; i < o.choices.size(); ++i) {
    const CommandChoice& c = o.choices[i];
    const std::string choice = fmt::format("{}.choices[{}]", at, i);
    DISCORD_MODEL_CHECK(CheckLength(choice + ".name", c.name, 1, 100));
    total += CodePoints(c.name);
    const bool ok =
        (o.type == OptionType::kString && std::holds_alternative<std::string>(c.value)) ||
        (o.type == OptionType::kInteger && std::holds_alternative<std::int64_t>(c.value)) ||
        (o.type == OptionType::kNumber && !std::holds_alternative<std::string>(c.value));
    if (!ok) return Invalid(choice + ".value does not have the option's type", choice + ".value");
    if (const auto* s = std::get_if<std::string>(&c.value)) {
      DISCORD_MODEL_CHECK(CheckLength(choice + ".value", *s, 1, 100));
      total += CodePoints(*s);
    }
  }
  return {};
}

// `depth` 0: the command's options; 1: a group's or top-level subcommand's; 2: a grouped
// subcommand's.
core::Result<void> CheckOptions(const std::string& at, std::span<const CommandOptionSpec> options,
                                int depth, bool in_group, std::size_t& total) {
  if (options.size() > 25) {
    return Invalid(fmt::format("{} has {} options (at most 25)", at, options.size()), at);
  }
  std::set<std::string_view> names;
  bool seen_optional = false;
  bool seen_sub = false, seen_value = false;
  for (std::size_t i = 0; i < options.size(); ++i) {
    const CommandOptionSpec& o = options[i];
    const std::string here = fmt::format("{}.options[{}]", at, i);
    DISCORD_MODEL_CHECK(CheckName(here + ".name", o.name));
    DISCORD_MODEL_CHECK(CheckLength(here + ".description", o.description, 1, 100));
    total += CodePoints(o.name) + CodePoints(o.description);
    if (!names.insert(o.name).second) {
      return Invalid(fmt::format("{}.name \"{}\" is used twice", here, o.name), here + ".name");
    }
    if (IsValueOption(o.type)) {
      seen_value = true;
      if (in_group) return Invalid(here + " is in a subcommand group but not a subcommand", here);
      if (!o.options.empty()) return Invalid(here + " holds options but is not a subcommand", here);
      if (o.required && seen_optional) {
        return Invalid(here + " is required but follows an optional option", here);
      }
      seen_optional = seen_optional || !o.required;
    } else {
      seen_sub = true;
      const bool group = o.type == OptionType::kSubCommandGroup;
      const bool allowed = group ? depth == 0 : depth == 0 || (depth == 1 && in_group);
      if (!allowed) {
        return Invalid(here + " nests subcommands too deeply", here);
      }
      if (o.required) return Invalid(here + " is a subcommand and cannot be required", here);
      if (group && o.options.empty()) return Invalid(here + " is an empty subcommand group", here);
      DISCORD_MODEL_CHECK(CheckOptions(here, o.options, depth + 1, group, total));
    }
    if (seen_sub && seen_value) {
      return Invalid(at + " mixes subcommands with value options", at);
    }
    DISCORD_MODEL_CHECK(CheckChoices(here, o, total));
    const bool numeric = o.type == OptionType::kInteger || o.type == OptionType::kNumber;
    if ((o.min_value || o.max_value) && !numeric) {
      return Invalid(here + " has min_value/max_value but is not INTEGER or NUMBER", here);
    }
    if (o.min_value && o.max_value && *o.min_value > *o.max_value) {
      return Invalid(here + ".min_value is above max_value", here);
    }
    if (o.min_length || o.max_length) {
      if (o.type != OptionType::kString) {
        return Invalid(here + " has min_length/max_length but is not STRING", here);
      }
      if (o.min_length)
        DISCORD_MODEL_CHECK(detail::CheckRange(here + ".min_length", *o.min_length, 0, 6000));
      if (o.max_length)
        DISCORD_MODEL_CHECK(detail::CheckRange(here + ".max_length", *o.max_length, 1, 6000));
      if (o.min_length && o.max_length && *o.min_length > *o.max_length) {
        return Invalid(here + ".min_length is above max_length", here);
      }
    }
    if (!o.channel_types.empty() && o.type != OptionType::kChannel) {
      return Invalid(here + " has channel_types but is not CHANNEL", here);
    }
    if (o.autocomplete && o.type != OptionType::kString && !numeric) {
      return Invalid(here + " has autocomplete but is not STRING, INTEGER or NUMBER", here);
    }
  }
  return {};
}

nlohmann::json ChoiceValue(const std::variant<std::string, std::int64_t, double>& value) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

nlohmann::json ToJson(const CommandOptionSpec& o) {
  nlohmann::json j = {
      {"type", static_cast<int>(o.type)}, {"name", o.name}, {"description", o.description}};
  if (o.required) j["required"] = true;
  if (!o.choices.empty()) {
    nlohmann::json choices = nlohmann::json::array();
    for (const CommandChoice& c : o.choices) {
      choices.push_back({{"name", c.name}, {"value", ChoiceValue(c.value)}});
    }
    j["choices"] = std::move(choices);
  }
  if (!o.options.empty()) {
    nlohmann::json options = nlohmann::json::array();
    for (const CommandOptionSpec& sub : o.options) options.push_back(ToJson(sub));
    j["options"] = std::move(options);
  }
  if (!o.channel_types.empty()) {
    nlohmann::json types = nlohmann::json::array();
    for (ChannelType t : o.channel_types) types.push_back(static_cast<int>(t));
    j["channel_types"] = std::move(types);
  }
  auto bound = [&](double v) {
    return o.type == OptionType::kInteger ? nlohmann::json(static_cast<std::int64_t>(v))
                                          : nlohmann::json(v);
  };
  if (o.min_value) j["min_value"] = bound(*o.min_value);
  if (o.max_value) j["max_value"] = bound(*o.max_value);
  if (o.min_length) j["min_length"] = *o.min_length;
  if (o.max_length) j["max_length"] = *o.max_length;
  if (o.autocomplete) j["autocomplete"] = true;
  return j;
}

core::Result<CommandInfo> ReadCommandInfo(const detail::object& o, const detail::Path& path) {
  detail::Reader r(o, path);
  CommandInfo c;
  c.id = r.ReqId<CommandId>("id");
  c.name = r.ReqStr("name");
  c.type = static_cast<CommandType>(r.ReqInt("type", 1, 255));
  c.application_id = r.OptId<ApplicationId>("application_id");
  c.guild_id = r.OptId<core::GuildId>("guild_id");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return c;
}

}  // namespace

core::Result<void> Validate(const ApplicationCommand& command) {
  const std::string at = fmt::format("command \"{}\"", command.name.substr(0, 40));
  std::size_t total = CodePoints(command.name) + CodePoints(command.description);
  if (command.type == CommandType::kChatInput) {
    DISCORD_MODEL_CHECK(CheckName(at + ".name", command.name));
    DISCORD_MODEL_CHECK(CheckLength(at + ".description", command.description, 1, 100));
    DISCORD_MODEL_CHECK(CheckOptions(at, command.options, 0, false, total));
  } else {
    DISCORD_MODEL_CHECK(CheckLength(at + ".name", command.name, 1, 32));
    if (!command.description.empty()) {
      return Invalid(at + " is a context-menu command and must have no description", at);
    }
    if (!command.options.empty()) {
      return Invalid(at + " is a context-menu command and cannot have options", at);
    }
  }
  if (total > 8000) {
    return Invalid(fmt::format("{} holds {} characters (at most 8000)", at, total), at);
  }
  return {};
}

core::Result<std::string> EncodeApplicationCommands(std::span<const ApplicationCommand> commands) {
  std::set<std::pair<int, std::string_view>> seen;
  nlohmann::json body = nlohmann::json::array();
  for (const ApplicationCommand& c : commands) {
    DISCORD_MODEL_CHECK(Validate(c));
    if (!seen.emplace(static_cast<int>(c.type), c.name).second) {
      return core::Fail(core::ErrorCode::kInvalidArgument,
                        fmt::format("command \"{}\" is defined twice", c.name), c.name);
    }
    body.push_back(ToJson(c));
  }
  return body.dump();
}

nlohmann::json ToJson(const ApplicationCommand& command) {
  nlohmann::json j = {{"name", command.name},
                      {"type", static_cast<int>(command.type)},
                      {"description", command.description}};
  if (!command.options.empty()) {
    nlohmann::json options = nlohmann::json::array();
    for (const CommandOptionSpec& o : command.options) options.push_back(ToJson(o));
    j["options"] = std::move(options);
  }
  j["default_member_permissions"] =
      command.default_member_permissions
          ? nlohmann::json(std::to_string(*command.default_member_permissions))
          : nlohmann::json();
  if (!command.contexts.empty()) {
    nlohmann::json contexts = nlohmann::json::array();
    for (InteractionContext c : command.contexts) contexts.push_back(static_cast<int>(c));
    j["contexts"] = std::move(contexts);
  }
  if (command.dm_permission) j["dm_permission"] = *command.dm_permission;
  if (command.nsfw) j["nsfw"] = true;
  return j;
}

core::Result<std::vector<CommandInfo>> DecodeApplicationCommands(std::string_view json) {
  return detail::DecodeList<CommandInfo>(json, "commands", ReadCommandInfo);
}

}  // namespace discord

// Interactions (https://discord.com/developers/docs/interactions/receiving-and-responding): slash
// commands with nested options and `resolved` objects, autocomplete, button clicks and modal
// submits, as INTERACTION_CREATE or the HTTP endpoint delivers them (PROTOCOL.md §2.3, §5).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/id.h"
#include "core/result.h"
#include "discord/model/channel.h"
#include "discord/model/commands.h"
#include "discord/model/components.h"
#include "discord/model/ids.h"
#include "discord/model/message.h"
#include "discord/model/permissions.h"
#include "discord/model/user.h"

namespace discord {

enum class InteractionType : int {
  kPing = 1,
  kApplicationCommand = 2,
  kMessageComponent = 3,
  kAutocomplete = 4,
  kModalSubmit = 5,
};

// An option the user filled in. Required: name, type.
struct CommandOption {
  // monostate for SUB_COMMAND and SUB_COMMAND_GROUP; string, int64_t, double or bool by type;
  // Snowflake for USER, CHANNEL, ROLE, MENTIONABLE and ATTACHMENT (the objects are in `resolved`);
  // while `focused` (autocomplete) the text typed so far, as a string, whatever the type.
  using Value = std::variant<std::monostate, std::string, std::int64_t, double, bool, Snowflake>;

  std::string name;
  OptionType type = OptionType::kString;
  Value value;
  bool focused = false;
  std::vector<CommandOption> options;  // SUB_COMMAND and SUB_COMMAND_GROUP only

  // The sub-option called `name`, or nullptr.
  const CommandOption* Find(std::string_view name) const;
  const std::string* AsString() const;
  std::optional<std::int64_t> AsInteger() const;
  std::optional<double> AsNumber() const;  // NUMBER, or an INTEGER widened
  std::optional<bool> AsBool() const;
  std::optional<Snowflake> AsId() const;

  bool operator==(const CommandOption&) const = default;
};

// The objects behind USER/CHANNEL/ROLE/MENTIONABLE options and context-menu targets, by id.
struct Resolved {
  std::map<core::UserId, User> users;
  std::map<core::UserId, Member> members;  // partial: no user, deaf, mute; with permissions
  std::map<core::RoleId, Role> roles;
  std::map<core::ChannelId, Channel> channels;  // partial: id, name, type, permissions, ...
  std::map<core::MessageId, Message> messages;  // MESSAGE commands' targets

  bool operator==(const Resolved&) const = default;
};

// APPLICATION_COMMAND and APPLICATION_COMMAND_AUTOCOMPLETE. Required: id, name, type.
struct CommandData {
  CommandId id;
  std::string name;
  CommandType type = CommandType::kChatInput;
  std::optional<core::GuildId> guild_id;  // guild commands
  std::vector<CommandOption> options;
  Resolved resolved;
  std::optional<Snowflake> target_id;  // USER and MESSAGE commands: the user or message

  // The invoked subcommand group and subcommand ("" when absent) and the innermost options: for
  // "/antispam quarantine user:… minutes:…" {"", "quarantine", [user, minutes]}.
  struct Route {
    std::string_view group;
    std::string_view subcommand;
    const std::vector<CommandOption>* options = nullptr;
  };
  Route Leaf() const;

  bool operator==(const CommandData&) const = default;
};

// MESSAGE_COMPONENT. Required: custom_id, component_type.
struct ComponentData {
  std::string custom_id;
  ComponentType component_type = ComponentType::kButton;
  std::vector<std::string> values;  // select menus: the chosen values

  bool operator==(const ComponentData&) const = default;
};

// MODAL_SUBMIT: the modal's custom_id and each text input's value. Required: custom_id.
struct ModalData {
  struct Field {
    std::string custom_id;
    std::string value;
    bool operator==(const Field&) const = default;
  };
  std::string custom_id;
  std::vector<Field> fields;  // in the modal's order, through Labels and Action Rows

  bool operator==(const ModalData&) const = default;
};

// Required: id, application_id, type, token; `data` for all types but PING.
struct Interaction {
  InteractionId id;
  ApplicationId application_id;
  InteractionType type = InteractionType::kPing;
  std::string token;  // a secret for 15 minutes: never log it
  int version = 1;
  std::optional<core::GuildId> guild_id;
  std::optional<core::ChannelId> channel_id;
  std::optional<Channel> channel;  // partial
  std::optional<Member> member;    // in guilds: with `user` and `permissions`
  std::optional<User> user;        // in DMs
  std::variant<std::monostate, CommandData, ComponentData, ModalData> data;
  std::optional<Message> message;              // components: the message the component is on
  std::optional<Permissions> app_permissions;  // the bot's permissions in the channel
  std::string locale;
  std::string guild_locale;
  std::optional<int> context;  // InteractionContext

  // The user who acted: member.user in guilds, user in DMs; nullptr if neither was sent.
  const User* Invoker() const;

  bool operator==(const Interaction&) const = default;
};

// The body Discord POSTs to an HTTP interactions endpoint (after the signature check).
core::Result<Interaction> DecodeInteraction(std::string_view json);

nlohmann::json ToJson(const Interaction& interaction);

}  // namespace discord

// Request bodies that create or edit a message (PROTOCOL.md §4.4): channel messages, interaction
// followups and the `data` of interaction responses
// (https://discord.com/developers/docs/resources/message#create-message).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/id.h"
#include "core/result.h"
#include "discord/model/components.h"
#include "discord/model/embed.h"

namespace discord {

namespace message_flag {
inline constexpr std::uint64_t kSuppressEmbeds = 1ULL << 2;
inline constexpr std::uint64_t kEphemeral = 1ULL << 6;  // interaction responses and followups
inline constexpr std::uint64_t kSuppressNotifications = 1ULL << 12;
}  // namespace message_flag

// Whom a message may ping. The default pings nobody ({"parse":[]}): a moderation bot names users
// without notifying them, and lists explicitly the ones it means to ping.
struct AllowedMentions {
  bool parse_users = false;         // "parse":["users"]: every user mentioned in the content
  bool parse_roles = false;         // "roles"
  bool parse_everyone = false;      // "everyone": @everyone and @here
  std::vector<core::UserId> users;  // ≤ 100; not together with parse_users
  std::vector<core::RoleId> roles;  // ≤ 100; not together with parse_roles
  bool replied_user = false;

  bool operator==(const AllowedMentions&) const = default;
};

// Replying to a message.
struct ReplyTo {
  core::MessageId message_id;
  bool fail_if_not_exists = false;  // false: send as a plain message if the target is gone

  bool operator==(const ReplyTo&) const = default;
};

// POST /channels/{id}/messages, followups, and interaction responses of types 4 and 7. Needs
// content, embeds or components. `flags` as message_flag (EPHEMERAL only in interaction responses
// and followups).
struct CreateMessage {
  std::string content;  // ≤ 2000 characters
  std::vector<Embed> embeds;
  std::vector<ActionRow> components;
  AllowedMentions allowed_mentions;
  std::uint64_t flags = 0;
  std::optional<ReplyTo> reply_to;  // "message_reference"
  std::string nonce;  // ≤ 25 characters; with it the create is idempotent for minutes

  bool operator==(const CreateMessage&) const = default;
};

// PATCH /channels/{id}/messages/{id} and .../messages/@original: only the fields set change; an
// empty list clears embeds or components.
struct EditMessage {
  std::optional<std::string> content;
  std::optional<std::vector<Embed>> embeds;
  std::optional<std::vector<ActionRow>> components;
  AllowedMentions allowed_mentions;
  std::optional<std::uint64_t> flags;

  bool operator==(const EditMessage&) const = default;
};

// Validated bodies; kInvalidArgument names the broken limit (content over 2000 characters, more
// than 10 embeds, an embed limit, a component rule, a nonce over 25, mentions both parsed and
// listed, more than 100 listed, an empty create or edit).
core::Result<std::string> EncodeCreateMessage(const CreateMessage& message);
core::Result<std::string> EncodeEditMessage(const EditMessage& message);

// The same as JSON, for bodies that embed a message (interaction responses).
core::Result<nlohmann::json> MessageJson(const CreateMessage& message);

nlohmann::json ToJson(const AllowedMentions& mentions);

}  // namespace discord

// Messages (https://discord.com/developers/docs/resources/message#message-object): MESSAGE_CREATE /
// MESSAGE_UPDATE, REST responses and the message an interaction's component is attached to.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "discord/model/components.h"
#include "discord/model/embed.h"
#include "discord/model/ids.h"
#include "discord/model/user.h"

namespace discord {

struct Attachment {
  AttachmentId id;
  std::string filename;
  std::uint64_t size = 0;  // bytes
  std::string url;
  std::optional<std::string> content_type;  // MIME type, when Discord knows it

  bool operator==(const Attachment&) const = default;
};

// A reply's or crosspost's reference
// (https://discord.com/developers/docs/resources/message#message-reference-structure).
struct MessageReference {
  std::optional<core::MessageId> message_id;
  std::optional<core::ChannelId> channel_id;
  std::optional<core::GuildId> guild_id;

  bool operator==(const MessageReference&) const = default;
};

// Required: id, channel_id, author (with its id) and timestamp.
struct Message {
  core::MessageId id;
  core::ChannelId channel_id;
  std::optional<core::GuildId> guild_id;
  User author;
  std::optional<Member> member;  // partial: no `user`
  std::optional<std::uint64_t> webhook_id;
  std::string content;
  std::vector<core::UserId> mentions;
  std::vector<core::RoleId> mention_roles;
  bool mention_everyone = false;
  // Counts of the attachments and embeds, equal to the lists' sizes after decoding. ToJson writes
  // the lists and pads them with empty items up to a larger count, for callers that set counts
  // only.
  int attachments = 0;
  int embeds = 0;
  int type = 0;  // 0 DEFAULT, 19 REPLY, ...
  core::Timestamp timestamp{};
  std::optional<core::Timestamp> edited_timestamp;
  std::uint64_t flags = 0;
  std::vector<Attachment> attachment_list;
  std::vector<Embed> embed_list;
  std::vector<ActionRow> components;  // action rows of buttons; other components are skipped
  std::optional<MessageReference> message_reference;
  int sticker_items = 0;  // count

  bool operator==(const Message&) const = default;
};

// A REST response (POST /channels/{id}/messages, GET .../messages/{id}). Errors name the field.
core::Result<Message> DecodeMessage(std::string_view json);
// GET /channels/{id}/messages: an array of messages.
core::Result<std::vector<Message>> DecodeMessages(std::string_view json);

// Discord's shape; `mentions` become user objects with only an id and an empty username.
nlohmann::json ToJson(const Message& message);

}  // namespace discord

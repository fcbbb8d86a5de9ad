#include "discord/model/message.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "discord/model/detail/readers.h"
#include "discord/model/timestamp.h"

namespace discord {
namespace detail {
namespace {

core::Result<core::UserId> ReadMentionId(const object& o, const Path& path) {
  Reader r(o, path);
  const auto id = r.ReqId<core::UserId>("id");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return id;
}

core::Result<MessageReference> ReadReference(const object& o, const Path& path) {
  Reader r(o, path);
  MessageReference ref;
  ref.message_id = r.OptId<core::MessageId>("message_id");
  ref.channel_id = r.OptId<core::ChannelId>("channel_id");
  ref.guild_id = r.OptId<core::GuildId>("guild_id");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return ref;
}

}  // namespace

core::Result<Attachment> ReadAttachment(const object& o, const Path& path) {
  Reader r(o, path);
  Attachment a;
  a.id = r.ReqId<AttachmentId>("id");
  a.filename = r.Str("filename");
  a.size = r.Opt<std::uint64_t>("size").value_or(0);
  a.url = r.Str("url");
  a.content_type = r.OptStr("content_type");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return a;
}

// One pass over the message's fields (MESSAGE_CREATE is the hot path): no field is looked up twice
// and the unknown ones cost a failed comparison each.
core::Result<Message> ReadMessage(const object& o, const Path& path, MessageShape shape) {
  Reader r(o, path);
  Message m;
  bool has_id = false, has_channel = false, has_author = false, has_timestamp = false;
  for (auto [key, value] : o) {
    Field f = r.At(key, value);
    switch (key.size()) {
      case 2:
        if (key == "id") {
          m.id = f.ReqId<core::MessageId>();
          has_id = true;
        }
        break;
      case 4:
        if (key == "type") m.type = static_cast<int>(f.Int(0, 1 << 16));
        break;
      case 5:
        if (key == "flags") m.flags = f.Opt<std::uint64_t>().value_or(0);
        break;
      case 6:
        if (key == "author") {
          has_author = f.present();
          if (auto author = f.Nested<User>(ReadUser)) m.author = std::move(*author);
        } else if (key == "member") {
          m.member = f.Nested<Member>(ReadMember);
        } else if (key == "embeds") {
          m.embed_list = f.Objects<Embed>(ReadEmbed);
        }
        break;
      case 7:
        if (key == "content") m.content = f.Str();
        break;
      case 8:
        if (key == "guild_id") {
          m.guild_id = f.OptId<core::GuildId>();
        } else if (key == "mentions") {
          m.mentions = f.Objects<core::UserId>(ReadMentionId);
        }
        break;
      case 9:
        if (key == "timestamp") {
          has_timestamp = f.present();
          if (auto t = f.OptTime()) m.timestamp = *t;
        }
        break;
      case 10:
        if (key == "channel_id") {
          m.channel_id = f.ReqId<core::ChannelId>();
          has_channel = true;
        } else if (key == "webhook_id") {
          if (auto webhook = f.OptId<Snowflake>()) m.webhook_id = webhook->value();
        } else if (key == "components") {
          m.components = ReadActionRows(f);
        }
        break;
      case 11:
        if (key == "attachments") m.attachment_list = f.Objects<Attachment>(ReadAttachment);
        break;
      case 13:
        if (key == "mention_roles") {
          m.mention_roles = f.Ids<core::RoleId>();
        } else if (key == "sticker_items") {
          if (auto stickers = f.Opt<array>()) m.sticker_items = static_cast<int>(stickers->size());
        }
        break;
      case 16:
        if (key == "mention_everyone") {
          m.mention_everyone = f.Bool();
        } else if (key == "edited_timestamp") {
          m.edited_timestamp = f.OptTime();
        }
        break;
      case 17:
        if (key == "message_reference") {
          m.message_reference = f.Nested<MessageReference>(ReadReference);
        }
        break;
      default:
        break;
    }
  }
  if (!has_id) r.Missing("id");
  if (!has_channel) r.Missing("channel_id");
  if (!has_author) r.Missing("author");
  if (!has_timestamp) {
    if (shape == MessageShape::kFull) {
      r.Missing("timestamp");
    } else {  // a partial message: its creation time is in its id
      m.timestamp = std::chrono::time_point_cast<std::chrono::microseconds>(m.id.CreatedAt());
    }
  }
  m.attachments = static_cast<int>(m.attachment_list.size());
  m.embeds = static_cast<int>(m.embed_list.size());
  if (!r.ok()) return std::unexpected(r.TakeError());
  return m;
}

}  // namespace detail

core::Result<Message> DecodeMessage(std::string_view json) {
  return detail::DecodeOne<Message>(json, "message", [](const auto& o, const auto& path) {
    return detail::ReadMessage(o, path);
  });
}

core::Result<std::vector<Message>> DecodeMessages(std::string_view json) {
  return detail::DecodeList<Message>(json, "messages", [](const auto& o, const auto& path) {
    return detail::ReadMessage(o, path);
  });
}

nlohmann::json ToJson(const Message& message) {
  auto ids = [](const auto& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& id : list) out.push_back(id.ToString());
    return out;
  };
  nlohmann::json mentions = nlohmann::json::array();
  for (core::UserId id : message.mentions) mentions.push_back(ToJson(User{.id = id}));
  nlohmann::json attachments = nlohmann::json::array();
  const std::size_t attachment_count = std::max(
      message.attachment_list.size(), static_cast<std::size_t>(std::max(0, message.attachments)));
  for (std::size_t i = 0; i < attachment_count; ++i) {
    const Attachment a =
        i < message.attachment_list.size() ? message.attachment_list[i] : Attachment{};
    nlohmann::json j = {{"id", a.id.ToString()},
                        {"filename", a.filename},
                        {"size", a.size},
                        {"url", a.url},
                        {"proxy_url", a.url}};
    if (a.content_type) j["content_type"] = *a.content_type;
    attachments.push_back(std::move(j));
  }
  nlohmann::json embeds = nlohmann::json::array();
  const std::size_t embed_count =
      std::max(message.embed_list.size(), static_cast<std::size_t>(std::max(0, message.embeds)));
  for (std::size_t i = 0; i < embed_count; ++i) {
    embeds.push_back(ToJson(i < message.embed_list.size() ? message.embed_list[i] : Embed{}));
  }
  nlohmann::json components = nlohmann::json::array();
  for (const ActionRow& row : message.components) components.push_back(ToJson(row));

  nlohmann::json j = {
      {"id", message.id.ToString()},
      {"channel_id", message.channel_id.ToString()},
      {"type", message.type},
      {"flags", message.flags},
      {"author", ToJson(message.author)},
      {"content", message.content},
      {"timestamp", FormatTimestamp(message.timestamp)},
      {"edited_timestamp", message.edited_timestamp
                               ? nlohmann::json(FormatTimestamp(*message.edited_timestamp))
                               : nlohmann::json()},
      {"tts", false},
      {"mention_everyone", message.mention_everyone},
      {"mentions", std::move(mentions)},
      {"mention_roles", ids(message.mention_roles)},
      {"attachments", std::move(attachments)},
      {"embeds", std::move(embeds)},
      {"components", std::move(components)},
      {"pinned", false},
  };
  if (message.guild_id) j["guild_id"] = message.guild_id->ToString();
  if (message.member) j["member"] = ToJson(*message.member);
  if (message.webhook_id) j["webhook_id"] = std::to_string(*message.webhook_id);
  if (message.message_reference) {
    const MessageReference& ref = *message.message_reference;
    nlohmann::json r = {{"type", 0}};
    if (ref.message_id) r["message_id"] = ref.message_id->ToString();
    if (ref.channel_id) r["channel_id"] = ref.channel_id->ToString();
    if (ref.guild_id) r["guild_id"] = ref.guild_id->ToString();
    j["message_reference"] = std::move(r);
  }
  if (message.sticker_items > 0) {
    nlohmann::json stickers = nlohmann::json::array();
    for (int i = 0; i < message.sticker_items; ++i) {
      stickers.push_back({{"id", std::to_string(i + 1)}, {"name", "sticker"}, {"format_type", 1}});
    }
    j["sticker_items"] = std::move(stickers);
  }
  return j;
}

}  // namespace discord

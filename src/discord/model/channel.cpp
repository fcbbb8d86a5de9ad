#include "discord/model/channel.h"

#include <nlohmann/json.hpp>

#include "discord/model/detail/readers.h"
#include "discord/model/timestamp.h"

namespace discord {
namespace detail {
namespace {

core::Result<ThreadMetadata> ReadThreadMetadata(const object& o, const Path& path) {
  Reader r(o, path);
  ThreadMetadata t;
  t.archived = r.Bool("archived");
  t.auto_archive_duration =
      static_cast<int>(r.OptInt("auto_archive_duration", 0, 1 << 20).value_or(1440));
  t.archive_timestamp = r.OptTime("archive_timestamp");
  t.locked = r.Bool("locked");
  t.invitable = r.Opt<bool>("invitable");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return t;
}

}  // namespace

core::Result<Overwrite> ReadOverwrite(const object& o, const Path& path) {
  Reader r(o, path);
  Overwrite ow;
  ow.id = r.ReqId<Snowflake>("id").value();
  ow.type = static_cast<Overwrite::Type>(r.ReqInt("type", 0, 1));  // 0 role, 1 member
  ow.allow = r.ReqPermissions("allow");
  ow.deny = r.ReqPermissions("deny");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return ow;
}

core::Result<Channel> ReadChannel(const object& o, const Path& path) {
  Reader r(o, path);
  Channel c;
  c.id = r.ReqId<core::ChannelId>("id");
  c.type = static_cast<ChannelType>(r.ReqInt("type", 0, 1 << 16));
  c.guild_id = r.OptId<core::GuildId>("guild_id");
  c.name = r.Str("name");
  c.topic = r.OptStr("topic");
  c.parent_id = r.OptId<core::ChannelId>("parent_id");
  c.position = static_cast<int>(r.Int("position", -(1 << 30), 1 << 30));
  c.permission_overwrites = r.Objects<Overwrite>("permission_overwrites", ReadOverwrite);
  c.rate_limit_per_user = static_cast<int>(r.Int("rate_limit_per_user", 0, 21600));
  c.owner_id = r.OptId<core::UserId>("owner_id");
  c.thread_metadata = r.Nested<ThreadMetadata>("thread_metadata", ReadThreadMetadata);
  c.recipients = r.Objects<User>("recipients", ReadUser);
  c.permissions = r.OptPermissions("permissions");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return c;
}

}  // namespace detail

bool IsThread(ChannelType type) {
  return type == ChannelType::kAnnouncementThread || type == ChannelType::kPublicThread ||
         type == ChannelType::kPrivateThread;
}

core::Result<Channel> DecodeChannel(std::string_view json) {
  return detail::DecodeOne<Channel>(json, "channel", detail::ReadChannel);
}

core::Result<std::vector<Channel>> DecodeChannels(std::string_view json) {
  return detail::DecodeList<Channel>(json, "channels", detail::ReadChannel);
}

nlohmann::json ToJson(const Overwrite& overwrite) {
  return {{"id", std::to_string(overwrite.id)},
          {"type", static_cast<int>(overwrite.type)},
          {"allow", std::to_string(overwrite.allow)},
          {"deny", std::to_string(overwrite.deny)}};
}

nlohmann::json ToJson(const Channel& channel) {
  nlohmann::json j = {{"id", channel.id.ToString()}, {"type", static_cast<int>(channel.type)}};
  if (channel.guild_id) j["guild_id"] = channel.guild_id->ToString();
  if (!channel.name.empty()) j["name"] = channel.name;
  if (channel.topic) j["topic"] = *channel.topic;
  if (channel.parent_id) j["parent_id"] = channel.parent_id->ToString();
  const bool guild_channel = channel.guild_id.has_value() && !IsThread(channel.type);
  if (guild_channel) {
    j["position"] = channel.position;
    nlohmann::json overwrites = nlohmann::json::array();
    for (const Overwrite& o : channel.permission_overwrites) overwrites.push_back(ToJson(o));
    j["permission_overwrites"] = std::move(overwrites);
    j["nsfw"] = false;
  } else {
    if (channel.position != 0) j["position"] = channel.position;
    if (!channel.permission_overwrites.empty()) {
      nlohmann::json overwrites = nlohmann::json::array();
      for (const Overwrite& o : channel.permission_overwrites) overwrites.push_back(ToJson(o));
      j["permission_overwrites"] = std::move(overwrites);
    }
  }
  if (guild_channel || IsThread(channel.type) || channel.rate_limit_per_user != 0) {
    j["rate_limit_per_user"] = channel.rate_limit_per_user;
  }
  if (channel.owner_id) j["owner_id"] = channel.owner_id->ToString();
  if (channel.thread_metadata) {
    const ThreadMetadata& t = *channel.thread_metadata;
    nlohmann::json meta = {{"archived", t.archived},
                           {"auto_archive_duration", t.auto_archive_duration},
                           {"locked", t.locked}};
    if (t.archive_timestamp) meta["archive_timestamp"] = FormatTimestamp(*t.archive_timestamp);
    if (t.invitable) meta["invitable"] = *t.invitable;
    j["thread_metadata"] = std::move(meta);
  }
  if (!channel.recipients.empty()) {
    nlohmann::json users = nlohmann::json::array();
    for (const User& u : channel.recipients) users.push_back(ToJson(u));
    j["recipients"] = std::move(users);
  }
  if (channel.permissions) j["permissions"] = std::to_string(*channel.permissions);
  return j;
}

}  // namespace discord

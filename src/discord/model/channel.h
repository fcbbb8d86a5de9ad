// Channels and threads (https://discord.com/developers/docs/resources/channel#channel-object): the
// parts a moderation bot reads (slow mode, overwrites, thread state) and writes back for the
// simulator. Interactions' `resolved` channels are partial (id, name, type, permissions, ...).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "discord/model/permissions.h"
#include "discord/model/user.h"

namespace discord {

enum class ChannelType : int {
  kGuildText = 0,
  kDm = 1,
  kGuildVoice = 2,
  kGroupDm = 3,
  kGuildCategory = 4,
  kGuildAnnouncement = 5,
  kAnnouncementThread = 10,
  kPublicThread = 11,
  kPrivateThread = 12,
  kGuildStageVoice = 13,
  kGuildDirectory = 14,
  kGuildForum = 15,
  kGuildMedia = 16,
};

bool IsThread(ChannelType type);

struct ThreadMetadata {
  bool archived = false;
  int auto_archive_duration = 1440;  // minutes: 60, 1440, 4320 or 10080
  std::optional<core::Timestamp> archive_timestamp;
  bool locked = false;
  std::optional<bool> invitable;  // private threads only

  bool operator==(const ThreadMetadata&) const = default;
};

// Required: id and type. Absent strings are empty.
struct Channel {
  core::ChannelId id;
  ChannelType type = ChannelType::kGuildText;
  std::optional<core::GuildId> guild_id;
  std::string name;
  std::optional<std::string> topic;
  std::optional<core::ChannelId> parent_id;  // category, or a thread's channel
  int position = 0;
  std::vector<Overwrite> permission_overwrites;
  int rate_limit_per_user = 0;           // slow mode, seconds (0..21600)
  std::optional<core::UserId> owner_id;  // threads: the creator
  std::optional<ThreadMetadata> thread_metadata;
  std::vector<User> recipients;  // DMs
  // Interactions' resolved channels: the invoker's permissions there.
  std::optional<Permissions> permissions;

  bool operator==(const Channel&) const = default;
};

// REST responses (GET/PATCH /channels/{id}, POST .../threads, GET /guilds/{id}/channels).
core::Result<Channel> DecodeChannel(std::string_view json);
core::Result<std::vector<Channel>> DecodeChannels(std::string_view json);

// {"id":"…","type":0|1,"allow":"…","deny":"…"} (also the request form).
nlohmann::json ToJson(const Overwrite& overwrite);
nlohmann::json ToJson(const Channel& channel);

}  // namespace discord

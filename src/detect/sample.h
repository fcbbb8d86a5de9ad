// What the engine is asked to judge: a message or a join, with the context the caller knows.
// Built by `bot` from Discord events and the store (detect never sees Discord JSON or SQL).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/id.h"

namespace detect {

// The author (or joiner) and what the caller knows about them.
struct Author {
  core::UserId id;               // the account's creation time is derived from it (Id::CreatedAt)
  std::string_view username;     // unique name
  std::string_view global_name;  // display name; may be empty
  bool has_avatar = true;
  bool is_bot = false;
  bool is_moderator = false;  // Manage Messages or above, or a moderator role: never judged
  std::optional<core::Timestamp> joined_at;  // when they joined this guild, if known
  std::int64_t messages_in_guild = 0;        // before this one (server_members.message_count)
  std::int32_t prior_detections = 0;         // in this guild
  std::int32_t prior_false_positives = 0;    // detections an admin marked as mistakes
  double reputation = 0.0;                   // users.global_reputation_score, in [-1, 1]
};

struct MessageSample {
  core::GuildId guild;
  core::ChannelId channel;
  core::MessageId message;
  Author author;
  std::string_view text;  // as sent; may be invalid UTF-8, empty or huge
  core::Timestamp at;
  std::int32_t user_mentions = 0;
  std::int32_t role_mentions = 0;
  bool mentions_everyone = false;  // Discord resolved @everyone/@here (the author may lack rights)
  std::int32_t attachments = 0;
  std::int32_t embeds = 0;
};

struct JoinSample {
  core::GuildId guild;
  Author user;
  core::Timestamp at;
};

enum class Trigger : std::uint8_t { kMessage, kJoin };
std::string_view ToString(Trigger t);

}  // namespace detect

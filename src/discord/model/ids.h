// Strong snowflake types for the Discord objects core/id.h does not name: a CommandId cannot be
// passed where an InteractionId is expected.
// https://discord.com/developers/docs/reference#snowflakes
#pragma once

#include <string_view>

#include "core/id.h"

namespace discord {

struct InteractionTag {
  static constexpr std::string_view kName = "interaction id";
};
struct ApplicationTag {
  static constexpr std::string_view kName = "application id";
};
struct CommandTag {
  static constexpr std::string_view kName = "command id";
};
struct AttachmentTag {
  static constexpr std::string_view kName = "attachment id";
};
struct EmojiTag {
  static constexpr std::string_view kName = "emoji id";
};
// A snowflake whose kind the wire does not say: a MENTIONABLE option's value (a user or a role),
// a context-menu command's target (a user or a message).
struct SnowflakeTag {
  static constexpr std::string_view kName = "snowflake";
};

using InteractionId = core::Id<InteractionTag>;
using ApplicationId = core::Id<ApplicationTag>;
using CommandId = core::Id<CommandTag>;
using AttachmentId = core::Id<AttachmentTag>;
using EmojiId = core::Id<EmojiTag>;
using Snowflake = core::Id<SnowflakeTag>;

}  // namespace discord

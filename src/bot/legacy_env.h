// The legacy (drasil) configuration: four environment variables, one value each for the whole
// bot. They now live per guild in the `servers` table (DESIGN §7); `antispam config import-env`
// moves them there, and the env-fallback stages of the transition read them through here.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string_view>

#include "core/id.h"
#include "core/result.h"

namespace bot {

// The variable names, in the order of the `servers` columns they map to (restricted_role_id,
// admin_channel_id, verification_channel_id, admin_notification_role_id): the column is the name
// in lower case.
inline constexpr std::array<std::string_view, 4> kLegacyEnvNames{
    "RESTRICTED_ROLE_ID", "ADMIN_CHANNEL_ID", "VERIFICATION_CHANNEL_ID",
    "ADMIN_NOTIFICATION_ROLE_ID"};

struct LegacyEnv {
  std::optional<core::RoleId> restricted_role;
  std::optional<core::ChannelId> admin_channel, verification_channel;
  std::optional<core::RoleId> notification_role;

  // True when none of the four is set.
  bool empty() const;
  friend bool operator==(const LegacyEnv&, const LegacyEnv&) = default;
};

// Reads the four variables through `lookup` (nullptr when a variable is unset; production passes
// std::getenv). An empty or whitespace-only value counts as unset; surrounding whitespace is
// ignored. A value that is not a snowflake, or is 0 (never a Discord id), is kInvalidArgument
// naming the variable (also as the error's subject) and the bad value, and nothing is returned.
[[nodiscard]] core::Result<LegacyEnv> ReadLegacyEnv(
    const std::function<const char*(const char*)>& lookup);

}  // namespace bot

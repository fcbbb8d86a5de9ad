// GET /gateway/bot (PROTOCOL.md §1.1,
// https://discord.com/developers/docs/events/gateway#get-gateway-bot): where to connect, how many
// shards Discord recommends, and how many sessions may still start.
#pragma once

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/result.h"

namespace discord {

struct SessionStartLimit {
  int total = 0;      // session starts allowed per reset period
  int remaining = 0;  // left in this period
  std::chrono::milliseconds reset_after{0};
  int max_concurrency = 1;  // Identify requests per 5 s (per rate-limit key)

  bool operator==(const SessionStartLimit&) const = default;
};

// Required: url, shards (≥ 1), session_start_limit and its four fields.
struct GatewayBot {
  std::string url;  // "wss://gateway.discord.gg", without query parameters
  int shards = 1;
  SessionStartLimit session_start_limit;

  bool operator==(const GatewayBot&) const = default;
};

core::Result<GatewayBot> DecodeGatewayBot(std::string_view json);
nlohmann::json ToJson(const GatewayBot& gateway);

}  // namespace discord

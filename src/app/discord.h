// The Discord connection's configuration (issue 4 item 8) and the two commands that exercise it on
// their own: `antispam connect` (the gateway and REST against Discord or the simulator, logging
// what arrives: a check of token, intents and sharding before running the bot) and `antispam sim`
// (the Discord simulator for manual runs).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/result.h"

namespace CLI {
class App;
}

namespace app {

struct DiscordConfig {
  // The REST API; the gateway URL is discovered through it (GET /gateway/bot).
  std::string api_base_url = "https://discord.com/api/v10";
  std::string token;                // the bot token, without "Bot "; never logged
  std::string intents = "default";  // "default", a decimal bit mask, or names joined by commas
  std::string shards;               // "0-3", "5"; empty: every shard of the count
  int shard_count = 0;              // 0: Discord's recommendation from GET /gateway/bot
};

// --discord-api-base-url (DISCORD_API_BASE_URL), --discord-token (DISCORD_TOKEN), --intents
// (ANTISPAM_INTENTS), --shards (ANTISPAM_SHARDS), --shard-count (ANTISPAM_SHARD_COUNT).
void AddDiscordOptions(CLI::App& command, DiscordConfig& config);

// "default" (GUILDS, GUILD_MEMBERS, GUILD_MODERATION, GUILD_MESSAGES, MESSAGE_CONTENT), a decimal
// mask, or names such as "GUILDS,GUILD_MESSAGES"; an unknown name or bit is kInvalidArgument.
core::Result<std::uint64_t> ParseIntents(std::string_view text);

// A token is set and the intents parse: the intents' mask, or the error naming the problem.
core::Result<std::uint64_t> CheckDiscordConfig(const DiscordConfig& config);

struct ConnectOptions {
  DiscordConfig discord;
  std::chrono::seconds run_for{0};  // 0: until SIGINT or SIGTERM
};

// Discovers the gateway, runs the configured shards and prints one line per READY, GUILD_CREATE
// and other events as they arrive (to `out`), then a count per event. A fatal close (bad token,
// intents not enabled) is the error returned.
core::Result<void> RunConnect(const ConnectOptions& options, std::FILE* out);

struct SimOptions {
  std::uint16_t port = 0;  // 0: an ephemeral port (printed)
  std::string token = "sim-bot-token";
  int guilds = 1;
  int members = 20;                // per guild
  double messages_per_second = 0;  // chatter from random members; 0: none
  std::chrono::milliseconds heartbeat_interval{41'250};
  std::chrono::seconds run_for{0};  // 0: until SIGINT or SIGTERM
};

// Starts the simulator with standard guilds, prints the URLs and token to use, and runs until a
// signal (or run_for).
core::Result<void> RunSim(const SimOptions& options, std::FILE* out);

}  // namespace app

#include "app/discord.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <charconv>
#include <csignal>
#include <functional>
#include <map>
#include <random>
#include <thread>

#include "discord/gateway/shard_manager.h"
#include "discord/rest/client.h"
#include "net/http_client.h"
#include "sim/simulator.h"

namespace app {
namespace {

namespace asio = boost::asio;

constexpr std::pair<std::string_view, int> kIntentNames[] = {
    {"GUILDS", 0},
    {"GUILD_MEMBERS", 1},
    {"GUILD_MODERATION", 2},
    {"GUILD_EXPRESSIONS", 3},
    {"GUILD_INTEGRATIONS", 4},
    {"GUILD_WEBHOOKS", 5},
    {"GUILD_INVITES", 6},
    {"GUILD_VOICE_STATES", 7},
    {"GUILD_PRESENCES", 8},
    {"GUILD_MESSAGES", 9},
    {"GUILD_MESSAGE_REACTIONS", 10},
    {"GUILD_MESSAGE_TYPING", 11},
    {"DIRECT_MESSAGES", 12},
    {"DIRECT_MESSAGE_REACTIONS", 13},
    {"DIRECT_MESSAGE_TYPING", 14},
    {"MESSAGE_CONTENT", 15},
    {"GUILD_SCHEDULED_EVENTS", 16},
    {"AUTO_MODERATION_CONFIGURATION", 20},
    {"AUTO_MODERATION_EXECUTION", 21},
    {"GUILD_MESSAGE_POLLS", 24},
    {"DIRECT_MESSAGE_POLLS", 25},
};

// Waits for SIGINT/SIGTERM (blocked by main, so they queue) for at most `limit` (0: no limit) or
// until `done()`; true on a signal.
bool WaitForSignalOr(std::chrono::seconds limit, const std::function<bool()>& done) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done() && (limit.count() == 0 || std::chrono::steady_clock::now() < until)) {
    timespec tick{0, 200'000'000};
    if (const int sig = sigtimedwait(&set, nullptr, &tick); sig > 0) {
      spdlog::info("received {}, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
      return true;
    }
  }
  return false;
}

}  // namespace

void AddDiscordOptions(CLI::App& command, DiscordConfig& config) {
  command
      .add_option("--discord-api-base-url", config.api_base_url,
                  "Discord's REST API (the gateway is discovered through it); the simulator's for "
                  "tests")
      ->envname("DISCORD_API_BASE_URL")
      ->capture_default_str();
  command.add_option("--discord-token", config.token, "The bot token (prefer the variable)")
      ->envname("DISCORD_TOKEN");
  command
      .add_option("--intents", config.intents,
                  "Gateway intents: default, a decimal mask, or names (GUILDS,GUILD_MEMBERS,...)")
      ->envname("ANTISPAM_INTENTS")
      ->capture_default_str();
  command.add_option("--shards", config.shards, "Shard ids to run, e.g. 0-3 (default: all)")
      ->envname("ANTISPAM_SHARDS");
  command
      .add_option("--shard-count", config.shard_count,
                  "Total shards of the bot (0: Discord's recommendation)")
      ->envname("ANTISPAM_SHARD_COUNT")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
}

core::Result<std::uint64_t> ParseIntents(std::string_view text) {
  if (text == "default") return discord::gateway::kDefaultIntents;
  if (!text.empty() &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && end == text.data() + text.size() && v < (1ULL << 26)) return v;
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("intents {} has bits Discord does not define", text), "intents");
  }
  std::uint64_t mask = 0;
  std::size_t i = 0;
  while (i <= text.size()) {
    std::size_t j = text.find(',', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view name = text.substr(i, j - i);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    const auto it = std::find_if(std::begin(kIntentNames), std::end(kIntentNames),
                                 [&](const auto& e) { return e.first == name; });
    if (it == std::end(kIntentNames)) {
      return core::Fail(core::ErrorCode::kInvalidArgument,
                        fmt::format("unknown intent \"{}\" (names such as GUILDS, GUILD_MEMBERS, "
                                    "GUILD_MESSAGES, MESSAGE_CONTENT; or default)",
                                    name.substr(0, 40)),
                        "intents");
    }
    mask |= 1ULL << it->second;
    i = j + 1;
  }
  return mask;
}

core::Result<std::uint64_t> CheckDiscordConfig(const DiscordConfig& d) {
  if (d.token.empty()) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      "no bot token: set DISCORD_TOKEN (or --discord-token)", "token");
  }
  return ParseIntents(d.intents);
}

core::Result<void> RunConnect(const ConnectOptions& options, std::FILE* out) {
  const DiscordConfig& d = options.discord;
  auto intents = CheckDiscordConfig(d);
  if (!intents) return std::unexpected(intents.error());

  asio::io_context io;
  // One idle connection per bucket in flight: a burst after a lull reuses them instead of paying
  // a TLS handshake each (docs/performance.md, REST).
  net::HttpClient http(io.get_executor(), net::HttpClientOptions{.max_idle_per_host = 64});
  discord::rest::Client rest(io.get_executor(), http, core::DefaultClock(),
                             {.api_base_url = d.api_base_url, .token = d.token});
  auto bot_future = asio::co_spawn(io, rest.GetGatewayBot(), asio::use_future);
  io.run_for(std::chrono::seconds(30));
  if (bot_future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    return core::Fail(core::ErrorCode::kTimeout, "GET /gateway/bot did not answer in 30 s");
  }
  auto bot = bot_future.get();
  if (!bot) return std::unexpected(bot.error());
  const int count = d.shard_count > 0 ? d.shard_count : std::max(1, bot->shards);
  auto range = discord::gateway::ShardRange::Parse(d.shards, count);
  if (!range) return std::unexpected(range.error());
  std::fprintf(out,
               "gateway %s: %d shard(s) recommended, running %d-%d of %d (max_concurrency %d)\n",
               bot->url.c_str(), bot->shards, range->first, range->last, count,
               bot->session_start_limit.max_concurrency);
  std::fflush(out);

  discord::gateway::ManagerConfig config;
  config.token = d.token;
  config.intents = *intents;
  config.gateway_url = bot->url;
  config.shard_count = count;
  config.shards = *range;
  config.max_concurrency = std::max(1, bot->session_start_limit.max_concurrency);
  std::map<std::string, std::uint64_t> counts;  // touched on the io thread only
  discord::gateway::ShardManager manager(
      io.get_executor(), config, core::DefaultClock(),
      [&](int shard, const discord::GatewayPayload& p) {
        ++counts[p.event];
        if (const auto* r = std::get_if<discord::Ready>(&p.data)) {
          std::fprintf(out, "shard %d: READY as %s, %zu guild(s)\n", shard,
                       r->user.ToString().c_str(), r->guilds.size());
        } else if (const auto* g = std::get_if<discord::GuildCreate>(&p.data)) {
          std::fprintf(out, "shard %d: GUILD_CREATE %s \"%s\"\n", shard,
                       g->guild.id.ToString().c_str(), g->guild.name.c_str());
        } else if (p.event == "RESUMED") {
          std::fprintf(out, "shard %d: RESUMED\n", shard);
        }
        std::fflush(out);
      });
  io.restart();
  auto done = asio::co_spawn(io, manager.Run(), asio::use_future);
  std::thread runner([&io] { io.run(); });
  WaitForSignalOr(options.run_for, [&done] {
    return done.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  });
  asio::post(io, [&manager] { manager.Stop(); });
  if (done.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    spdlog::warn("the shards did not close within 10 s; leaving anyway");
  }
  io.stop();
  runner.join();
  for (const auto& [event, n] : counts) {
    std::fprintf(out, "%-22s %llu\n", event.c_str(), static_cast<unsigned long long>(n));
  }
  std::fflush(out);
  if (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return {};
  return done.get();
}

core::Result<void> RunSim(const SimOptions& options, std::FILE* out) {
  sim::SimulatorOptions so;
  so.token = options.token;
  so.port = options.port;
  so.gateway.heartbeat_interval = options.heartbeat_interval;
  sim::Simulator simulator(so);
  if (auto ok = simulator.Start(); !ok) return ok;
  std::vector<std::pair<sim::StandardGuild, std::vector<core::UserId>>> guilds;
  for (int i = 0; i < options.guilds; ++i) {
    sim::StandardGuild g = simulator.AddStandardGuild(fmt::format("sim guild {}", i + 1));
    std::vector<core::UserId> members;
    for (int m = 0; m < options.members; ++m) {
      members.push_back(simulator.AddUser(fmt::format("member{}_{}", i + 1, m + 1)));
      simulator.Join(g.guild, members.back());
    }
    guilds.emplace_back(g, std::move(members));
  }
  std::fprintf(out,
               "Discord simulator running\n  REST     %s\n  gateway  %s\n  token    %s\n"
               "  guilds   %d with %d members each\nConnect with:\n"
               "  DISCORD_TOKEN=%s antispam connect --discord-api-base-url %s\n",
               simulator.api_base_url().c_str(), simulator.gateway_url().c_str(),
               simulator.token().c_str(), options.guilds, options.members,
               simulator.token().c_str(), simulator.api_base_url().c_str());
  std::fflush(out);

  std::atomic<bool> stop{false};
  std::thread chatter;
  if (options.messages_per_second > 0 && !guilds.empty()) {
    chatter = std::thread([&] {
      std::mt19937_64 rng(42);
      const auto gap = std::chrono::duration<double>(1.0 / options.messages_per_second);
      int n = 0;
      while (!stop) {
        auto& [g, members] = guilds[rng() % guilds.size()];
        if (!members.empty()) {
          simulator.Post(g.general, members[rng() % members.size()],
                         fmt::format("simulated chat message {}", ++n));
        }
        std::this_thread::sleep_for(gap);
      }
    });
  }
  WaitForSignalOr(options.run_for, [] { return false; });
  stop = true;
  if (chatter.joinable()) chatter.join();
  const auto calls = simulator.Calls();
  std::fprintf(out, "simulator stopping: %zu REST calls, %d gateway connections\n", calls.size(),
               simulator.gateway_stats().connections);
  simulator.Stop();
  return {};
}

}  // namespace app

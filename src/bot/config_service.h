// The configuration service (issue 5 item 5): every guild's GuildConfig, read from `servers`
// (defaults in one place: guild_config.h), cached in memory, changed by `/config` with
// validation, and reloaded when another process changes a row (the owner wires
// store::pg::Listener's notifications to Reload and its resyncs to ReloadAll).
//
// Thread-safe. Cached() never blocks and is what the hot path uses; every other call makes
// database round trips and belongs on the database executor (or the listener's thread).
//
// Consistency: a change written here is in the cache when the call returns; a change written by
// another process arrives with its notification. Reloads in flight may briefly cache an older row,
// but the notification of every later write triggers another reload, so the cache converges.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "bot/guild_config.h"
#include "bot/legacy_env.h"
#include "core/result.h"
#include "store/pg/server_repo.h"

namespace bot {

struct ConfigServiceOptions {
  ConfigSource source = ConfigSource::kDbPrimary;
  LegacyEnv env;  // the legacy variables as read at start (ReadLegacyEnv)
};

class ConfigService {
 public:
  using Config = std::shared_ptr<const GuildConfig>;
  // Called after a guild's configuration was (re)built, on the thread that built it.
  using OnChange = std::function<void(const Config&)>;

  ConfigService(store::pg::ServerRepo& servers, ConfigServiceOptions options);

  // Subscribes `callback` to every change (set before the first call that builds).
  void OnChanged(OnChange callback);

  // A guild the bot is in (GUILD_CREATE): its row is created with the defaults if absent
  // (dual-write: the legacy ids it lacks are written to it), and its configuration built and
  // cached. A database error is returned and nothing is cached.
  core::Result<Config> Ensure(core::GuildId guild);
  // The cached configuration, or nullptr when the guild has not been loaded. Never blocks.
  Config Cached(core::GuildId guild) const;
  // Rebuilds from the database (another process changed the row). A guild whose row is gone is
  // dropped from the cache (nullptr).
  core::Result<Config> Reload(core::GuildId guild);
  // Reloads every cached guild (notifications may have been missed). Returns how many failed.
  int ReloadAll();

  // `/config set KEY VALUE` and `/config reset KEY` (key "all": every setting but the ids):
  // validated (kInvalidArgument / kNotFound with a message for the user, nothing written), then
  // written with `actor` as updated_by, cached and announced to OnChanged.
  core::Result<Config> Set(core::GuildId guild, std::string_view key, std::string_view value,
                           std::optional<core::UserId> actor);
  core::Result<Config> Reset(core::GuildId guild, std::string_view key,
                             std::optional<core::UserId> actor);

  const ConfigServiceOptions& options() const { return options_; }
  std::size_t cached() const;

 private:
  Config Build(const store::Server& row);
  // Applies `change` to the guild's row under a row lock (no lost updates between processes or
  // threads), then caches and announces the result.
  core::Result<Config> Change(
      core::GuildId guild, const std::function<core::Result<store::Server>(store::Server)>& change,
      std::optional<core::UserId> actor);
  void Publish(const Config& config);

  store::pg::ServerRepo& servers_;
  ConfigServiceOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<core::GuildId, Config> cache_;                 // guarded by mu_
  std::unordered_map<core::GuildId, std::string> logged_problems_;  // guarded by mu_
  std::vector<OnChange> subscribers_;
};

}  // namespace bot

#include "bot/config_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace bot {

ConfigService::ConfigService(store::pg::ServerRepo& servers, ConfigServiceOptions options)
    : servers_(servers), options_(std::move(options)) {
  if (options_.source == ConfigSource::kDbOnly && !options_.env.empty()) {
    spdlog::warn(
        "config: legacy variables (RESTRICTED_ROLE_ID, ADMIN_CHANNEL_ID, VERIFICATION_CHANNEL_ID, "
        "ADMIN_NOTIFICATION_ROLE_ID) are set but config_source is db-only: they are ignored");
  }
}

void ConfigService::OnChanged(OnChange callback) {
  std::lock_guard lock(mu_);
  subscribers_.push_back(std::move(callback));
}

ConfigService::Config ConfigService::Build(const store::Server& row) {
  auto config =
      std::make_shared<const GuildConfig>(BuildGuildConfig(row, options_.env, options_.source));
  std::string problems;
  for (const auto& p : config->problems) problems += p + "; ";
  bool log = false;
  {
    std::lock_guard lock(mu_);
    auto& last = logged_problems_[row.guild_id];
    log = last != problems;
    last = problems;
  }
  // Each distinct set of problems once, not on every reload.
  if (log) {
    for (const auto& p : config->problems)
      spdlog::warn("config: guild {}: {}", row.guild_id.value(), p);
  }
  return config;
}

void ConfigService::Publish(const Config& config) {
  std::vector<OnChange> subscribers;
  {
    std::lock_guard lock(mu_);
    cache_[config->guild] = config;
    subscribers = subscribers_;
  }
  for (const auto& s : subscribers) s(config);
}

core::Result<ConfigService::Config> ConfigService::Ensure(core::GuildId guild) {
  auto row = servers_.Find(guild);
  if (!row) return std::unexpected(row.error());
  store::pg::ServerPatch patch;
  bool write = !row->has_value();
  if (options_.source == ConfigSource::kDualWrite) {
    const LegacyEnv& env = options_.env;
    const store::Server* s = row->has_value() ? &**row : nullptr;
    auto fill = [&](auto& field, const auto& stored, const auto& from_env) {
      if (from_env && !(s != nullptr && stored(*s))) {
        field = from_env;
        write = true;
      }
    };
    fill(
        patch.restricted_role_id, [](const store::Server& r) { return r.restricted_role_id; },
        env.restricted_role);
    fill(
        patch.admin_channel_id, [](const store::Server& r) { return r.admin_channel_id; },
        env.admin_channel);
    fill(
        patch.verification_channel_id,
        [](const store::Server& r) { return r.verification_channel_id; }, env.verification_channel);
    fill(
        patch.admin_notification_role_id,
        [](const store::Server& r) { return r.admin_notification_role_id; }, env.notification_role);
  }
  store::Server stored;
  if (write) {
    auto written = servers_.Upsert(guild, patch);
    if (!written) return std::unexpected(written.error());
    if (!row->has_value())
      spdlog::info("config: guild {} registered with the defaults", guild.value());
    stored = std::move(*written);
  } else {
    stored = std::move(**row);
  }
  Config config = Build(stored);
  Publish(config);
  return config;
}

ConfigService::Config ConfigService::Cached(core::GuildId guild) const {
  std::lock_guard lock(mu_);
  auto it = cache_.find(guild);
  return it == cache_.end() ? nullptr : it->second;
}

core::Result<ConfigService::Config> ConfigService::Reload(core::GuildId guild) {
  servers_.Invalidate(guild);
  auto row = servers_.Find(guild);
  if (!row) return std::unexpected(row.error());
  if (!row->has_value()) {
    std::lock_guard lock(mu_);
    cache_.erase(guild);
    return Config();
  }
  Config config = Build(**row);
  Publish(config);
  return config;
}

int ConfigService::ReloadAll() {
  std::vector<core::GuildId> guilds;
  {
    std::lock_guard lock(mu_);
    for (const auto& [guild, config] : cache_) guilds.push_back(guild);
  }
  int failed = 0;
  for (auto guild : guilds) {
    if (auto r = Reload(guild); !r) {
      ++failed;
      spdlog::warn("config: reloading guild {} failed: {}", guild.value(), r.error().ToString());
    }
  }
  return failed;
}

core::Result<ConfigService::Config> ConfigService::Change(
    core::GuildId guild, const std::function<core::Result<store::Server>(store::Server)>& change,
    std::optional<core::UserId> actor) {
  auto written = servers_.Modify(guild, [&](store::Server row) -> core::Result<store::Server> {
    auto next = change(std::move(row));
    if (next) next->updated_by = actor;
    return next;
  });
  if (!written) return std::unexpected(written.error());
  Config config = Build(*written);
  Publish(config);
  return config;
}

core::Result<ConfigService::Config> ConfigService::Set(core::GuildId guild, std::string_view key,
                                                       std::string_view value,
                                                       std::optional<core::UserId> actor) {
  auto config = Change(
      guild, [&](store::Server row) { return WithSetting(std::move(row), key, value); }, actor);
  if (config) {
    spdlog::info("config: guild {}: {} set to \"{}\" by {}", guild.value(), key, value,
                 actor ? actor->ToString() : std::string("the operator"));
  }
  return config;
}

core::Result<ConfigService::Config> ConfigService::Reset(core::GuildId guild, std::string_view key,
                                                         std::optional<core::UserId> actor) {
  auto config = Change(
      guild, [&](store::Server row) { return WithReset(std::move(row), key); }, actor);
  if (config) {
    spdlog::info("config: guild {}: {} reset by {}", guild.value(), key,
                 actor ? actor->ToString() : std::string("the operator"));
  }
  return config;
}

std::size_t ConfigService::cached() const {
  std::lock_guard lock(mu_);
  return cache_.size();
}

}  // namespace bot

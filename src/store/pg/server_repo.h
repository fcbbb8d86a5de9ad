// servers: per-guild configuration. Look-ups by guild id hit the primary key; Get() also serves a
// cached copy (the configuration is read on every event and changes rarely).
//
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

// The writable configuration of a server. Unset optionals leave the stored value unchanged on
// Upsert; `clear_*` is not offered: use Update with the whole record for that.
struct ServerPatch {
  std::optional<RoleId> restricted_role_id;
  std::optional<ChannelId> admin_channel_id;
  std::optional<ChannelId> verification_channel_id;
  std::optional<RoleId> admin_notification_role_id;
  std::optional<std::string> settings;  // a JSON object; replaces the stored one
  std::optional<bool> is_active;
  std::optional<UserId> updated_by;
};

struct ServerRepoOptions {
  // How long Get() trusts its cached copy. Writes through this repository refresh it at once.
  std::chrono::milliseconds cache_ttl{30'000};
};

class ServerRepo {
 public:
  ServerRepo(Pool& pool, const core::Clock& clock, ServerRepoOptions options = {});

  // nullopt when the guild has no row.
  core::Result<std::optional<Server>> Find(GuildId guild);
  // Like Find, through the cache.
  core::Result<std::optional<Server>> Get(GuildId guild);
  // Inserts the guild with defaults plus `patch`, or applies `patch` to the existing row.
  core::Result<Server> Upsert(GuildId guild, const ServerPatch& patch = {});
  // Upsert of every row in one transaction: all are written or none is (the first failing row's
  // error is returned, naming its guild). The result is in the order of `rows`; a guild given
  // twice is patched twice, in order. Round trips: BEGIN, one per row, COMMIT; none for an
  // empty batch.
  core::Result<std::vector<Server>> UpsertMany(
      std::span<const std::pair<GuildId, ServerPatch>> rows);
  // Replaces every configurable column of an existing row; kNotFound if absent.
  core::Result<Server> Update(const Server& server);
  // Read-modify-write without lost updates: in one transaction the row is created with the
  // defaults if absent, locked (SELECT ... FOR UPDATE), handed to `change`, and the result written
  // (every configurable column). An error from `change` is returned and nothing is written.
  core::Result<Server> Modify(GuildId guild,
                              const std::function<core::Result<Server>(Server)>& change);
  // Deletes the guild and, by CASCADE, all its members, detections, cases and analytics.
  // kNotFound if absent.
  core::Result<void> Remove(GuildId guild);
  core::Result<std::vector<Server>> ListActive();
  // Drops the cached copy (another process changed the row).
  void Invalidate(GuildId guild);

 private:
  void Remember(const Server& s);

  Pool& pool_;
  const core::Clock& clock_;
  ServerRepoOptions options_;
  struct Cached {
    std::optional<Server> server;
    std::chrono::steady_clock::time_point fetched;
    bool valid = false;
    // Bumped by every write and invalidation: a fetch started before one must not overwrite it.
    std::uint64_t generation = 0;
  };
  std::mutex mu_;
  std::unordered_map<GuildId, Cached> cache_;  // guarded by mu_
};

}  // namespace store::pg

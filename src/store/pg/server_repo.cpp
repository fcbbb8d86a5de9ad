#include "store/pg/server_repo.h"

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

constexpr Statement kFind{"servers_find",
                          "SELECT guild_id, restricted_role_id, admin_channel_id, "
                          "verification_channel_id, admin_notification_role_id, settings, "
                          "is_active, created_by, updated_by, created_at, updated_at "
                          "FROM servers WHERE guild_id = $1"};
constexpr Statement kUpsert{
    "servers_upsert",
    "INSERT INTO servers AS s (guild_id, restricted_role_id, admin_channel_id, "
    "  verification_channel_id, admin_notification_role_id, settings, is_active, created_by, "
    "  updated_by) "
    "VALUES ($1, $2, $3, $4, $5, COALESCE($6::jsonb, '{}'::jsonb), COALESCE($7, TRUE), $8, $8) "
    "ON CONFLICT (guild_id) DO UPDATE SET "
    "  restricted_role_id = COALESCE($2, s.restricted_role_id), "
    "  admin_channel_id = COALESCE($3, s.admin_channel_id), "
    "  verification_channel_id = COALESCE($4, s.verification_channel_id), "
    "  admin_notification_role_id = COALESCE($5, s.admin_notification_role_id), "
    "  settings = COALESCE($6::jsonb, s.settings), "
    "  is_active = COALESCE($7, s.is_active), "
    "  updated_by = COALESCE($8, s.updated_by), "
    "  updated_at = now() "
    "RETURNING guild_id, restricted_role_id, admin_channel_id, verification_channel_id, "
    "  admin_notification_role_id, settings, is_active, created_by, updated_by, created_at, "
    "  updated_at"};
constexpr Statement kUpdate{
    "servers_update",
    "UPDATE servers SET restricted_role_id = $2, admin_channel_id = $3, "
    "  verification_channel_id = $4, admin_notification_role_id = $5, settings = $6::jsonb, "
    "  is_active = $7, updated_by = $8, updated_at = now() "
    "WHERE guild_id = $1 "
    "RETURNING guild_id, restricted_role_id, admin_channel_id, verification_channel_id, "
    "  admin_notification_role_id, settings, is_active, created_by, updated_by, created_at, "
    "  updated_at"};
constexpr Statement kFindForUpdate{"servers_find_for_update",
                                   "SELECT guild_id, restricted_role_id, admin_channel_id, "
                                   "verification_channel_id, admin_notification_role_id, settings, "
                                   "is_active, created_by, updated_by, created_at, updated_at "
                                   "FROM servers WHERE guild_id = $1 FOR UPDATE"};
constexpr Statement kRemove{"servers_remove", "DELETE FROM servers WHERE guild_id = $1"};
constexpr Statement kListActive{
    "servers_list_active",
    "SELECT guild_id, restricted_role_id, admin_channel_id, verification_channel_id, "
    "  admin_notification_role_id, settings, is_active, created_by, updated_by, created_at, "
    "  updated_at FROM servers WHERE is_active ORDER BY guild_id"};

Server Decode(const pqxx::row& r) {
  using namespace detail;
  return Server{
      .guild_id = IdOf<GuildId>(r[0]),
      .restricted_role_id = OptId<RoleId>(r[1]),
      .admin_channel_id = OptId<ChannelId>(r[2]),
      .verification_channel_id = OptId<ChannelId>(r[3]),
      .admin_notification_role_id = OptId<RoleId>(r[4]),
      .settings = Text(r[5]),
      .is_active = Bool(r[6]),
      .created_by = OptId<UserId>(r[7]),
      .updated_by = OptId<UserId>(r[8]),
      .created_at = Time(r[9]),
      .updated_at = Time(r[10]),
  };
}

}  // namespace

ServerRepo::ServerRepo(Pool& pool, const core::Clock& clock, ServerRepoOptions options)
    : pool_(pool), clock_(clock), options_(options) {}

core::Result<std::optional<Server>> ServerRepo::Find(GuildId guild) {
  return pool_.Run("servers.find", [&](Session& s) -> std::optional<Server> {
    auto rows = s.Exec(kFind, Params(guild));
    if (rows.empty()) return std::nullopt;
    return Decode(rows[0]);
  });
}

core::Result<std::optional<Server>> ServerRepo::Get(GuildId guild) {
  const auto now = clock_.Steady();
  std::uint64_t generation;
  {
    std::lock_guard lock(mu_);
    Cached& c = cache_[guild];
    if (c.valid && now - c.fetched < options_.cache_ttl) return c.server;
    generation = c.generation;
  }
  auto found = Find(guild);
  if (found) {
    std::lock_guard lock(mu_);
    Cached& c = cache_[guild];
    if (c.generation == generation) {  // no write or invalidation raced with this read
      c.server = *found;
      c.fetched = now;
      c.valid = true;
    }
  }
  return found;
}

void ServerRepo::Remember(const Server& server) {
  std::lock_guard lock(mu_);
  Cached& c = cache_[server.guild_id];
  c.server = server;
  c.fetched = clock_.Steady();
  c.valid = true;
  ++c.generation;
}

void ServerRepo::Invalidate(GuildId guild) {
  std::lock_guard lock(mu_);
  Cached& c = cache_[guild];
  c.valid = false;
  c.server.reset();
  ++c.generation;
}

core::Result<Server> ServerRepo::Upsert(GuildId guild, const ServerPatch& p) {
  auto out = pool_.Run("servers.upsert", [&](Session& s) {
    return Decode(s.Exec(kUpsert, Params(guild, p.restricted_role_id, p.admin_channel_id,
                                         p.verification_channel_id, p.admin_notification_role_id,
                                         p.settings, p.is_active, p.updated_by))[0]);
  });
  if (out) Remember(*out);
  return out;
}

core::Result<std::vector<Server>> ServerRepo::UpsertMany(
    std::span<const std::pair<GuildId, ServerPatch>> rows) {
  if (rows.empty()) return std::vector<Server>{};
  std::optional<GuildId> failing;
  auto out = pool_.Run("servers.upsert_many", [&](Session& s) {
    return s.InTransaction([&] {
      std::vector<Server> written;
      written.reserve(rows.size());
      for (const auto& [guild, p] : rows) {
        failing = guild;
        written.push_back(
            Decode(s.Exec(kUpsert, Params(guild, p.restricted_role_id, p.admin_channel_id,
                                          p.verification_channel_id, p.admin_notification_role_id,
                                          p.settings, p.is_active, p.updated_by))[0]));
      }
      failing.reset();  // a failure from here on (COMMIT) is the batch's, not a row's
      return written;
    });
  });
  if (!out) {
    if (failing) out.error().message += " (guild " + failing->ToString() + ")";
    // The outcome of a broken COMMIT is unknown: forget what the cache holds for these guilds.
    for (const auto& row : rows) Invalidate(row.first);
    return out;
  }
  for (const Server& server : *out) Remember(server);
  return out;
}

core::Result<Server> ServerRepo::Update(const Server& v) {
  auto out = pool_.Run("servers.update", [&](Session& s) -> core::Result<Server> {
    auto rows = s.Exec(kUpdate, Params(v.guild_id, v.restricted_role_id, v.admin_channel_id,
                                       v.verification_channel_id, v.admin_notification_role_id,
                                       v.settings, v.is_active, v.updated_by));
    if (rows.empty()) {
      return core::Fail(core::ErrorCode::kNotFound, "no server " + v.guild_id.ToString());
    }
    return Decode(rows[0]);
  });
  if (out) Remember(*out);
  return out;
}

core::Result<void> ServerRepo::Remove(GuildId guild) {
  auto out = pool_.Run("servers.remove", [&](Session& s) -> core::Result<void> {
    if (s.Exec(kRemove, Params(guild)).affected_rows() == 0) {
      return core::Fail(core::ErrorCode::kNotFound, "no server " + guild.ToString());
    }
    return {};
  });
  Invalidate(guild);
  return out;
}

core::Result<std::vector<Server>> ServerRepo::ListActive() {
  return pool_.Run("servers.list_active", [&](Session& s) {
    std::vector<Server> out;
    for (const auto& row : s.Exec(kListActive)) out.push_back(Decode(row));
    return out;
  });
}

core::Result<Server> ServerRepo::Modify(
    GuildId guild, const std::function<core::Result<Server>(Server)>& change) {
  std::optional<core::Error> refused;
  auto out = pool_.Run("servers.modify", [&](Session& s) -> core::Result<Server> {
    return s.InTransaction([&]() -> core::Result<Server> {
      // Inserted with the defaults if absent, then locked: concurrent changes queue here.
      s.Exec(kUpsert, Params(guild, std::optional<RoleId>(), std::optional<ChannelId>(),
                             std::optional<ChannelId>(), std::optional<RoleId>(),
                             std::optional<std::string>(), std::optional<bool>(),
                             std::optional<UserId>()));
      const Server current = Decode(s.Exec(kFindForUpdate, Params(guild))[0]);
      auto next = change(current);
      if (!next) {
        refused = next.error();
        return current;  // nothing written; the transaction only read
      }
      const Server& v = *next;
      return Decode(s.Exec(kUpdate, Params(v.guild_id, v.restricted_role_id, v.admin_channel_id,
                                           v.verification_channel_id,
                                           v.admin_notification_role_id, v.settings, v.is_active,
                                           v.updated_by))[0]);
    });
  });
  if (refused) return std::unexpected(*refused);
  if (out) Remember(*out);
  return out;
}

}  // namespace store::pg

#include "store/pg/user_repo.h"

#include <cmath>

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

#define ANTISPAM_USER_COLUMNS                                                              \
  "discord_id, username, account_created_at, global_reputation_score, "                   \
  "suspicious_server_count, first_flagged_at, metadata, created_at, updated_at"

constexpr Statement kFind{"users_find",
                          "SELECT " ANTISPAM_USER_COLUMNS " FROM users WHERE discord_id = $1"};
constexpr Statement kUpsert{
    "users_upsert",
    "INSERT INTO users AS u (discord_id, username, account_created_at, metadata) "
    "VALUES ($1, $2, $3, COALESCE($4::jsonb, '{}'::jsonb)) "
    "ON CONFLICT (discord_id) DO UPDATE SET "
    "  username = COALESCE($2, u.username), "
    "  account_created_at = COALESCE($3, u.account_created_at), "
    "  metadata = u.metadata || COALESCE($4::jsonb, '{}'::jsonb), "
    "  updated_at = now() "
    "RETURNING " ANTISPAM_USER_COLUMNS};
constexpr Statement kSetReputation{
    "users_set_reputation",
    "UPDATE users SET global_reputation_score = $2, updated_at = now() WHERE discord_id = $1 "
    "RETURNING " ANTISPAM_USER_COLUMNS};
constexpr Statement kAdjustReputation{
    "users_adjust_reputation",
    "UPDATE users SET global_reputation_score = "
    "  greatest(-1, least(1, global_reputation_score + $2::real)), updated_at = now() "
    "WHERE discord_id = $1 RETURNING " ANTISPAM_USER_COLUMNS};
// Counted from the cases themselves, so that every outcome (and a retry, or two servers' cases
// changing at once) leaves the same answer: the servers where the user has a case that was not
// found to be a mistake (open, reopened, rejected, banned or kicked).
constexpr Statement kRecountSuspicion{
    "users_recount_suspicion",
    "UPDATE users SET suspicious_server_count = (SELECT count(DISTINCT v.server_id) "
    "    FROM verification_events v WHERE v.user_id = $1 AND v.status <> 'verified'), "
    "  first_flagged_at = COALESCE(first_flagged_at, $2::timestamptz), updated_at = now() "
    "WHERE discord_id = $1 RETURNING " ANTISPAM_USER_COLUMNS};

#undef ANTISPAM_USER_COLUMNS

User Decode(const pqxx::row& r) {
  using namespace detail;
  return User{
      .discord_id = IdOf<UserId>(r[0]),
      .username = OptText(r[1]),
      .account_created_at = OptTime(r[2]),
      .global_reputation_score = Double(r[3]),
      .suspicious_server_count = static_cast<int>(Int(r[4])),
      .first_flagged_at = OptTime(r[5]),
      .metadata = Text(r[6]),
      .created_at = Time(r[7]),
      .updated_at = Time(r[8]),
  };
}

core::Result<User> One(const pqxx::result& rows, UserId user) {
  if (rows.empty()) return core::Fail(core::ErrorCode::kNotFound, "no user " + user.ToString());
  return Decode(rows[0]);
}

}  // namespace

core::Result<std::optional<User>> UserRepo::Find(UserId user) {
  return pool_.Run("users.find", [&](Session& s) -> std::optional<User> {
    auto rows = s.Exec(kFind, Params(user));
    if (rows.empty()) return std::nullopt;
    return Decode(rows[0]);
  });
}

core::Result<User> UserRepo::Upsert(UserId user, const UserPatch& p) {
  return pool_.Run("users.upsert", [&](Session& s) {
    return Decode(s.Exec(kUpsert, Params(user, p.username, p.account_created_at, p.metadata))[0]);
  });
}

core::Result<User> UserRepo::SetReputation(UserId user, double score) {
  if (!std::isfinite(score)) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "reputation must be a finite number",
                      "global_reputation_score");
  }
  return pool_.Run("users.set_reputation",
                   [&](Session& s) { return One(s.Exec(kSetReputation, Params(user, score)), user); });
}

core::Result<User> UserRepo::AdjustReputation(UserId user, double delta) {
  // NaN sorts above every number in PostgreSQL: least(1, NaN) would make a spammer trusted.
  if (!std::isfinite(delta)) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      "reputation delta must be a finite number", "global_reputation_score");
  }
  return pool_.Run("users.adjust_reputation", [&](Session& s) {
    return One(s.Exec(kAdjustReputation, Params(user, delta)), user);
  });
}

core::Result<User> UserRepo::RecountSuspicion(UserId user, std::optional<Timestamp> flagged_at) {
  return pool_.Run("users.recount_suspicion", [&](Session& s) {
    return One(s.Exec(kRecountSuspicion, Params(user, flagged_at)), user);
  });
}

}  // namespace store::pg

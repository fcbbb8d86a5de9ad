#include "store/pg/member_repo.h"

#include <map>

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

#define ANTISPAM_MEMBER_COLUMNS                                                                 \
  "server_id, user_id, join_date, reputation_score, message_count, last_message_at, "          \
  "is_restricted, verification_status, restriction_reason, last_status_change, moderator_id, " \
  "last_verified_at"

constexpr Statement kFind{"members_find",
                          "SELECT " ANTISPAM_MEMBER_COLUMNS
                          " FROM server_members WHERE server_id = $1 AND user_id = $2"};
constexpr Statement kUpsert{
    "members_upsert",
    "INSERT INTO server_members AS m (server_id, user_id, join_date, reputation_score) "
    "VALUES ($1, $2, $3, COALESCE($4::real, 0)) "
    "ON CONFLICT (server_id, user_id) DO UPDATE SET "
    "  join_date = COALESCE($3, m.join_date), "
    "  reputation_score = COALESCE($4::real, m.reputation_score), updated_at = now() "
    "RETURNING " ANTISPAM_MEMBER_COLUMNS};
// $1 guild ids, $2 user ids, $3 counts, $4 last message times: parallel arrays, one entry per
// member (no duplicates: ON CONFLICT may touch a row once per statement).
constexpr Statement kAddCounts{
    "members_add_counts",
    "WITH d AS ("
    "  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[]) "
    "    AS d(server_id, user_id, n, last_at)), "
    "srv AS (INSERT INTO servers (guild_id) SELECT server_id FROM d GROUP BY 1 ORDER BY 1 "
    "        ON CONFLICT (guild_id) DO NOTHING), "
    "usr AS (INSERT INTO users (discord_id) SELECT user_id FROM d GROUP BY 1 ORDER BY 1 "
    "        ON CONFLICT (discord_id) DO NOTHING) "
    "INSERT INTO server_members AS m (server_id, user_id, message_count, last_message_at) "
    "SELECT server_id, user_id, n, last_at FROM d "
    "ON CONFLICT (server_id, user_id) DO UPDATE SET "
    "  message_count = m.message_count + excluded.message_count, "
    "  last_message_at = greatest(m.last_message_at, excluded.last_message_at)"};
constexpr Statement kSetRestriction{
    "members_set_restriction",
    "UPDATE server_members SET is_restricted = $3, restriction_reason = $4, moderator_id = $5, "
    "  last_status_change = now(), updated_at = now() "
    "WHERE server_id = $1 AND user_id = $2 RETURNING " ANTISPAM_MEMBER_COLUMNS};
constexpr Statement kSetStatus{
    "members_set_status",
    "UPDATE server_members SET verification_status = $3::verification_status, moderator_id = $4, "
    "  last_status_change = now(), updated_at = now(), "
    "  last_verified_at = CASE WHEN $3::verification_status = 'verified' THEN now() ELSE last_verified_at END "
    "WHERE server_id = $1 AND user_id = $2 RETURNING " ANTISPAM_MEMBER_COLUMNS};
constexpr Statement kListRestricted{
    "members_list_restricted",
    "SELECT " ANTISPAM_MEMBER_COLUMNS
    " FROM server_members WHERE server_id = $1 AND is_restricted ORDER BY last_status_change"};

constexpr Statement kAdjustReputation{
    "members_adjust_reputation",
    "UPDATE server_members SET reputation_score = "
    "  LEAST(1::real, GREATEST(-1::real, reputation_score + $3::real)), updated_at = now() "
    "WHERE server_id = $1 AND user_id = $2 RETURNING " ANTISPAM_MEMBER_COLUMNS};
// Detections and verified cases counted per member with one pass over each table's
// (server, user, ...) index.
constexpr Statement kContexts{
    "members_contexts",
    "WITH det AS (SELECT user_id, count(*) AS n FROM detection_events WHERE server_id = $1 "
    "             GROUP BY user_id), "
    "fp AS (SELECT user_id, count(*) AS n FROM verification_events "
    "       WHERE server_id = $1 AND status = 'verified' GROUP BY user_id) "
    "SELECT m.user_id, m.join_date, m.message_count, m.reputation_score, "
    "       COALESCE(det.n, 0), COALESCE(fp.n, 0), m.is_restricted "
    "FROM server_members m LEFT JOIN det USING (user_id) LEFT JOIN fp USING (user_id) "
    "WHERE m.server_id = $1 AND (m.message_count > 0 OR m.reputation_score <> 0 OR m.is_restricted "
    "      OR det.n IS NOT NULL) "
    "ORDER BY m.last_message_at DESC NULLS LAST LIMIT $2"};

#undef ANTISPAM_MEMBER_COLUMNS

ServerMember Decode(const pqxx::row& r) {
  using namespace detail;
  return ServerMember{
      .server_id = IdOf<GuildId>(r[0]),
      .user_id = IdOf<UserId>(r[1]),
      .join_date = OptTime(r[2]),
      .reputation_score = Double(r[3]),
      .message_count = Int(r[4]),
      .last_message_at = OptTime(r[5]),
      .is_restricted = Bool(r[6]),
      .verification_status = OptEnum<VerificationStatus>(r[7], ParseVerificationStatus),
      .restriction_reason = OptText(r[8]),
      .last_status_change = OptTime(r[9]),
      .moderator_id = OptId<UserId>(r[10]),
      .last_verified_at = OptTime(r[11]),
  };
}

core::Result<ServerMember> One(const pqxx::result& rows, GuildId server, UserId user) {
  if (rows.empty()) {
    return core::Fail(core::ErrorCode::kNotFound,
                      "no member " + user.ToString() + " in server " + server.ToString());
  }
  return Decode(rows[0]);
}

}  // namespace

core::Result<std::optional<ServerMember>> MemberRepo::Find(GuildId server, UserId user) {
  return pool_.Run("server_members.find", [&](Session& s) -> std::optional<ServerMember> {
    auto rows = s.Exec(kFind, Params(server, user));
    if (rows.empty()) return std::nullopt;
    return Decode(rows[0]);
  });
}

core::Result<ServerMember> MemberRepo::Upsert(GuildId server, UserId user, const MemberPatch& p) {
  return pool_.Run("server_members.upsert", [&](Session& s) {
    return Decode(s.Exec(kUpsert, Params(server, user, p.join_date, p.reputation_score))[0]);
  });
}

core::Result<int> MemberRepo::AddMessageCounts(std::span<const MessageCountDelta> deltas) {
  if (deltas.empty()) return 0;
  std::map<std::pair<GuildId, UserId>, MessageCountDelta> merged;
  for (const auto& d : deltas) {
    if (d.count < 0) {
      return core::Fail(core::ErrorCode::kInvalidArgument, "negative message count delta",
                        "count");
    }
    auto [it, inserted] = merged.try_emplace({d.server_id, d.user_id}, d);
    if (!inserted) {
      it->second.count += d.count;
      it->second.last_message_at = std::max(it->second.last_message_at, d.last_message_at);
    }
  }
  std::vector<std::string> servers, users, counts, times;
  for (const auto& [key, d] : merged) {
    servers.push_back(d.server_id.ToString());
    users.push_back(d.user_id.ToString());
    counts.push_back(std::to_string(d.count));
    times.push_back(detail::FormatTimestamp(d.last_message_at));
  }
  return pool_.Run("server_members.add_message_counts", [&](Session& s) {
    return static_cast<int>(
        s.Exec(kAddCounts, Params(servers, users, counts, times)).affected_rows());
  });
}

core::Result<ServerMember> MemberRepo::SetRestriction(GuildId server, UserId user, bool restricted,
                                                      std::optional<std::string> reason,
                                                      std::optional<UserId> moderator) {
  return pool_.Run("server_members.set_restriction", [&](Session& s) {
    return One(s.Exec(kSetRestriction, Params(server, user, restricted, reason, moderator)), server,
               user);
  });
}

core::Result<ServerMember> MemberRepo::SetVerificationStatus(GuildId server, UserId user,
                                                             VerificationStatus status,
                                                             std::optional<UserId> moderator) {
  return pool_.Run("server_members.set_verification_status", [&](Session& s) {
    return One(s.Exec(kSetStatus, Params(server, user, status, moderator)), server, user);
  });
}

core::Result<std::vector<ServerMember>> MemberRepo::ListRestricted(GuildId server) {
  return pool_.Run("server_members.list_restricted", [&](Session& s) {
    std::vector<ServerMember> out;
    for (const auto& row : s.Exec(kListRestricted, Params(server))) out.push_back(Decode(row));
    return out;
  });
}

core::Result<std::vector<MemberContextRow>> MemberRepo::Contexts(GuildId server, int limit) {
  if (limit < 0) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "limit must not be negative", "limit");
  }
  return pool_.Run("server_members.contexts", [&](Session& s) {
    using namespace detail;
    std::vector<MemberContextRow> out;
    for (const auto& r : s.Exec(kContexts, Params(server, limit))) {
      out.push_back(MemberContextRow{.user_id = IdOf<UserId>(r[0]),
                                     .join_date = OptTime(r[1]),
                                     .message_count = Int(r[2]),
                                     .reputation_score = Double(r[3]),
                                     .detections = static_cast<std::int32_t>(Int(r[4])),
                                     .false_positives = static_cast<std::int32_t>(Int(r[5])),
                                     .restricted = Bool(r[6])});
    }
    return out;
  });
}

core::Result<ServerMember> MemberRepo::AdjustReputation(GuildId server, UserId user,
                                                       double delta) {
  return pool_.Run("server_members.adjust_reputation", [&](Session& s) {
    return One(s.Exec(kAdjustReputation, Params(server, user, delta)), server, user);
  });
}

}  // namespace store::pg

#include "store/pg/detection_write.h"

#include <map>

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

// $1 guild, $2 user, $3 username, $4 account created, $5 joined, $6 message, $7 channel,
// $8 type, $9 risk, $10 confidence, $11 level, $12 reasons, $13 used_gpt, $14 metadata,
// $15 detected_at (NULL: now()), $16 flagged, $17 restriction reason, $18 restricted,
// $19..$23 the member's recent messages to store (one array per column: message, channel,
// content, sent_at, is_flagged; empty arrays store none).
//
// CTEs see the snapshot taken before the statement, not each other's writes, so both new ids are
// drawn first (`ids`) and each insert references them: the detection points at the case and the
// case at the detection. Foreign keys are checked at the end of the statement, when both exist.
constexpr Statement kRecord{"detection_write", R"sql(
WITH
ids AS MATERIALIZED (
  SELECT gen_random_uuid() AS detection_id, gen_random_uuid() AS new_case_id,
         COALESCE($15::timestamptz, now()) AS at),
srv AS (
  INSERT INTO servers (guild_id) VALUES ($1) ON CONFLICT (guild_id) DO NOTHING),
-- A flag makes this server one where the user is suspect: the count is the servers with a case of
-- theirs not found to be a mistake (as UserRepo::RecountSuspicion counts), this one included.
suspect AS MATERIALIZED (
  SELECT CASE WHEN $16::boolean THEN 1 + (
    SELECT count(DISTINCT v.server_id) FROM verification_events v
    WHERE v.user_id = $2 AND v.server_id <> $1 AND v.status <> 'verified') END AS servers),
usr AS (
  INSERT INTO users (discord_id, username, account_created_at, suspicious_server_count,
                     first_flagged_at)
  SELECT $2, $3, $4, COALESCE(suspect.servers, 0),
         CASE WHEN $16::boolean THEN ids.at END
  FROM ids, suspect
  ON CONFLICT (discord_id) DO UPDATE
    SET username = COALESCE(excluded.username, users.username),
        account_created_at = COALESCE(users.account_created_at, excluded.account_created_at),
        suspicious_server_count = CASE WHEN $16::boolean THEN excluded.suspicious_server_count
                                       ELSE users.suspicious_server_count END,
        first_flagged_at = COALESCE(users.first_flagged_at, excluded.first_flagged_at),
        updated_at = now()
    WHERE (excluded.username IS NOT NULL AND excluded.username IS DISTINCT FROM users.username)
       OR (users.account_created_at IS NULL AND excluded.account_created_at IS NOT NULL)
       OR ($16::boolean AND (users.first_flagged_at IS NULL OR
                             users.suspicious_server_count <> excluded.suspicious_server_count))),
-- The member's recent messages, kept with the case (retention applies); a message stored before
-- only has is_flagged raised.
msgs AS (
  INSERT INTO messages AS m (server_id, user_id, message_id, channel_id, content, sent_at,
                             is_flagged)
  SELECT $1, $2, t.message_id, t.channel_id, t.content, t.sent_at, t.is_flagged
  FROM unnest($19::text[], $20::text[], $21::text[], $22::timestamptz[], $23::boolean[])
       WITH ORDINALITY AS t(message_id, channel_id, content, sent_at, is_flagged, ord)
  ORDER BY t.ord
  ON CONFLICT (server_id, message_id) DO UPDATE SET is_flagged = TRUE
    WHERE excluded.is_flagged AND NOT m.is_flagged),
-- Locked, so a case an admin resolves concurrently is re-checked after their commit and drops
-- out: the detection then opens a new case instead of joining a closed one.
open_case AS MATERIALIZED (
  SELECT id, status FROM verification_events
  WHERE server_id = $1 AND user_id = $2 AND status IN ('pending', 'reopened')
  FOR UPDATE),
det AS (
  INSERT INTO detection_events (id, server_id, user_id, message_id, channel_id, detection_type,
                                risk, confidence, confidence_level, reasons, used_gpt, metadata,
                                detected_at, latest_verification_event_id)
  SELECT ids.detection_id, $1, $2, $6, $7, $8, $9, $10, $11, $12::text[], $13, $14::jsonb, ids.at,
         CASE WHEN $16::boolean THEN COALESCE((SELECT id FROM open_case), ids.new_case_id) END
  FROM ids
  RETURNING id, latest_verification_event_id),
new_case AS (
  INSERT INTO verification_events (id, server_id, user_id, detection_event_id, created_at,
                                   updated_at)
  SELECT ids.new_case_id, $1, $2, ids.detection_id, ids.at, ids.at FROM ids
  WHERE $16::boolean AND NOT EXISTS (SELECT 1 FROM open_case)
  RETURNING id),
mem AS (
  INSERT INTO server_members (server_id, user_id, join_date, is_restricted, verification_status,
                              restriction_reason, last_status_change)
  VALUES ($1, $2, $5, $16::boolean AND $18::boolean,
          CASE WHEN $16::boolean THEN 'pending'::verification_status END,
          CASE WHEN $16::boolean AND $18::boolean THEN $17 END,
          CASE WHEN $16::boolean THEN (SELECT at FROM ids) END)
  ON CONFLICT (server_id, user_id) DO UPDATE
    SET join_date = COALESCE(server_members.join_date, excluded.join_date),
        is_restricted = server_members.is_restricted OR excluded.is_restricted,
        verification_status = CASE WHEN $16::boolean
          THEN COALESCE((SELECT status FROM open_case), 'pending')
          ELSE server_members.verification_status END,
        restriction_reason = COALESCE(excluded.restriction_reason,
                                      server_members.restriction_reason),
        last_status_change = CASE
          WHEN (excluded.is_restricted AND NOT server_members.is_restricted)
            OR ($16::boolean AND server_members.verification_status IS DISTINCT FROM
                COALESCE((SELECT status FROM open_case), 'pending'))
          THEN excluded.last_status_change ELSE server_members.last_status_change END,
        updated_at = now()
    -- Only when something changes: a repeat flag of a restricted member writes nothing here.
    WHERE (excluded.is_restricted AND NOT server_members.is_restricted)
       OR ($16::boolean AND server_members.verification_status IS DISTINCT FROM
           COALESCE((SELECT status FROM open_case), 'pending'))
       OR (server_members.join_date IS NULL AND excluded.join_date IS NOT NULL))
SELECT det.id, det.latest_verification_event_id, EXISTS (SELECT 1 FROM new_case)
FROM det
)sql"};

}  // namespace

core::Result<DetectionWriteResult> DetectionWriter::Record(const DetectionWrite& w) {
  std::optional<Timestamp> at;
  if (w.detected_at != Timestamp{}) at = w.detected_at;
  // One row per message (a repeated id would be two rows conflicting in one statement), in id
  // order, so concurrent writes take their row locks in the same order.
  std::map<std::uint64_t, const RecentMessage*> unique;
  for (const RecentMessage& m : w.messages) {
    auto [it, inserted] = unique.try_emplace(m.message_id.value(), &m);
    if (!inserted && m.is_flagged) it->second = &m;
  }
  detail::Params message, channel, content, sent_at, flagged;
  for (const auto& [id, m] : unique) {
    message.Add(m->message_id);
    channel.Add(m->channel_id);
    content.Add(m->content);
    sent_at.Add(m->sent_at);
    flagged.Add(m->is_flagged);
  }
  Params params(w.server_id, w.user_id, w.username, w.account_created_at, w.joined_at,
                w.message_id, w.channel_id, w.detection_type, w.risk, w.confidence, w.level,
                w.reasons, w.used_gpt, w.metadata, at, w.flagged, w.restriction_reason, w.restricted,
                message.ToArrayLiteral(), channel.ToArrayLiteral(), content.ToArrayLiteral(),
                sent_at.ToArrayLiteral(), flagged.ToArrayLiteral());
  auto once = [&] {
    return pool_.Run("detection_write", [&](Session& s) {
      auto row = s.Exec(kRecord, params)[0];
      return DetectionWriteResult{detail::UuidOf(row[0]), detail::OptUuid(row[1]),
                                  detail::Bool(row[2])};
    });
  };
  auto result = once();
  if (!result && result.error().code == core::ErrorCode::kConflict &&
      result.error().subject == "verification_events_one_open_case") {
    result = once();
  }
  return result;
}

}  // namespace store::pg

#include "store/pg/detection_write.h"

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

// $1 guild, $2 user, $3 username, $4 account created, $5 joined, $6 message, $7 channel,
// $8 type, $9 risk, $10 confidence, $11 level, $12 reasons, $13 used_gpt, $14 metadata,
// $15 detected_at (NULL: now()), $16 flagged, $17 restriction reason, $18 restricted.
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
usr AS (
  INSERT INTO users (discord_id, username, account_created_at) VALUES ($2, $3, $4)
  ON CONFLICT (discord_id) DO UPDATE
    SET username = COALESCE(excluded.username, users.username),
        account_created_at = COALESCE(users.account_created_at, excluded.account_created_at),
        updated_at = now()
    WHERE (excluded.username IS NOT NULL AND excluded.username IS DISTINCT FROM users.username)
       OR (users.account_created_at IS NULL AND excluded.account_created_at IS NOT NULL)),
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
  Params params(w.server_id, w.user_id, w.username, w.account_created_at, w.joined_at,
                w.message_id, w.channel_id, w.detection_type, w.risk, w.confidence, w.level,
                w.reasons, w.used_gpt, w.metadata, at, w.flagged, w.restriction_reason, w.restricted);
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

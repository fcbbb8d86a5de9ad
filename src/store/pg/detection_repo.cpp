#include "store/pg/detection_repo.h"

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

#define ANTISPAM_DETECTION_COLUMNS                                                          \
  "id, server_id, user_id, message_id, channel_id, detection_type, risk, confidence, "     \
  "confidence_level, reasons, used_gpt, metadata, detected_at, latest_verification_event_id, " \
  "admin_action, admin_action_by, admin_action_at"

constexpr Statement kCreate{
    "detections_create",
    "INSERT INTO detection_events (server_id, user_id, message_id, channel_id, detection_type, "
    "  risk, confidence, confidence_level, reasons, used_gpt, metadata, detected_at, "
    "  latest_verification_event_id) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10, $11::jsonb, COALESCE($12, now()), $13) "
    "RETURNING " ANTISPAM_DETECTION_COLUMNS};
constexpr Statement kFind{"detections_find", "SELECT " ANTISPAM_DETECTION_COLUMNS
                                             " FROM detection_events WHERE id = $1"};
constexpr Statement kHistory{
    "detections_history",
    "SELECT " ANTISPAM_DETECTION_COLUMNS
    " FROM detection_events WHERE server_id = $1 AND user_id = $2 "
    "ORDER BY detected_at DESC LIMIT $3"};
constexpr Statement kInRange{
    "detections_in_range",
    "SELECT " ANTISPAM_DETECTION_COLUMNS
    " FROM detection_events WHERE server_id = $1 AND detected_at >= $2 AND detected_at < $3 "
    "ORDER BY detected_at DESC LIMIT $4"};
constexpr Statement kSetAdminAction{
    "detections_set_admin_action",
    "UPDATE detection_events SET admin_action = $2, admin_action_by = $3, admin_action_at = now() "
    "WHERE id = $1"};

#undef ANTISPAM_DETECTION_COLUMNS

DetectionEvent Decode(const pqxx::row& r) {
  using namespace detail;
  return DetectionEvent{
      .id = UuidOf(r[0]),
      .server_id = IdOf<GuildId>(r[1]),
      .user_id = IdOf<UserId>(r[2]),
      .message_id = OptId<MessageId>(r[3]),
      .channel_id = OptId<ChannelId>(r[4]),
      .detection_type = EnumOf<DetectionType>(r[5], ParseDetectionType),
      .risk = Double(r[6]),
      .confidence = Double(r[7]),
      .level = EnumOf<DetectionLevel>(r[8], ParseDetectionLevel),
      .reasons = TextArray(r[9]),
      .used_gpt = Bool(r[10]),
      .metadata = Text(r[11]),
      .detected_at = Time(r[12]),
      .latest_verification_event_id = OptUuid(r[13]),
      .admin_action = OptText(r[14]),
      .admin_action_by = OptId<UserId>(r[15]),
      .admin_action_at = OptTime(r[16]),
  };
}

std::vector<DetectionEvent> DecodeAll(const pqxx::result& rows) {
  std::vector<DetectionEvent> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(Decode(row));
  return out;
}

}  // namespace

core::Result<DetectionEvent> DetectionRepo::Create(const DetectionEvent& e) {
  std::optional<Timestamp> at;
  if (e.detected_at != Timestamp{}) at = e.detected_at;
  return pool_.Run("detection_events.create", [&](Session& s) {
    return Decode(s.Exec(kCreate, Params(e.server_id, e.user_id, e.message_id, e.channel_id,
                                         e.detection_type, e.risk, e.confidence, e.level,
                                         e.reasons, e.used_gpt, e.metadata, at,
                                         e.latest_verification_event_id))[0]);
  });
}

core::Result<std::optional<DetectionEvent>> DetectionRepo::Find(const Uuid& id) {
  return pool_.Run("detection_events.find", [&](Session& s) -> std::optional<DetectionEvent> {
    auto rows = s.Exec(kFind, Params(id));
    if (rows.empty()) return std::nullopt;
    return Decode(rows[0]);
  });
}

core::Result<std::vector<DetectionEvent>> DetectionRepo::History(GuildId server, UserId user,
                                                                 int limit) {
  return pool_.Run("detection_events.history", [&](Session& s) {
    return DecodeAll(s.Exec(kHistory, Params(server, user, limit)));
  });
}

core::Result<std::vector<DetectionEvent>> DetectionRepo::InRange(GuildId server, Timestamp from,
                                                                 Timestamp to, int limit) {
  return pool_.Run("detection_events.in_range", [&](Session& s) {
    return DecodeAll(s.Exec(kInRange, Params(server, from, to, limit)));
  });
}

core::Result<void> DetectionRepo::SetAdminAction(const Uuid& id, std::string action, UserId by) {
  return pool_.Run("detection_events.set_admin_action", [&](Session& s) -> core::Result<void> {
    if (s.Exec(kSetAdminAction, Params(id, action, by)).affected_rows() == 0) {
      return core::Fail(core::ErrorCode::kNotFound, "no detection event " + id.value);
    }
    return {};
  });
}

}  // namespace store::pg

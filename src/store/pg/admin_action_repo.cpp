#include "store/pg/admin_action_repo.h"

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

#define ANTISPAM_ACTION_COLUMNS                                                          \
  "id, server_id, user_id, admin_id, verification_event_id, detection_event_id, "       \
  "action_type, action_at, previous_status, new_status, notes, metadata"

constexpr Statement kRecord{
    "admin_actions_record",
    "INSERT INTO admin_actions (server_id, user_id, admin_id, verification_event_id, "
    "  detection_event_id, action_type, action_at, previous_status, new_status, notes, metadata) "
    "VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, now()), $8, $9, $10, $11::jsonb) "
    "RETURNING " ANTISPAM_ACTION_COLUMNS};
constexpr Statement kListByCase{
    "admin_actions_by_case", "SELECT " ANTISPAM_ACTION_COLUMNS
                             " FROM admin_actions WHERE verification_event_id = $1 "
                             "ORDER BY action_at, id"};
constexpr Statement kListForMember{
    "admin_actions_for_member", "SELECT " ANTISPAM_ACTION_COLUMNS
                                " FROM admin_actions WHERE server_id = $1 AND user_id = $2 "
                                "ORDER BY action_at DESC LIMIT $3"};

#undef ANTISPAM_ACTION_COLUMNS

AdminAction Decode(const pqxx::row& r) {
  using namespace detail;
  return AdminAction{
      .id = UuidOf(r[0]),
      .server_id = IdOf<GuildId>(r[1]),
      .user_id = IdOf<UserId>(r[2]),
      .admin_id = IdOf<UserId>(r[3]),
      .verification_event_id = OptUuid(r[4]),
      .detection_event_id = OptUuid(r[5]),
      .action_type = EnumOf<AdminActionType>(r[6], ParseAdminActionType),
      .action_at = Time(r[7]),
      .previous_status = OptEnum<VerificationStatus>(r[8], ParseVerificationStatus),
      .new_status = OptEnum<VerificationStatus>(r[9], ParseVerificationStatus),
      .notes = OptText(r[10]),
      .metadata = Text(r[11]),
  };
}

std::vector<AdminAction> DecodeAll(const pqxx::result& rows) {
  std::vector<AdminAction> out;
  for (const auto& row : rows) out.push_back(Decode(row));
  return out;
}

}  // namespace

core::Result<AdminAction> AdminActionRepo::Record(const AdminAction& a) {
  std::optional<Timestamp> at;
  if (a.action_at != Timestamp{}) at = a.action_at;
  return pool_.Run("admin_actions.record", [&](Session& s) {
    return Decode(s.Exec(kRecord, Params(a.server_id, a.user_id, a.admin_id,
                                         a.verification_event_id, a.detection_event_id,
                                         a.action_type, at, a.previous_status, a.new_status,
                                         a.notes, a.metadata))[0]);
  });
}

core::Result<std::vector<AdminAction>> AdminActionRepo::ListByCase(const Uuid& case_id) {
  return pool_.Run("admin_actions.list_by_case",
                   [&](Session& s) { return DecodeAll(s.Exec(kListByCase, Params(case_id))); });
}

core::Result<std::vector<AdminAction>> AdminActionRepo::ListForMember(GuildId server, UserId user,
                                                                      int limit) {
  return pool_.Run("admin_actions.list_for_member", [&](Session& s) {
    return DecodeAll(s.Exec(kListForMember, Params(server, user, limit)));
  });
}

}  // namespace store::pg

#include "store/pg/verification_repo.h"

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using core::ErrorCode;
using detail::Params;

#define ANTISPAM_CASE_COLUMNS                                                                 \
  "v.id, v.server_id, v.user_id, v.detection_event_id, v.thread_id, v.notification_message_id, " \
  "v.status, v.created_at, v.updated_at, v.resolved_at, v.resolved_by, v.notes, v.metadata"

constexpr Statement kCreate{
    "cases_create",
    "INSERT INTO verification_events AS v (server_id, user_id, detection_event_id, thread_id, "
    "  notification_message_id, notes) VALUES ($1, $2, $3, $4, $5, $6) "
    "RETURNING " ANTISPAM_CASE_COLUMNS};
constexpr Statement kFind{"cases_find", "SELECT " ANTISPAM_CASE_COLUMNS
                                        " FROM verification_events v WHERE v.id = $1"};
constexpr Statement kOpenCase{
    "cases_open_case",
    "SELECT " ANTISPAM_CASE_COLUMNS
    " FROM verification_events v WHERE v.server_id = $1 AND v.user_id = $2 "
    "AND v.status IN ('pending', 'reopened')"};
// $1 id, $2 new status, $3 actor, $4 notes, $5 statuses it may move from.
constexpr Statement kTransition{
    "cases_transition",
    "WITH cur AS (SELECT id, status FROM verification_events WHERE id = $1 FOR UPDATE) "
    "UPDATE verification_events v SET status = $2::verification_status, updated_at = now(), "
    "  resolved_at = CASE WHEN $2::verification_status IN ('pending', 'reopened') THEN NULL ELSE now() END, "
    "  resolved_by = CASE WHEN $2::verification_status IN ('pending', 'reopened') THEN NULL ELSE $3 END, "
    "  notes = COALESCE($4, v.notes) "
    "FROM cur WHERE v.id = cur.id AND cur.status = ANY ($5::verification_status[]) "
    "RETURNING cur.status, " ANTISPAM_CASE_COLUMNS};
constexpr Statement kSetRefs{
    "cases_set_refs",
    "UPDATE verification_events v SET thread_id = COALESCE($2, v.thread_id), "
    "  notification_message_id = COALESCE($3, v.notification_message_id), updated_at = now() "
    "WHERE v.id = $1 RETURNING " ANTISPAM_CASE_COLUMNS};
constexpr Statement kAppendNote{
    "cases_append_note",
    "UPDATE verification_events SET notes = CASE WHEN notes IS NULL OR notes = '' THEN $2 "
    "  ELSE notes || E'\\n' || $2 END, updated_at = now() WHERE id = $1"};
constexpr Statement kListForMember{
    "cases_list_for_member",
    "SELECT " ANTISPAM_CASE_COLUMNS
    " FROM verification_events v WHERE v.server_id = $1 AND v.user_id = $2 "
    "ORDER BY v.created_at DESC LIMIT $3"};

#undef ANTISPAM_CASE_COLUMNS

VerificationEvent Decode(const pqxx::row& r, int first = 0) {
  using namespace detail;
  auto f = [&](int i) { return r[first + i]; };
  return VerificationEvent{
      .id = UuidOf(f(0)),
      .server_id = IdOf<GuildId>(f(1)),
      .user_id = IdOf<UserId>(f(2)),
      .detection_event_id = OptUuid(f(3)),
      .thread_id = OptId<ChannelId>(f(4)),
      .notification_message_id = OptId<MessageId>(f(5)),
      .status = EnumOf<VerificationStatus>(f(6), ParseVerificationStatus),
      .created_at = Time(f(7)),
      .updated_at = Time(f(8)),
      .resolved_at = OptTime(f(9)),
      .resolved_by = OptId<UserId>(f(10)),
      .notes = OptText(f(11)),
      .metadata = Text(f(12)),
  };
}

std::vector<std::string> AllowedFrom(VerificationStatus to) {
  std::vector<std::string> out;
  for (auto from : {VerificationStatus::kPending, VerificationStatus::kVerified,
                    VerificationStatus::kRejected, VerificationStatus::kReopened,
                    VerificationStatus::kBanned, VerificationStatus::kKicked}) {
    if (IsAllowedTransition(from, to)) out.emplace_back(ToString(from));
  }
  return out;
}

}  // namespace

core::Result<VerificationEvent> VerificationRepo::Create(const NewCase& c) {
  return pool_.Run("verification_events.create", [&](Session& s) {
    return Decode(s.Exec(kCreate, Params(c.server_id, c.user_id, c.detection_event_id, c.thread_id,
                                         c.notification_message_id, c.notes))[0]);
  });
}

core::Result<std::optional<VerificationEvent>> VerificationRepo::Find(const Uuid& id) {
  return pool_.Run("verification_events.find",
                   [&](Session& s) -> std::optional<VerificationEvent> {
                     auto rows = s.Exec(kFind, Params(id));
                     if (rows.empty()) return std::nullopt;
                     return Decode(rows[0]);
                   });
}

core::Result<std::optional<VerificationEvent>> VerificationRepo::OpenCase(GuildId server,
                                                                          UserId user) {
  return pool_.Run("verification_events.open_case",
                   [&](Session& s) -> std::optional<VerificationEvent> {
                     auto rows = s.Exec(kOpenCase, Params(server, user));
                     if (rows.empty()) return std::nullopt;
                     return Decode(rows[0]);
                   });
}

core::Result<TransitionResult> VerificationRepo::Apply(const Uuid& id, const Transition& t) {
  std::vector<std::string> from = AllowedFrom(t.to);
  if (t.expected_from) {
    if (!IsAllowedTransition(*t.expected_from, t.to)) {
      from.clear();
    } else {
      from = {std::string(ToString(*t.expected_from))};
    }
  }
  return pool_.Run("verification_events.transition",
                   [&](Session& s) -> core::Result<TransitionResult> {
    auto rows = s.Exec(kTransition, Params(id, t.to, t.actor, t.notes, from));
    if (!rows.empty()) {
      return TransitionResult{
          detail::EnumOf<VerificationStatus>(rows[0][0], ParseVerificationStatus),
          Decode(rows[0], 1)};
    }
    auto current = s.Exec(kFind, Params(id));
    if (current.empty()) return core::Fail(ErrorCode::kNotFound, "no case " + id.value);
    VerificationEvent c = Decode(current[0]);
    std::string msg = "case " + id.value + " is " + std::string(ToString(c.status));
    if (c.resolved_by) msg += " (resolved by " + c.resolved_by->ToString() + ")";
    msg += "; it cannot become " + std::string(ToString(t.to));
    return core::Fail(ErrorCode::kFailedPrecondition, msg, std::string(ToString(c.status)));
  });
}

core::Result<VerificationEvent> VerificationRepo::SetDiscordRefs(
    const Uuid& id, std::optional<ChannelId> thread, std::optional<MessageId> notification) {
  return pool_.Run("verification_events.set_refs",
                   [&](Session& s) -> core::Result<VerificationEvent> {
                     auto rows = s.Exec(kSetRefs, Params(id, thread, notification));
                     if (rows.empty()) return core::Fail(ErrorCode::kNotFound, "no case " + id.value);
                     return Decode(rows[0]);
                   });
}

core::Result<void> VerificationRepo::AppendNote(const Uuid& id, std::string_view note) {
  return pool_.Run("verification_events.append_note", [&](Session& s) -> core::Result<void> {
    if (s.Exec(kAppendNote, Params(id, std::string(note))).affected_rows() == 0) {
      return core::Fail(ErrorCode::kNotFound, "no case " + id.value);
    }
    return {};
  });
}

core::Result<std::vector<VerificationEvent>> VerificationRepo::ListForMember(GuildId server,
                                                                             UserId user,
                                                                             int limit) {
  return pool_.Run("verification_events.list_for_member", [&](Session& s) {
    std::vector<VerificationEvent> out;
    for (const auto& row : s.Exec(kListForMember, Params(server, user, limit))) {
      out.push_back(Decode(row));
    }
    return out;
  });
}

}  // namespace store::pg

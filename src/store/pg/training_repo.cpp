#include "store/pg/training_repo.h"

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

#define ANTISPAM_TRAINING_COLUMNS                                                           \
  "id, server_id, user_id, content, context, label, labeled_by, labeled_at, collected_at, " \
  "quality_score, metadata"

// $5 label, $7 labeled_at (NULL: now() if labelled), $8 collected_at (NULL: now()).
constexpr Statement kCreate{
    "training_data_create",
    "INSERT INTO training_data (server_id, user_id, content, context, label, labeled_by, "
    "  labeled_at, collected_at, quality_score, metadata) "
    "VALUES ($1, $2, $3, $4::jsonb, $5, $6, "
    "  COALESCE($7, CASE WHEN $5::text IS NOT NULL THEN now() END), COALESCE($8, now()), $9, "
    "  $10::jsonb) "
    "RETURNING " ANTISPAM_TRAINING_COLUMNS};
constexpr Statement kLabel{
    "training_data_label",
    "UPDATE training_data SET label = $2, labeled_by = $3, quality_score = $4, labeled_at = now() "
    "WHERE id = $1 RETURNING " ANTISPAM_TRAINING_COLUMNS};
constexpr Statement kFind{"training_data_find",
                          "SELECT " ANTISPAM_TRAINING_COLUMNS " FROM training_data WHERE id = $1"};
// Two statements rather than "$1 IS NULL OR server_id = $1", so that each keeps a plan that fits:
// training_data_server_time_idx for one server, training_data_label_idx for all.
constexpr Statement kListLabeledAll{
    "training_data_list_labeled_all",
    "SELECT " ANTISPAM_TRAINING_COLUMNS
    " FROM training_data WHERE label IS NOT NULL ORDER BY collected_at DESC, id LIMIT $1"};
constexpr Statement kListLabeledForServer{
    "training_data_list_labeled_for_server",
    "SELECT " ANTISPAM_TRAINING_COLUMNS
    " FROM training_data WHERE server_id = $1 AND label IS NOT NULL "
    "ORDER BY collected_at DESC, id LIMIT $2"};

#undef ANTISPAM_TRAINING_COLUMNS

TrainingExample Decode(const pqxx::row& r) {
  using namespace detail;
  const auto quality = OptInt(r[9]);
  return TrainingExample{
      .id = UuidOf(r[0]),
      .server_id = IdOf<GuildId>(r[1]),
      .user_id = OptId<UserId>(r[2]),
      .content = OptText(r[3]),
      .context = OptText(r[4]),
      .label = OptEnum<TrainingLabel>(r[5], ParseTrainingLabel),
      .labeled_by = OptId<UserId>(r[6]),
      .labeled_at = OptTime(r[7]),
      .collected_at = Time(r[8]),
      .quality_score = quality ? std::optional<int>(static_cast<int>(*quality)) : std::nullopt,
      .metadata = Text(r[10]),
  };
}

std::vector<TrainingExample> DecodeAll(const pqxx::result& rows) {
  std::vector<TrainingExample> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(Decode(row));
  return out;
}

}  // namespace

core::Result<TrainingExample> TrainingRepo::Create(const TrainingExample& e) {
  std::optional<Timestamp> collected_at;
  if (e.collected_at != Timestamp{}) collected_at = e.collected_at;
  return pool_.Run("training_data.create", [&](Session& s) {
    return Decode(
        s.Exec(kCreate, Params(e.server_id, e.user_id, e.content, e.context, e.label, e.labeled_by,
                               e.labeled_at, collected_at, e.quality_score, e.metadata))[0]);
  });
}

core::Result<TrainingExample> TrainingRepo::Label(const Uuid& id, TrainingLabel label,
                                                  std::optional<UserId> labeled_by,
                                                  std::optional<int> quality_score) {
  return pool_.Run("training_data.label", [&](Session& s) -> core::Result<TrainingExample> {
    auto rows = s.Exec(kLabel, Params(id, label, labeled_by, quality_score));
    if (rows.empty()) {
      return core::Fail(core::ErrorCode::kNotFound, "no training example " + id.value);
    }
    return Decode(rows[0]);
  });
}

core::Result<std::optional<TrainingExample>> TrainingRepo::Find(const Uuid& id) {
  return pool_.Run("training_data.find", [&](Session& s) -> std::optional<TrainingExample> {
    auto rows = s.Exec(kFind, Params(id));
    if (rows.empty()) return std::nullopt;
    return Decode(rows[0]);
  });
}

core::Result<std::vector<TrainingExample>> TrainingRepo::ListLabeled(std::optional<GuildId> server,
                                                                     int limit) {
  return pool_.Run("training_data.list_labeled", [&](Session& s) {
    if (server) return DecodeAll(s.Exec(kListLabeledForServer, Params(*server, limit)));
    return DecodeAll(s.Exec(kListLabeledAll, Params(limit)));
  });
}

}  // namespace store::pg

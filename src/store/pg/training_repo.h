// training_data: examples collected for the local classifier, labelled by moderators and exported
// for training. Thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "core/result.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

class TrainingRepo {
 public:
  explicit TrainingRepo(Pool& pool) : pool_(pool) {}

  // Inserts `example` and returns the stored row. Its id is set by the database; so is
  // collected_at when zero, and labeled_at when unset but `label` is set. quality_score outside
  // 1..5: kConstraintViolation ("training_data_quality_score_range"); a server or user without a
  // row: kConstraintViolation naming the foreign key.
  core::Result<TrainingExample> Create(const TrainingExample& example);
  // Sets the example's label, labeller and quality score (replacing earlier ones; nullopt clears)
  // and labeled_at to the database's now(). Returns the updated row; kNotFound for an unknown id,
  // kConstraintViolation ("training_data_quality_score_range") for a score outside 1..5.
  core::Result<TrainingExample> Label(const Uuid& id, TrainingLabel label,
                                      std::optional<UserId> labeled_by,
                                      std::optional<int> quality_score = std::nullopt);
  // nullopt for an unknown id; kInvalidArgument for text that is not a UUID.
  core::Result<std::optional<TrainingExample>> Find(const Uuid& id);
  // Labelled examples for training export, of one server or (nullopt) of all, newest collected
  // first; at most `limit` (>= 0, else kInvalidArgument).
  core::Result<std::vector<TrainingExample>> ListLabeled(std::optional<GuildId> server,
                                                         int limit = 1000);

 private:
  Pool& pool_;
};

}  // namespace store::pg

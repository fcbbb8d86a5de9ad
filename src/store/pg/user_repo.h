// users: one row per Discord user across servers, with cross-server reputation. Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

// Unset fields keep the stored value. `metadata` is merged into the stored object (top-level
// keys replaced), not substituted.
struct UserPatch {
  std::optional<std::string> username;
  std::optional<Timestamp> account_created_at;
  std::optional<std::string> metadata;  // a JSON object
};

class UserRepo {
 public:
  explicit UserRepo(Pool& pool) : pool_(pool) {}

  core::Result<std::optional<User>> Find(UserId user);
  core::Result<User> Upsert(UserId user, const UserPatch& patch = {});
  // Sets the global reputation, clamped by the schema to -1..1 (out of range: kConstraintViolation).
  core::Result<User> SetReputation(UserId user, double score);
  // Adds `delta` to the global reputation, saturating at -1 and 1.
  core::Result<User> AdjustReputation(UserId user, double delta);
  // After a case of the user's opened or changed: suspicious_server_count recounted from
  // verification_events (the servers where a case of theirs is open or ended other than
  // verified), and first_flagged_at set to `flagged_at` if it was empty. kNotFound if the user
  // has no row.
  core::Result<User> RecountSuspicion(UserId user, std::optional<Timestamp> flagged_at);

 private:
  Pool& pool_;
};

}  // namespace store::pg

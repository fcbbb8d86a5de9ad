// admin_actions: the audit trail of moderator actions. Append-only. Thread-safe.
#pragma once

#include <vector>

#include "core/result.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

class AdminActionRepo {
 public:
  explicit AdminActionRepo(Pool& pool) : pool_(pool) {}

  // Appends `action` (id and, if zero, action_at come from the database).
  core::Result<AdminAction> Record(const AdminAction& action);
  // The actions taken on a case, oldest first.
  core::Result<std::vector<AdminAction>> ListByCase(const Uuid& case_id);
  // The actions taken on a member in a server, newest first.
  core::Result<std::vector<AdminAction>> ListForMember(GuildId server, UserId user, int limit = 50);

 private:
  Pool& pool_;
};

}  // namespace store::pg

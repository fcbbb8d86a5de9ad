// server_members: a user in a server — per-server reputation, activity and restriction state.
// Thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

struct MemberPatch {
  std::optional<Timestamp> join_date;
  std::optional<double> reputation_score;  // -1..1
};

// Messages counted for one member since the last flush.
struct MessageCountDelta {
  GuildId server_id;
  UserId user_id;
  std::int64_t count = 0;
  Timestamp last_message_at{};
};

class MemberRepo {
 public:
  explicit MemberRepo(Pool& pool) : pool_(pool) {}

  core::Result<std::optional<ServerMember>> Find(GuildId server, UserId user);
  // Creates the member (the server and user rows must exist: else kConstraintViolation naming
  // the foreign key) or applies `patch`.
  core::Result<ServerMember> Upsert(GuildId server, UserId user, const MemberPatch& patch = {});
  // Adds many members' message counts in ONE statement: creates missing server, user and member
  // rows, adds each count and keeps the latest last_message_at. Deltas for the same member are
  // combined first. Returns the number of members touched.
  core::Result<int> AddMessageCounts(std::span<const MessageCountDelta> deltas);
  // Restricts or releases a member; records who did it and when. kNotFound if no member row.
  core::Result<ServerMember> SetRestriction(GuildId server, UserId user, bool restricted,
                                            std::optional<std::string> reason,
                                            std::optional<UserId> moderator);
  // Sets the member's verification status (mirroring its case); `verified` also stamps
  // last_verified_at. kNotFound if no member row.
  core::Result<ServerMember> SetVerificationStatus(GuildId server, UserId user,
                                                   VerificationStatus status,
                                                   std::optional<UserId> moderator);
  core::Result<std::vector<ServerMember>> ListRestricted(GuildId server);

 private:
  Pool& pool_;
};

}  // namespace store::pg

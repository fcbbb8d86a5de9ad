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

// What detection needs to know of a member beyond the event (bot::MemberContext's source).
struct MemberContextRow {
  UserId user_id;
  std::optional<Timestamp> join_date;
  std::int64_t message_count = 0;
  double reputation_score = 0.0;  // per server
  std::int32_t detections = 0;
  std::int32_t false_positives = 0;  // cases resolved as verified: the flag was a mistake
  bool restricted = false;
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
  // Adds `delta` to the member's reputation in this server, saturating at -1 and 1, in one
  // statement (concurrent adjustments all count). kNotFound if no member row.
  core::Result<ServerMember> AdjustReputation(GuildId server, UserId user, double delta);
  // The context of the server's members that have one worth loading (messages counted, a
  // detection, a reputation other than 0, a restriction), most recently active first, at most
  // `limit`: loaded when the bot starts on a guild, off the hot path.
  core::Result<std::vector<MemberContextRow>> Contexts(GuildId server, int limit = 200'000);

 private:
  Pool& pool_;
};

}  // namespace store::pg

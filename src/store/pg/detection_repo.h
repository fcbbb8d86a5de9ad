// detection_events: every verdict worth remembering. Thread-safe.
// The hot path writes detections through DetectionWriter (detection_write.h), which also ensures
// the server, user and member rows and the case in the same round trip; Create() here is the
// plain insert for callers that already have those rows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

class DetectionRepo {
 public:
  explicit DetectionRepo(Pool& pool) : pool_(pool) {}

  // Inserts `event` (its id and, if zero, detected_at are set by the database) and returns the
  // stored row. Missing server or user rows: kConstraintViolation naming the foreign key.
  core::Result<DetectionEvent> Create(const DetectionEvent& event);
  core::Result<std::optional<DetectionEvent>> Find(const Uuid& id);
  // A member's detections in a server, newest first (index detection_events_server_user_time_idx).
  core::Result<std::vector<DetectionEvent>> History(GuildId server, UserId user, int limit = 50);
  // A server's detections with from <= detected_at < to, newest first.
  core::Result<std::vector<DetectionEvent>> InRange(GuildId server, Timestamp from, Timestamp to,
                                                    int limit = 1000);
  // Records what an admin did about the detection. kNotFound for an unknown id.
  core::Result<void> SetAdminAction(const Uuid& id, std::string action, UserId by);

 private:
  Pool& pool_;
};

}  // namespace store::pg

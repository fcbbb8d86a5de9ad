// The detection write of the hot path, in ONE round trip: ensures the server, user and member
// rows, inserts the detection event and, when the verdict flags the user, opens the member's
// verification case (or links the open one), marks the member restricted, stores their recent
// messages and counts this server among those where the user is suspect — a single SQL
// statement with data-modifying CTEs, atomic like any statement.
//
// It replaces the original plan's storeDetectionResult: find-then-write upserts of server, user
// and member, an insert, and an update (8 round trips, not atomic).
//
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

// One of the member's recent messages, stored with a flagged detection (in `messages`).
struct RecentMessage {
  MessageId message_id;
  std::optional<ChannelId> channel_id;
  std::optional<std::string> content;
  std::optional<Timestamp> sent_at;
  bool is_flagged = false;  // the message that triggered the detection
};

struct DetectionWrite {
  GuildId server_id;
  UserId user_id;
  std::optional<std::string> username;          // updates the user's row when set
  std::optional<Timestamp> account_created_at;  // kept if already known
  std::optional<Timestamp> joined_at;           // the member's join date, kept if already known
  std::optional<MessageId> message_id;
  std::optional<ChannelId> channel_id;
  DetectionType detection_type = DetectionType::kMessage;
  double risk = 0.0;
  double confidence = 0.0;
  DetectionLevel level = DetectionLevel::kLow;
  std::vector<std::string> reasons;
  bool used_gpt = false;
  std::string metadata = "{}";
  Timestamp detected_at{};  // zero: the database's now()
  // true: open or link a case (the member's verification status becomes the case's), and, when
  // `restricted`, mark the member restricted with `restriction_reason`. A flag without a
  // restriction is an alert: moderators decide.
  bool flagged = false;
  bool restricted = true;
  std::optional<std::string> restriction_reason;
  // With a flag: the member's recent messages to keep with the case. Also on a flag:
  // users.suspicious_server_count recounted (this server included) and first_flagged_at stamped.
  std::vector<RecentMessage> messages;
};

struct DetectionWriteResult {
  Uuid detection_id;
  std::optional<Uuid> case_id;  // set when flagged
  bool case_opened = false;     // false when the detection joined an open case
};

class DetectionWriter {
 public:
  explicit DetectionWriter(Pool& pool) : pool_(pool) {}

  // One statement, one round trip. If a concurrent write opened the member's case between this
  // statement's snapshot and its insert (a unique violation on verification_events_one_open_case),
  // the statement is retried once and then joins that case.
  core::Result<DetectionWriteResult> Record(const DetectionWrite& w);

 private:
  Pool& pool_;
};

}  // namespace store::pg

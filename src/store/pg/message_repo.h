// messages: stored content of flagged users' messages, kept for a retention period (default
// kDefaultMessageRetention) and then purged. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

// How long stored messages are kept unless a server configures otherwise. A message's age counts
// from sent_at, or from when it was stored if sent_at is unknown.
inline constexpr std::chrono::days kDefaultMessageRetention{7};

class MessageRepo {
 public:
  explicit MessageRepo(Pool& pool) : pool_(pool) {}

  // Stores `message` (its id is set by the database) and returns the stored row. Storing a
  // message that is already stored (same server and message id) is idempotent: the first stored
  // content, time and metadata stay; is_flagged only ever goes from false to true.
  // Missing server or user rows: kConstraintViolation naming the foreign key.
  core::Result<StoredMessage> Store(const StoredMessage& message);
  // Stores `messages` like Store, all in one statement (all or nothing). Messages repeated in the
  // batch are stored once, flagged if any copy is. Returns the rows written: messages inserted
  // plus already-stored ones newly flagged. An empty batch makes no round trip.
  core::Result<std::int64_t> StoreBatch(std::span<const StoredMessage> messages);
  // nullopt when the message is not stored.
  core::Result<std::optional<StoredMessage>> Find(GuildId server, MessageId message);
  // A member's stored messages in a server, newest first by sent_at (stored time when unknown);
  // at most `limit` (>= 0, else kInvalidArgument).
  core::Result<std::vector<StoredMessage>> RecentForUser(GuildId server, UserId user,
                                                         int limit = 50);
  // Deletes every message older than `cutoff` (sent_at, or the stored time when sent_at is
  // unknown), in all servers, and returns how many were deleted. The retention job calls it with
  // clock.Now() - kDefaultMessageRetention.
  core::Result<std::int64_t> PurgeOlderThan(Timestamp cutoff);
  // Deletes every message older than its server's retention (settings key
  // "retention.messages_days", 1-365 days; `default_retention` when unset or invalid), in one
  // statement; returns how many. The bot runs it daily.
  core::Result<std::int64_t> PurgeByRetention(
      std::chrono::days default_retention = kDefaultMessageRetention);

 private:
  Pool& pool_;
};

}  // namespace store::pg

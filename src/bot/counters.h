// Batched counters (issue 5 item 2): clean traffic touches the database only through these. Member
// message counts, the daily analytics of each guild and the LLM calls' gpt_usage rows are summed
// in memory and written every few seconds (Moderator's flush), so a thousand clean messages cost
// one flush, not a thousand statements — and a flush is ONE statement (store::pg::CounterWriter).
//
// Not thread-safe: the I/O executor counts; Take() hands a batch to the database pool, and a batch
// that failed to write is put back with Restore() and goes with the next flush (nothing counted is
// lost while the process lives).
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "store/pg/analytics_repo.h"
#include "store/pg/counter_write.h"
#include "store/pg/gpt_usage_repo.h"
#include "store/pg/member_repo.h"
#include "store/records.h"

namespace bot {

// What one guild-day's analytics row gets.
enum class Count {
  kMessage,
  kJoin,
  kDetection,
  kCaseOpened,
  kBan,
  kKick,
  kVerify,
  kFalsePositive,
  kLlmCall
};

struct CounterBatch {
  std::vector<store::pg::MessageCountDelta> members;
  std::vector<store::AnalyticsDay> days;
  std::vector<store::GptUsage> llm_calls;
  bool empty() const { return members.empty() && days.empty() && llm_calls.empty(); }
};

struct CounterStats {
  std::uint64_t flushes = 0;         // batches written
  std::uint64_t statements = 0;      // database statements they took (CounterWriter: one per flush)
  std::uint64_t failed_flushes = 0;  // batches put back after an error
  std::uint64_t messages_counted = 0;
};

class Counters {
 public:
  void Message(core::GuildId guild, core::UserId user, core::Timestamp at);
  void Add(core::GuildId guild, Count what, core::Timestamp at, std::int64_t n = 1);
  void LlmCall(store::GptUsage usage);

  CounterBatch Take();
  void Restore(CounterBatch batch);
  // Writes a batch in ONE statement, all or nothing (blocking: on the database pool). Returns the
  // statements made: 1, or 0 for an empty batch (no round trip). Written, the batch is emptied;
  // after an error it is left whole: Restore() it.
  static core::Result<int> Write(CounterBatch& batch, store::pg::CounterWriter& writer);
  // Counts a batch written with `statements` statements.
  void Written(int statements) {
    ++stats_.flushes;
    stats_.statements += static_cast<std::uint64_t>(statements);
  }
  void Failed() { ++stats_.failed_flushes; }

  const CounterStats& stats() const { return stats_; }

 private:
  std::map<std::pair<std::uint64_t, std::uint64_t>, store::pg::MessageCountDelta> members_;
  std::map<std::pair<std::uint64_t, int>, store::AnalyticsDay> days_;  // (guild, days since epoch)
  std::vector<store::GptUsage> llm_calls_;
  CounterStats stats_;
};

}  // namespace bot

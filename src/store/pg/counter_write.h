// The batched counters' flush in ONE round trip (issue 5): members' message counts, the guilds'
// daily analytics and the LLM calls' gpt_usage rows, written by a single SQL statement with
// data-modifying CTEs — atomic like any statement: all of it is written or none of it.
//
// It replaces three statements (MemberRepo::AddMessageCounts, AnalyticsRepo::Add and
// GptUsageRepo::RecordBatch) and keeps their semantics:
//   - missing server rows (of any part), user rows (of the member counts and of the gpt_usage
//     rows that name a user) and member rows are created;
//   - message counts are added to the member's row, and the latest last_message_at kept;
//   - analytics counters are added to the (server, date) row, its `metrics` object merged with
//     `||` (top-level keys of the delta replace stored ones, later deltas winning);
//   - gpt_usage rows are inserted (a zero timestamp becomes the database's now()).
// Deltas for the same member or the same (server, date) are combined first. Rows are locked in
// key order, so concurrent writers (from any number of processes) cannot deadlock on each other,
// and none of their increments is lost.
//
// Thread-safe.
#pragma once

#include <span>

#include "core/result.h"
#include "store/pg/member_repo.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

// Rows the statement inserted or updated, per table.
struct CounterWriteResult {
  int members = 0;
  int days = 0;
  int llm_calls = 0;
  int statements = 0;  // 1, or 0 for an empty batch (no round trip)
};

class CounterWriter {
 public:
  explicit CounterWriter(Pool& pool) : pool_(pool) {}

  // One statement, one round trip (plus its preparation, the first time a connection sees it).
  // Empty parts are left out; an all-empty batch makes no round trip. Refusals, and nothing is
  // written: a negative message count or a non-finite cost_usd is kInvalidArgument, a negative
  // analytics counter kConstraintViolation ("analytics_counts_nonnegative"), metrics that are
  // not a JSON object kInvalidArgument, a counter summing above 2^31-1 kInvalidArgument, and the
  // gpt_usage CHECKs (tokens, latency, cost, model) kConstraintViolation naming the constraint.
  core::Result<CounterWriteResult> Write(std::span<const MessageCountDelta> members,
                                         std::span<const AnalyticsDay> days,
                                         std::span<const GptUsage> llm_calls);

 private:
  Pool& pool_;
};

}  // namespace store::pg

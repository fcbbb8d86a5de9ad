// gpt_usage: one row per LLM call, for cost and latency monitoring and per-server daily budgets.
// Thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

// A server's LLM calls over a period. Failed calls count too: they were made (and may be billed).
struct GptUsageTotals {
  std::int64_t calls = 0;
  std::int64_t total_tokens = 0;
  double cost_usd = 0.0;  // calls with an unknown cost count as 0
};

class GptUsageRepo {
 public:
  explicit GptUsageRepo(Pool& pool) : pool_(pool) {}

  // Inserts `usage` and returns the stored row. Its id is set by the database; so is its
  // timestamp when zero. Negative token counts: kConstraintViolation
  // ("gpt_usage_tokens_nonnegative"); likewise gpt_usage_latency_nonnegative,
  // gpt_usage_cost_nonnegative and gpt_usage_model_nonempty. A server or user without a row:
  // kConstraintViolation naming the foreign key. cost_usd is stored with 6 decimals.
  core::Result<GptUsage> Record(const GptUsage& usage);
  // Inserts every row of `usages` like Record, in one statement (all or nothing). An empty batch
  // makes no round trip.
  core::Result<void> RecordBatch(std::span<const GptUsage> usages);
  // The server's calls with timestamp >= since (the daily budget check: since = start of the day).
  core::Result<std::int64_t> CountSince(GuildId server, Timestamp since);
  // Calls, tokens and cost of the server's calls with timestamp >= since.
  core::Result<GptUsageTotals> TotalsSince(GuildId server, Timestamp since);

 private:
  Pool& pool_;
};

}  // namespace store::pg

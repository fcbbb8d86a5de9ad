// analytics: one row of daily counters per server and day (UTC date), added to atomically.
// Thread-safe; concurrent Add() calls, from any number of processes, lose no increments.
#pragma once

#include <optional>
#include <vector>

#include "core/result.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

class AnalyticsRepo {
 public:
  explicit AnalyticsRepo(Pool& pool) : pool_(pool) {}

  // Adds each delta's counters to the row of its (server, date), creating the row if absent, all
  // in one statement (all or nothing). Deltas for the same (server, date) are summed first.
  // `metrics` (a JSON object) is merged into the stored object: top-level keys of the delta
  // replace stored ones, later deltas winning over earlier ones. Counters only grow: a negative
  // delta is kConstraintViolation ("analytics_counts_nonnegative", as the schema's CHECK, which
  // judges the proposed row before the conflict, would answer), and nothing is written. Counters
  // are 32-bit in the schema: a sum above 2^31-1 is kInvalidArgument. A server without a row:
  // kConstraintViolation naming the foreign key. An empty batch makes no round trip.
  core::Result<void> Add(const std::vector<AnalyticsDay>& deltas);
  // nullopt when nothing was counted for the server that day.
  core::Result<std::optional<AnalyticsDay>> Get(GuildId server, Date date);
  // The server's rows with from <= date <= to, oldest first; days without a row are absent.
  core::Result<std::vector<AnalyticsDay>> Range(GuildId server, Date from, Date to);

 private:
  Pool& pool_;
};

}  // namespace store::pg

// Row counts of the antispam tables, for summaries and health output. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/pg/pool.h"

namespace store::pg {

// (table, exact row count) for each table of the schema, in schema order.
core::Result<std::vector<std::pair<std::string, std::int64_t>>> TableRowCounts(Pool& pool);

}  // namespace store::pg

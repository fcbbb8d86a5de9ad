// The demo of the foundation: writes a sample guild through the repositories and prints what
// the database now holds. (Later issues turn it into the simulated Discord day.)
#pragma once

#include <cstdio>

#include "core/result.h"
#include "store/pg/pool.h"

namespace app {

// Writes the sample guild (idempotent per run: ids derive from the run's start time) and prints
// a summary to `out`.
core::Result<void> RunDemo(store::pg::Pool& pool, std::FILE* out);

}  // namespace app

#include "store/pg/pool.h"

#include <gtest/gtest.h>

#include "store/pg/detail/session.h"
#include "store/pg/testing/pg_harness.h"

namespace store::pg {
namespace {

using testing::PgTest;

class PoolTest : public PgTest {};

TEST_F(PoolTest, PingsARealServer) {
  auto r = pool().Ping();
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
}

}  // namespace
}  // namespace store::pg

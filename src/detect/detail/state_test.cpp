#include "detect/detail/state.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <unordered_map>

namespace detect::detail {
namespace {

TEST(MemberTableTest, AgreesWithAMapThroughGrowthAndErasure) {
  MemberTable table;
  std::unordered_map<std::uint64_t, Tick> expected;
  std::mt19937_64 rng(3);
  // Snowflake-like ids: a timestamp in the high bits, small counters in the low ones.
  auto id = [&](std::uint64_t n) { return (n << 22) | (n % 7); };
  for (std::uint64_t n = 1; n <= 5000; ++n) {
    const std::uint64_t key = id(rng() % 3000 + 1);
    MemberState& m = table[key];
    m.last = static_cast<Tick>(n);
    expected[key] = static_cast<Tick>(n);
    if (n % 1000 == 0) {
      // Drop the older half, as Expire does.
      const Tick cut = static_cast<Tick>(n - 500);
      table.EraseIf([&](const MemberState& s) { return s.last < cut; });
      std::erase_if(expected, [&](const auto& kv) { return kv.second < cut; });
    }
    ASSERT_EQ(table.size(), expected.size()) << n;
  }
  for (const auto& [key, last] : expected) {
    const std::size_t before = table.size();
    EXPECT_EQ(table[key].last, last);
    EXPECT_EQ(table.size(), before);  // found, not added
  }
  // A new member starts zeroed.
  EXPECT_EQ(table[id(999999)].seen, 0);
  EXPECT_EQ(table[id(999999)].last, 0u);
}

TEST(MemberTableTest, MemoryFollowsTheMembersHeld) {
  MemberTable table;
  for (std::uint64_t n = 1; n <= 1000; ++n) table[n << 22].last = 1;
  // Dense states plus ids plus the index: well under the 256 bytes a member may cost.
  EXPECT_LT(table.bytes() / table.size(), 200u);
  table.EraseIf([](const MemberState&) { return true; });
  EXPECT_EQ(table.size(), 0u);
  EXPECT_LT(table.bytes(), 1024u);  // given back, not kept at the peak
}

}  // namespace
}  // namespace detect::detail

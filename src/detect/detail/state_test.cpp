#include "detect/detail/state.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
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

// The probe as first written, slot by slot: the reference for RaidTexts::Find.
std::size_t ReferenceFind(RaidTexts& t, std::uint64_t print, Tick now, Tick window) {
  const std::size_t home = RaidTexts::Home(print);
  std::size_t victim = RaidTexts::kSlots;
  bool victim_free = false;
  for (std::size_t i = 0; i < RaidTexts::kProbe; ++i) {
    const std::size_t at = (home + i) % RaidTexts::kSlots;
    if (t.prints[at] == print) return at;
    const bool free = t.prints[at] == 0 || now < t.lasts[at] || now - t.lasts[at] >= window;
    if (free) {
      if (!victim_free) {
        victim = at;
        victim_free = true;
      }
    } else if (victim == RaidTexts::kSlots || (!victim_free && t.lasts[at] < t.lasts[victim])) {
      victim = at;
    }
  }
  t.prints[victim] = print;
  t.lasts[victim] = now;
  t.senders[victim] = RaidSenders{};
  t.senders[victim].first = now;
  return victim;
}

TEST(RaidTextsTest, FindAgreesWithASlotBySlotProbe) {
  // Few distinct prints over a small table, clocks that jump back and forth and short windows:
  // every branch (found, free, expired, stalest, a time before the slot's) is taken many times.
  auto got = std::make_unique<RaidTexts>();
  auto want = std::make_unique<RaidTexts>();
  std::mt19937_64 rng(11);
  Tick now = 1000;
  std::size_t stalest = 0;
  for (int n = 0; n < 200000; ++n) {
    // Fingerprints that share their low or their high 32 bits with others, so that a compare of
    // half of one cannot pass for a compare of the whole.
    const std::uint64_t print = ((rng() % 20) << 32 | (rng() % 20)) + 1;
    now =
        rng() % 50 == 0 ? now - static_cast<Tick>(rng() % 100) : now + static_cast<Tick>(rng() % 3);
    const Tick window = static_cast<Tick>(rng() % 200 + 1);
    std::size_t in_use = 0;
    for (std::size_t i = 0; i < RaidTexts::kProbe; ++i) {
      const std::size_t at = (RaidTexts::Home(print) + i) % RaidTexts::kSlots;
      in_use += want->prints[at] != 0 && want->prints[at] != print && now >= want->lasts[at] &&
                now - want->lasts[at] < window;
    }
    stalest += in_use == RaidTexts::kProbe;
    const std::size_t a = got->Find(print, now, window);
    const std::size_t b = ReferenceFind(*want, print, now, window);
    ASSERT_EQ(a, b) << n;
    ASSERT_EQ(got->prints, want->prints) << n;
    ASSERT_EQ(got->lasts, want->lasts) << n;
    ASSERT_EQ(got->senders[a].first, want->senders[b].first) << n;
  }
  EXPECT_GT(stalest, 1000u);  // the no-free-slot case was exercised
}

}  // namespace
}  // namespace detect::detail

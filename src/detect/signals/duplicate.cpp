// duplicate: one member sending the same message again and again. "The same" compares the
// message's letters only (its skeleton without digits, punctuation, spaces or invisibles), so
// "buy now 1", "BUY  NOW!! 2" and "bսy now 3" are one message.
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

namespace {
[[gnu::cold, gnu::noinline]] void Fire(int same, const PolicyData& p, Findings& f) {
  const double over = static_cast<double>(same - p.duplicate_count) / p.duplicate_count;
  f.Fire(SignalCode::kDuplicate, std::min(1.0, 0.7 + 0.3 * over),
         Format(FMT_COMPILE("the same message {} times in {} s"), same, p.duplicate_window.count()),
         std::to_string(same));
}
}  // namespace

void CheckDuplicate(const MessageContext& c, Findings& f) {
  if (c.letters_hash == 0) return;
  MemberState& m = c.member;
  const PolicyData& p = c.policy.data();
  const Tick window = Ticks(p.duplicate_window);
  const auto print = static_cast<std::uint32_t>(c.letters_hash);
  int same = 1;  // this one
  for (std::size_t i = 0; i < m.hash_count; ++i) {
    if (m.hashes[i] == print && m.hash_times[i] <= c.now && c.now - m.hash_times[i] < window) {
      ++same;
    }
  }
  m.hashes[m.hash_head] = print;
  m.hash_times[m.hash_head] = c.now;
  m.hash_head = static_cast<std::uint8_t>((m.hash_head + 1) % MemberState::kHashes);
  if (m.hash_count < MemberState::kHashes) ++m.hash_count;
  if (same >= p.duplicate_count) Fire(same, p, f);
}

}  // namespace detect::detail

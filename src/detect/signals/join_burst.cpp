// join_burst: join_burst.joins members joining within join_burst.window_seconds puts the guild in
// raid mode for one window: this joiner and every earlier joiner still in the window are marked
// (the earlier ones come back in Verdict::raid_members, once).
#include <fmt/compile.h>
#include <fmt/format.h>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

void CheckJoinBurst(const JoinContext& c, Findings& f, std::vector<core::UserId>& raid_members) {
  JoinWindow& j = c.guild.joins;
  const PolicyData& p = c.policy.data();
  const Tick window = Ticks(p.join_burst_window);
  j.users[j.head] = c.sample.user.id.value();
  j.times[j.head] = c.now;
  j.head = static_cast<std::uint8_t>((j.head + 1) % JoinWindow::kJoins);
  if (j.count < JoinWindow::kJoins) ++j.count;

  int recent = 0;
  for (std::size_t i = 0; i < j.count; ++i) {
    if (j.times[i] <= c.now && c.now - j.times[i] < window) ++recent;
  }
  const bool in_raid = c.now < j.raid_until;
  if (recent < p.join_burst_joins && !in_raid) return;
  if (!in_raid) {
    // Raid mode starts: report everyone already in the window.
    for (std::size_t i = 0; i < j.count; ++i) {
      if (j.users[i] != c.sample.user.id.value() && j.times[i] <= c.now &&
          c.now - j.times[i] < window) {
        raid_members.emplace_back(j.users[i]);
      }
    }
  }
  j.raid_until = c.now + window;
  f.Fire(
      SignalCode::kJoinBurst, 1.0,
      Format(FMT_COMPILE("{} joins within {} s: raid mode"), recent, p.join_burst_window.count()),
      std::to_string(recent));
}

}  // namespace detect::detail

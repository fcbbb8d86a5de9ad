// message_rate: more than rate.max_messages messages from one member within rate.window_seconds
// (drasil's ">5 in 10 s", per guild). The member's last 16 message times are kept in a ring.
#include <fmt/format.h>

#include <algorithm>

#include "detect/detail/context.h"

namespace detect::detail {

void CheckMessageRate(const MessageContext& c, Findings& f) {
  MemberState& m = c.member;
  m.times[m.time_head] = c.now;
  m.time_head = static_cast<std::uint8_t>((m.time_head + 1) % MemberState::kTimes);
  if (m.time_count < MemberState::kTimes) ++m.time_count;

  const PolicyData& p = c.policy.data();
  const Tick window = Ticks(p.rate_window);
  int in_window = 0;
  for (std::size_t i = 0; i < m.time_count; ++i) {
    const Tick t = m.times[i];
    if (t <= c.now && c.now - t < window) ++in_window;
  }
  if (in_window <= p.rate_max_messages) return;
  const double over =
      static_cast<double>(in_window - p.rate_max_messages - 1) / p.rate_max_messages;
  f.Fire(SignalCode::kMessageRate, std::min(1.0, 0.8 + 0.2 * over),
         fmt::format("{} messages in {} s (limit {})", in_window, p.rate_window.count(),
                     p.rate_max_messages),
         std::to_string(in_window));
}

}  // namespace detect::detail

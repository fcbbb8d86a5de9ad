// history: what the caller knows about the member. Prior detections raise risk; prior false
// positives (an admin said we were wrong) and a good reputation lower it. One signal, positive or
// negative, with weight.history as its scale.
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

namespace {
// Out of line, so that the common case (no history) costs no more than its test.
[[gnu::noinline]] void Weigh(const Author& a, Findings& f) {
  const double reputation = std::clamp(a.reputation, -1.0, 1.0);
  double s = 0;
  s += std::min(0.6, 0.2 * std::max(0, a.prior_detections - a.prior_false_positives));
  s -= std::min(0.8, 0.4 * std::max(0, a.prior_false_positives));
  s -= 0.6 * std::max(0.0, reputation);
  s += 0.4 * std::max(0.0, -reputation);
  s = std::clamp(s, -1.0, 1.0);
  if (s == 0) return;
  f.Fire(
      SignalCode::kHistory, s,
      Format(FMT_COMPILE("{} earlier detections, {} false positives, reputation {:.2f}"),
             a.prior_detections, a.prior_false_positives, reputation),
      Format(FMT_COMPILE("{}/{}/{:.2f}"), a.prior_detections, a.prior_false_positives, reputation));
}
}  // namespace

void CheckHistory(const Author& a, Findings& f) {
  if (a.prior_detections > 0 || a.prior_false_positives > 0 || a.reputation != 0) Weigh(a, f);
}

}  // namespace detect::detail

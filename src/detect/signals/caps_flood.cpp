// caps_flood: a long message mostly in capitals (ASCII letters of the text as sent).
#include <fmt/compile.h>
#include <fmt/format.h>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

namespace {
[[gnu::cold, gnu::noinline]] void Fire(const TextShape& s, double ratio, Findings& f) {
  f.Fire(SignalCode::kCapsFlood, 1.0, Format(FMT_COMPILE("{:.0f}% capitals"), ratio * 100),
         Format(FMT_COMPILE("{}/{}"), s.upper, s.letters));
}
}  // namespace

void CheckCapsFlood(const MessageContext& c, Findings& f) {
  const PolicyData& p = c.policy.data();
  const TextShape& s = c.norm.shape;
  if (s.letters < p.caps_min_letters) return;
  const double ratio = static_cast<double>(s.upper) / s.letters;
  if (ratio >= p.caps_ratio) Fire(s, ratio, f);
}

}  // namespace detect::detail

// caps_flood: a long message mostly in capitals.
#include <fmt/format.h>

#include "detect/detail/context.h"

namespace detect::detail {

void CheckCapsFlood(const MessageContext& c, Findings& f) {
  const PolicyData& p = c.policy.data();
  int upper = 0, letters = 0;
  for (char ch : c.sample.text) {
    if (ch >= 'A' && ch <= 'Z') {
      ++upper;
      ++letters;
    } else if (ch >= 'a' && ch <= 'z') {
      ++letters;
    }
  }
  if (letters < p.caps_min_letters) return;
  const double ratio = static_cast<double>(upper) / letters;
  if (ratio < p.caps_ratio) return;
  f.Fire(SignalCode::kCapsFlood, 1.0, fmt::format("{:.0f}% capitals", ratio * 100),
         std::to_string(upper) + "/" + std::to_string(letters));
}

}  // namespace detect::detail

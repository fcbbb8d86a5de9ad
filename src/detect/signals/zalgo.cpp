// zalgo: text drowned in stacked combining marks (U+0300-U+036F, U+1AB0-U+1AFF, U+1DC0-U+1DFF,
// U+20D0-U+20FF, U+FE20-U+FE2F), counted in the text as sent.
#include <fmt/format.h>

#include "detect/detail/context.h"

namespace detect::detail {

void CheckZalgo(const MessageContext& c, Findings& f) {
  const std::string_view t = c.sample.text;
  int marks = 0;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(t[i]);
    const auto b1 = static_cast<unsigned char>(t[i + 1]);
    if ((b0 == 0xCC && b1 >= 0x80) || (b0 == 0xCD && b1 <= 0xAF)) {
      ++marks;  // U+0300..U+036F
      ++i;
    } else if (i + 2 < t.size() && (b0 == 0xE1 || b0 == 0xE2 || b0 == 0xEF)) {
      const auto b2 = static_cast<unsigned char>(t[i + 2]);
      const unsigned cp = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
      if ((cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
          (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F)) {
        ++marks;
        i += 2;
      }
    }
  }
  if (marks < c.policy.data().zalgo_marks) return;
  f.Fire(SignalCode::kZalgo, 1.0, fmt::format("{} stacked combining marks", marks),
         std::to_string(marks));
}

}  // namespace detect::detail

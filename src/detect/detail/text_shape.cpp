#include "detect/detail/context.h"

namespace detect::detail {

TextShape ShapeOf(std::string_view t) {
  TextShape s;
  // Branch-free, so the compiler can vectorise it: most messages are short ASCII.
  unsigned upper = 0, letters = 0, high = 0;
  for (char ch : t) {
    const auto c = static_cast<unsigned char>(ch);
    upper += static_cast<unsigned char>(c - 'A') < 26u;
    letters += static_cast<unsigned char>((c | 0x20u) - 'a') < 26u;
    high |= c;
  }
  s.upper = static_cast<std::int32_t>(upper);
  s.letters = static_cast<std::int32_t>(letters);
  const bool non_ascii = (high & 0x80u) != 0;
  // Custom emoji: <:name:id> and <a:name:id>.
  for (std::size_t at = t.find("<"); at != std::string_view::npos; at = t.find('<', at + 1)) {
    if (at + 2 < t.size() && (t[at + 1] == ':' || (t[at + 1] == 'a' && t[at + 2] == ':')))
      ++s.emoji;
  }
  if (!non_ascii) return s;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(t[i]);
    if (b0 < 0xC0) continue;
    const auto b1 = i + 1 < t.size() ? static_cast<unsigned char>(t[i + 1]) : 0;
    if ((b0 == 0xCC && b1 >= 0x80) || (b0 == 0xCD && b1 >= 0x80 && b1 <= 0xAF)) {
      ++s.marks;  // U+0300..U+036F
    } else if (b0 == 0xF0 && b1 == 0x9F) {
      ++s.emoji;  // U+1F000..U+1FFFF
    } else if (b0 == 0xE2 && b1 >= 0x98 && b1 <= 0x9E) {
      ++s.emoji;  // U+2600..U+27BF
    } else if ((b0 == 0xE1 || b0 == 0xE2 || b0 == 0xEF) && i + 2 < t.size()) {
      const auto b2 = static_cast<unsigned char>(t[i + 2]);
      const unsigned cp = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
      if ((cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
          (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F)) {
        ++s.marks;
      }
    }
  }
  return s;
}

}  // namespace detect::detail

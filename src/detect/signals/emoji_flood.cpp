// emoji_flood: many emoji in one message: pictographs (U+1F000-U+1FAFF, U+2600-U+27BF) and
// Discord custom emoji (<:name:id>, <a:name:id>).
#include <fmt/format.h>

#include "detect/detail/context.h"

namespace detect::detail {

void CheckEmojiFlood(const MessageContext& c, Findings& f) {
  const std::string_view t = c.sample.text;
  int n = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(t[i]);
    if (b0 == 0xF0 && i + 1 < t.size()) {
      const auto b1 = static_cast<unsigned char>(t[i + 1]);
      if (b1 == 0x9F) ++n;  // U+1F000..U+1FFFF
    } else if (b0 == 0xE2 && i + 1 < t.size()) {
      const auto b1 = static_cast<unsigned char>(t[i + 1]);
      if (b1 >= 0x98 && b1 <= 0x9E) ++n;  // U+2600..U+27BF
    } else if (b0 == '<' && i + 2 < t.size() &&
               (t[i + 1] == ':' || (t[i + 1] == 'a' && t[i + 2] == ':'))) {
      ++n;
    }
  }
  if (n < c.policy.data().emoji_count) return;
  f.Fire(SignalCode::kEmojiFlood, 1.0, fmt::format("{} emoji", n), std::to_string(n));
}

}  // namespace detect::detail

// emoji_flood: many emoji in one message: pictographs (U+1F000-U+1FFFF, U+2600-U+27BF) and
// Discord custom emoji (<:name:id>, <a:name:id>), counted in one pass (TextShape).
#include <fmt/compile.h>
#include <fmt/format.h>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

namespace {
[[gnu::cold, gnu::noinline]] void Fire(int n, Findings& f) {
  f.Fire(SignalCode::kEmojiFlood, 1.0, Format(FMT_COMPILE("{} emoji"), n), std::to_string(n));
}
}  // namespace

void CheckEmojiFlood(const MessageContext& c, Findings& f) {
  const int n = c.norm.shape.emoji;
  if (n >= c.policy.data().emoji_count) Fire(n, f);
}

}  // namespace detect::detail

// everyone_mention: @everyone or @here, whether Discord resolved it (the author has the right) or
// the text only tries it (a common scam opener even without the right).
#include "detect/detail/context.h"

namespace detect::detail {

namespace {
[[gnu::noinline]] void Look(const MessageContext& c, Findings& f) {
  const std::string& t = c.norm.text;
  const bool attempt =
      t.find("@everyone") != std::string::npos || t.find("@here") != std::string::npos;
  if (!attempt && !c.sample.mentions_everyone) return;
  f.Fire(
      SignalCode::kEveryoneMention, 1.0,
      c.sample.mentions_everyone ? "mentions @everyone/@here" : "tries to mention @everyone/@here",
      t.find("@everyone") != std::string::npos ? "@everyone" : "@here");
}

}  // namespace

void CheckEveryoneMention(const MessageContext& c, Findings& f) {
  // Most messages have no '@' (the normaliser noted whether there is one).
  if (c.sample.mentions_everyone || c.norm.has_at) Look(c, f);
}
}  // namespace detect::detail

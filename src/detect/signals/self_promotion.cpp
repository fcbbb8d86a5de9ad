// self_promotion: the message asks readers to subscribe to, follow, like, share or visit the
// writer's own channel or page ("sub to my channel", "check out my new video", "sub4sub"), from
// data/self-promotion.txt, matched as whole words on the skeleton in the same scan as the scam
// phrases. With the default weight one clear phrase ("sub to my channel"), alone or with a link,
// reaches an alert for the admins (servers often allow self-promotion in one channel and not
// elsewhere); several phrases with a link restrict. Hints ("check out my", "my channel") are
// ordinary chat too: alone they stay below an alert and only add to other evidence.
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

namespace {
[[gnu::noinline]] void Look(const MessageContext& c, Findings& f) {
  const auto& clear = c.hits.promotion;
  const auto& hints = c.hits.promotion_hints;
  if (clear.empty() && hints.empty()) return;
  std::string evidence;
  for (const auto* list : {&clear, &hints}) {
    for (const std::string* p : *list) {
      if (!evidence.empty()) evidence += " | ";
      evidence += *p;
    }
  }
  // A clear ask 0.6 (a hint 0.3), each further clear ask 0.15, each further hint 0.05, a link 0.2.
  const double more_clear = clear.empty() ? 0.0 : static_cast<double>(clear.size() - 1);
  const double more_hints =
      static_cast<double>(hints.size()) - (clear.empty() && !hints.empty() ? 1.0 : 0.0);
  const double strength =
      std::min(1.0, (clear.empty() ? 0.3 : 0.6) + 0.15 * more_clear + 0.05 * more_hints +
                        (c.links.links.empty() ? 0.0 : 0.2));
  const std::string& first = clear.empty() ? *hints.front() : *clear.front();
  f.Fire(SignalCode::kSelfPromotion, strength, Format(FMT_COMPILE("self-promotion: \"{}\""), first),
         evidence);
}

}  // namespace

void CheckSelfPromotion(const MessageContext& c, Findings& f) {
  if (!c.hits.promotion.empty() || !c.hits.promotion_hints.empty()) Look(c, f);
}
}  // namespace detect::detail

#include "detect/detail/context.h"

namespace detect::detail {

void FindTextHits(std::string_view skeleton, const CompiledPolicy& policy, const Lists& lists,
                  TextHits& out) {
  constexpr std::size_t kLimit = 4;
  out.phrases.clear();
  out.keywords.clear();
  out.promotion.clear();
  out.promotion_hints.clear();
  const PhraseMatcher& shared = lists.phrases();
  const bool shared_keywords = policy.default_keywords();
  shared.ScanInto(skeleton, kLimit, out.ids);
  for (const std::uint32_t id : out.ids) {
    const std::size_t group = shared.group(id);
    if (group == Lists::kScamPhraseGroup) {
      out.phrases.push_back(&shared.pattern(id));
    } else if (group == Lists::kDefaultKeywordGroup && shared_keywords) {
      out.keywords.push_back(&shared.pattern(id));
    } else if (group == Lists::kSelfPromotionGroup) {
      out.promotion.push_back(&shared.pattern(id));
    } else if (group == Lists::kSelfPromotionHintGroup) {
      out.promotion_hints.push_back(&shared.pattern(id));
    }
  }
  if (!shared_keywords) {
    policy.keywords().ScanInto(skeleton, kLimit, out.ids);
    for (const std::uint32_t id : out.ids) out.keywords.push_back(&policy.keywords().pattern(id));
  }
}

}  // namespace detect::detail

// keyword: the policy's suspicious keywords (drasil's defaults plus the guild's own), matched on
// the normalised skeleton as whole words through one compiled matcher, and, when the message
// spaces its letters out ("f r e e  n i t r o"), on the joined letters. One keyword is a weak hint
// (ordinary people say "gift card"); several together are stronger.
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

namespace {
[[gnu::noinline]] void Look(const MessageContext& c, Findings& f) {
  std::vector<const std::string*> spaced_out;
  const std::vector<const std::string*>* found = &c.hits.keywords;
  bool spaced = false;
  if (found->empty() && c.norm.lone_chars >= 3) {
    const std::string joined = JoinSpacedLetters(c.norm.skeleton);
    if (!joined.empty()) {
      for (auto i : c.policy.compact_keywords().Scan(joined, 4)) {
        spaced_out.push_back(&c.policy.compact_keywords().pattern(i));
        spaced = true;
      }
      found = &spaced_out;
    }
  }
  if (found->empty()) return;
  std::string evidence;
  for (const std::string* k : *found) {
    if (!evidence.empty()) evidence += ", ";
    evidence += *k;
  }
  // A keyword next to a link to somewhere not trusted is the shape of a scam ("free nitro:
  // https://…"): full strength.
  bool untrusted_link = false;
  for (std::size_t i = 0; i < c.links.links.size(); ++i) untrusted_link |= !c.Trusted(i);
  const double strength = std::min(
      1.0, 0.6 + 0.2 * static_cast<double>(found->size() - 1) + (untrusted_link ? 0.4 : 0.0));
  f.Fire(
      SignalCode::kKeyword, strength,
      Format(FMT_COMPILE("suspicious keyword{}{}{}: {}"), found->size() > 1 ? "s" : "",
             spaced ? " (letters spaced out)" : "", untrusted_link ? " with a link" : "", evidence),
      evidence);
}

}  // namespace

void CheckKeywords(const MessageContext& c, Findings& f) {
  if (!c.hits.keywords.empty() || c.norm.lone_chars >= 3) Look(c, f);
}
}  // namespace detect::detail

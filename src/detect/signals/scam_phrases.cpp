// scam_phrase: phrases from the scam phrase lists (data/scam-phrases), matched on the skeleton as
// whole words. A phrase counts by how specific it is: a whole scam sentence fully, a two-word
// fragment ("by steam", "to earn") only a little; several phrases add up. scam_link_path: a link
// (to a host that is not trusted) whose path contains a fragment scam sites use (/claim-nitro,
// /airdrop).
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

namespace {
[[gnu::noinline]] void Look(const MessageContext& c, Findings& f) {
  const auto& hits = c.hits.phrases;
  if (!hits.empty()) {
    std::string evidence;
    for (const std::string* p : hits) {
      if (!evidence.empty()) evidence += " | ";
      evidence += *p;
    }
    std::size_t longest = 0;
    for (const std::string* p : hits) longest = std::max(longest, p->size());
    const double specific = std::clamp(static_cast<double>(longest) / 20.0, 0.3, 1.0);
    f.Fire(SignalCode::kScamPhrase,
           std::min(1.0, specific + 0.2 * static_cast<double>(hits.size() - 1)),
           Format(FMT_COMPILE("known scam wording: \"{}\""), *hits.front()), evidence);
  }
  for (std::size_t i = 0; i < c.links.links.size(); ++i) {
    const Link& l = c.links.links[i];
    if (l.path.empty() || c.Trusted(i)) continue;
    const auto paths = c.lists.scam_paths().Scan(l.path, 1);
    if (!paths.empty()) {
      f.Fire(SignalCode::kScamLinkPath, 1.0,
             Format(FMT_COMPILE("link path used by scam sites: {}"),
                    c.lists.scam_paths().pattern(paths[0])),
             l.host + l.path);
      return;
    }
  }
}

}  // namespace

void CheckScamPhrases(const MessageContext& c, Findings& f) {
  if (!c.hits.phrases.empty() || !c.links.links.empty()) Look(c, f);
}
}  // namespace detect::detail

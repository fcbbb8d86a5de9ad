// masked_link_mismatch: a markdown masked link whose shown text names a host (or looks like a link)
// other than where it goes: [discord.com/nitro](https://evil.example).
#include "detect/detail/context.h"

namespace detect::detail {

void CheckMaskedLink(const MessageContext& c, Findings& f) {
  for (const Link& l : c.links.links) {
    if (!l.masked) continue;
    // The shown text, read as a link of its own (any suffix counts: a scheme-less host is enough).
    const LinkScan shown = ExtractLinks(l.shown, c.lists.tlds(), 1);
    if (shown.links.empty()) continue;
    const std::string& shown_host = shown.links.front().host;
    auto registrable_match = [](std::string_view a, std::string_view b) {
      // Same host, or one is a subdomain of the other.
      return a == b ||
             (a.size() > b.size() && a.ends_with(b) && a[a.size() - b.size() - 1] == '.') ||
             (b.size() > a.size() && b.ends_with(a) && b[b.size() - a.size() - 1] == '.');
    };
    if (registrable_match(shown_host, l.host)) continue;
    f.Fire(SignalCode::kMaskedLinkMismatch, 1.0,
           "a link shown as " + shown_host + " goes to " + l.host, shown_host + " -> " + l.host);
    return;
  }
}

}  // namespace detect::detail

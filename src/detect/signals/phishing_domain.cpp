// phishing_domain / suspicious_domain: a link whose host (exactly, or as a subdomain), host glob or
// host + path prefix is on the reference lists (data/phishing-domains).
#include "detect/detail/context.h"

namespace detect::detail {

void CheckPhishingDomain(const MessageContext& c, Findings& f) {
  bool suspicious = false;
  for (const Link& l : c.links.links) {
    const HostVerdict v = c.lists.CheckLink(l, c.hosts.Listing(l.host, c.lists));
    if (v.kind == HostVerdict::Kind::kPhishing) {
      f.Fire(SignalCode::kPhishingDomain, 1.0, "links to a known phishing site", v.entry);
      return;
    }
    if (v.kind == HostVerdict::Kind::kSuspicious && !suspicious) {
      suspicious = true;
      f.Fire(SignalCode::kSuspiciousDomain, 1.0, "links to a site reported as suspicious", v.entry);
    }
  }
}

}  // namespace detect::detail

// lookalike_domain: a link to a host that imitates a brand scammers impersonate (Discord, Steam,
// Roblox, Epic) but is not one of the policy's trusted hosts: `dіscord.com` with a Cyrillic і,
// `disc0rd-nitro.example`, `dlscord.gift`, `steamcommunlty.ru`. The host is compared in skeleton
// form (look-alikes and leetspeak undone; `rn` read as `m`, `cl` as `d`, `vv` as `w`), as a whole
// and per label, by containment and by one edit for the longer brand names.
#include <idn2.h>

#include <algorithm>
#include <array>
#include <string>

#include "detect/detail/context.h"

namespace detect::detail {
namespace {

struct Brand {
  std::string_view name;
  int max_edits;  // 0: containment only (short names collide with ordinary words)
};
constexpr std::array<Brand, 7> kBrands{{{"discord", 1},
                                        {"discordapp", 1},
                                        {"steamcommunity", 2},
                                        {"steampowered", 2},
                                        {"roblox", 0},
                                        {"epicgames", 1},
                                        {"discordnitro", 1}}};

// Optimal string alignment distance, stopping early above `limit`.
int EditDistance(std::string_view a, std::string_view b, int limit) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  if (std::abs(n - m) > limit) return limit + 1;
  std::array<std::array<int, 33>, 33> d;  // every cell read is written first
  if (n > 32 || m > 32) return limit + 1;
  for (int i = 0; i <= n; ++i) d[i][0] = i;
  for (int j = 0; j <= m; ++j) d[0][j] = j;
  for (int i = 1; i <= n; ++i) {
    for (int j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// The index of the brand a piece of host imitates, or -1.
int Imitates(std::string_view s) {
  for (std::size_t k = 0; k < kBrands.size(); ++k) {
    const Brand& b = kBrands[k];
    if (s.find(b.name) != std::string_view::npos) return static_cast<int>(k);
    if (b.max_edits == 0) continue;
    // Any window of the brand's length +-1 within one or two edits.
    const int len = static_cast<int>(b.name.size());
    for (int w = len - 1; w <= len + 1; ++w) {
      if (w <= 0 || w > static_cast<int>(s.size())) continue;
      for (std::size_t i = 0; i + static_cast<std::size_t>(w) <= s.size(); ++i) {
        if (EditDistance(s.substr(i, static_cast<std::size_t>(w)), b.name, b.max_edits) <=
            b.max_edits) {
          return static_cast<int>(k);
        }
      }
    }
  }
  return -1;
}

std::string HostSkeleton(std::string_view host) {
  std::string unicode(host);
  if (host.starts_with("xn--") || host.find(".xn--") != std::string_view::npos) {
    char* out = nullptr;
    if (idn2_to_unicode_8z8z(unicode.c_str(), &out, 0) == IDN2_OK && out) unicode = out;
    idn2_free(out);
  }
  std::string s = Normalize(unicode).skeleton;
  // Letter pairs that read as one letter in Discord's font.
  for (auto [from, to] : {std::pair{"rn", "m"}, std::pair{"cl", "d"}, std::pair{"vv", "w"}}) {
    for (std::size_t at; (at = s.find(from)) != std::string::npos;) s.replace(at, 2, to);
  }
  return s;
}

// What the check needs to know about a host, whatever the message or the policy.
HostFacts Facts(std::string_view host) {
  HostFacts facts;
  facts.skeleton = HostSkeleton(host);
  // Drop the top-level domain, then look at the rest whole (hyphens and dots removed).
  const std::size_t last_dot = facts.skeleton.rfind('.');
  const std::string_view body = std::string_view(facts.skeleton).substr(0, last_dot);
  std::string joined;
  for (char ch : body) {
    if (ch != '.' && ch != '-' && ch != '_') joined += ch;
  }
  facts.brand = Imitates(joined);
  return facts;
}

}  // namespace

void CheckLookalikeDomain(const MessageContext& c, Findings& f) {
  for (std::size_t i = 0; i < c.links.links.size(); ++i) {
    const Link& l = c.links.links[i];
    if (l.ip_literal || c.Trusted(i)) continue;
    const HostFacts& facts = c.hosts.Get(l.host, Facts);
    // A homoglyph of a trusted host: the skeleton is trusted, the host is not.
    if (facts.skeleton != l.host && c.policy.IsTrustedHost(facts.skeleton)) {
      f.Fire(SignalCode::kLookalikeDomain, 1.0, "link to a look-alike of " + facts.skeleton,
             l.host);
      return;
    }
    if (facts.brand >= 0) {
      f.Fire(SignalCode::kLookalikeDomain, 1.0,
             "link to a site imitating " +
                 std::string(kBrands[static_cast<std::size_t>(facts.brand)].name),
             l.host);
      return;
    }
  }
}

}  // namespace detect::detail

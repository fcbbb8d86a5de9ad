// Finding the links in a message, including the ones spammers disguise: markdown masked links
// (`[discord.com](https://evil.example)`), defanged dots (`evil[.]gift`, `evil (dot) gift`),
// `hxxps://`, spoiler bars and angle brackets. Hosts come out in one canonical form, lower-case
// IDNA A-labels without a trailing dot, so `discörd.com`, `DISCÖRD.COM` and `xn--dscrd-...` are the
// same host.
//
// Input is `Normalized::text` (NFKC, case-folded, invisibles removed), so fullwidth and zero-width
// tricks are already undone. Pure and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace detect {

class TldSet;

struct Link {
  std::string host;         // canonical: lower-case A-labels, no trailing dot
  std::string path;         // from the first '/' on (query included), lower-case, at most 256 bytes
  std::string shown;        // masked links only: the text shown in place of the link
  bool masked = false;      // [shown](target)
  bool obfuscated = false;  // defanged dots or scheme: nobody writes links that way by accident
  bool has_scheme = false;
  bool idn = false;         // the host has a non-ASCII or xn-- label
  bool ip_literal = false;  // dotted IPv4 host
  bool operator==(const Link&) const = default;
};

struct LinkScan {
  std::vector<Link> links;
  bool truncated = false;  // more than the limit: the rest were not examined
  bool operator==(const LinkScan&) const = default;
};

inline constexpr std::size_t kMaxLinksPerMessage = 32;

// `tlds` decides whether a bare host without a scheme (`evil.gift`, not `file.txt`) is a link;
// hosts written with a scheme or as a masked link are links whatever their suffix.
LinkScan ExtractLinks(std::string_view normalized_text, const TldSet& tlds,
                      std::size_t limit = kMaxLinksPerMessage);

namespace detail {
// ExtractLinks without its shortcut for text that has nothing to undefang or unmask (the text is
// always rewritten first): the reference the shortcut is tested against.
LinkScan ExtractLinksRewritingForTesting(std::string_view normalized_text, const TldSet& tlds,
                                         std::size_t limit = kMaxLinksPerMessage);
// Whether the text has something to undefang or unmask (a '[', a bracketed or spoken dot, U+3002),
// which is when ExtractLinks rewrites it first. May say yes where nothing changes, never no.
bool MayRewrite(std::string_view normalized_text);
// Whether `normalized_text` could hold a host at all (ExtractLinks finds none otherwise).
bool MaybeHost(std::string_view normalized_text);
}  // namespace detail

// Lower-case A-label form of a host, or "" when it is not a valid host name (IDNA refuses it, a
// label is empty or longer than 63 bytes, or the whole is longer than 253 bytes).
std::string CanonicalHost(std::string_view host);

// The top-level domains a bare host may end in (data/tlds.txt).
class TldSet {
 public:
  explicit TldSet(std::string_view lines);
  bool Contains(std::string_view tld) const;
  std::size_t size() const { return tlds_.size(); }

 private:
  std::vector<std::string> tlds_;  // sorted
};

}  // namespace detect

#include "detect/links.h"

#include <idn2.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>

#include "core/strings.h"
#include "detect/detail/lines.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace detect {
namespace {

// Stands for a defanged dot ("[.]", " dot ") in the working copy; normalised text has no
// control characters, so it cannot clash with the message itself.
constexpr char kDefangedDot = '\x01';
constexpr std::size_t kMaxShown = 256;
constexpr std::size_t kMaxPath = 256;
constexpr std::size_t kMaxTarget = 2048;

// An ASCII host's bytes as they appear in its canonical form: lower-cased letters, digits, '-' and
// '_' as they are, '.' for a dot; 0 for a byte no host has, 0x80 for a non-ASCII byte.
constexpr std::array<char, 256> kCanonicalByte = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    char v = 0;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
      v = static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      v = static_cast<char>(c - 'A' + 'a');
    } else if (c >= 0x80) {
      v = static_cast<char>(0x80);
    }
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}();

// Bytes a host (as written in a message) may hold: those above, and the defanged dot.
constexpr std::array<bool, 256> kHostByte = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 0; c < 256; ++c) t[c] = kCanonicalByte[c] != 0;
  t[static_cast<unsigned char>(kDefangedDot)] = true;
  return t;
}();

inline bool IsHostByte(char c) { return kHostByte[static_cast<unsigned char>(c)]; }

constexpr std::array<bool, 256> kDelimiter = [] {
  std::array<bool, 256> t{};
  for (char c : std::string_view(" <>\"'()[]{}|*~`!,;")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

inline bool IsDelimiter(char c) { return kDelimiter[static_cast<unsigned char>(c)]; }

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The word starting at `pos` (letters, digits, hyphens), for checking that " dot " is followed
// by a top-level domain.
std::string_view WordAt(std::string_view s, std::size_t pos) {
  std::size_t end = pos;
  while (end < s.size() && IsHostByte(s[end]) && s[end] != '.' && s[end] != kDefangedDot) ++end;
  return s.substr(pos, end - pos);
}

bool IsSpokenTld(std::string_view tld) {
  static constexpr std::array<std::string_view, 36> kCommon{
      "app",  "cc",   "cf",   "click", "club",  "co",     "com", "de",   "eu",
      "fr",   "fun",  "ga",   "gg",    "gift",  "gifts",  "gq",  "info", "io",
      "link", "live", "me",   "ml",    "net",   "online", "org", "pro",  "pw",
      "ru",   "shop", "site", "space", "store", "tk",     "top", "uk",   "xyz"};
  return std::binary_search(kCommon.begin(), kCommon.end(), tld);
}

// Replaces defanged dots with kDefangedDot and the ideographic full stop with '.'.
std::string Undefang(std::string_view in, const TldSet& tlds) {
  static constexpr std::array<std::string_view, 6> kBracketed{"[.]",   "(.)",   "{.}",
                                                              "[dot]", "(dot)", "{dot}"};
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    // Copy the run up to the next character that can start a defanged dot, in one piece.
    std::size_t plain = i;
    while (plain < in.size() && in[plain] != '[' && in[plain] != '(' && in[plain] != '{' &&
           in[plain] != ' ' && in[plain] != '\xE3') {
      ++plain;
    }
    if (plain > i) {
      out.append(in.substr(i, plain - i));
      i = plain;
      if (i == in.size()) break;
    }
    bool replaced = false;
    const char c = in[i];
    if (c == '[' || c == '(' || c == '{' || c == ' ') {
      // Optional spaces around a bracketed dot: "evil [.] gift".
      std::size_t j = i;
      while (j < in.size() && in[j] == ' ') ++j;
      const bool bracket = j < in.size() && (in[j] == '[' || in[j] == '(' || in[j] == '{');
      for (std::string_view b :
           bracket ? std::span(kBracketed) : std::span<const std::string_view>()) {
        if (StartsWith(in.substr(j), b) && !out.empty() && IsHostByte(out.back())) {
          std::size_t k = j + b.size();
          while (k < in.size() && in[k] == ' ') ++k;
          if (k < in.size() && IsHostByte(in[k])) {
            out.push_back(kDefangedDot);
            i = k;
            replaced = true;
          }
          break;
        }
      }
      // " dot " and " . " only when a top-level domain popular with spammers follows:
      // "evil dot gift", but not "connect the dot dot dot".
      if (!replaced && c == ' ' && i + 1 < in.size() && (in[i + 1] == 'd' || in[i + 1] == '.') &&
          !out.empty() && IsHostByte(out.back())) {
        for (std::string_view sep : {std::string_view(" dot "), std::string_view(" . ")}) {
          if (StartsWith(in.substr(i), sep)) {
            const std::string_view next = WordAt(in, i + sep.size());
            if (!next.empty() && tlds.Contains(next) && IsSpokenTld(next)) {
              out.push_back(kDefangedDot);
              i += sep.size();
              replaced = true;
            }
            break;
          }
        }
      }
    }
    if (replaced) continue;
    if (c == '\xE3' && StartsWith(in.substr(i), "\xE3\x80\x82")) {  // U+3002 IDEOGRAPHIC FULL STOP
      out.push_back('.');
      i += 3;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

// Whether `t` could hold a host at all: a dot between host characters, a bracketed or spoken dot,
// or an ideographic full stop. Most chat has none ("ok.", "what..."), and skips the rest.
// Whether position `i` (0 < i < size - 1) starts something that could make a host.
bool HostHintAt(std::string_view t, std::size_t i) {
  const char c = t[i];
  if (c == '.') {
    const char before = t[i - 1];
    return (IsHostByte(before) && before != '.' && IsHostByte(t[i + 1]) && t[i + 1] != '.') ||
           before == '[' || before == '(' || before == '{' || before == ' ';
  }
  if (c == 'd') return i + 2 < t.size() && t[i + 1] == 'o' && t[i + 2] == 't';
  return c == '\xE3' && i + 2 < t.size() && t[i + 1] == '\x80' && t[i + 2] == '\x82';
}

#if defined(__SSE2__)
// Positions of '.', 0xE3 and "do" among the 16 bytes at `p` (`p[16]` must be readable).
unsigned HintMask(const unsigned char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
  const __m128i hint =
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')),
                                _mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xE3)))),
                   _mm_and_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('d')),
                                 _mm_cmpeq_epi8(next, _mm_set1_epi8('o'))));
  return static_cast<unsigned>(_mm_movemask_epi8(hint));
}
#endif

#if defined(__SSE2__)
// Calls hit(i) for the positions i in [from, end) of `t` that may start something, in order, until
// it returns true (then true). Sixteen positions at a time, those whose bit mask(t.data() + i)
// sets (`mask` reads kAhead bytes past the sixteen), as long as that stays within `t`; then one
// block that ends as late as that allows (overlapping positions already seen, which it masks
// off), then the last few positions one at a time, those for which at(i) holds. Nothing past `t`
// is read, and nothing is copied: a copy of the tail into a padded buffer, read back at once at
// other offsets than it was written, stalled on store forwarding (an eighth of the link stage's
// time on the benchmark stream).
template <std::size_t kAhead, typename Mask, typename At, typename Hit>
bool AnyHit(std::string_view t, std::size_t from, std::size_t end, Mask mask, At at, Hit hit) {
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  std::size_t i = from;
  if (t.size() >= 16 + kAhead) {
    const std::size_t last = t.size() - 16 - kAhead;  // the last block may start here
    for (; i + 16 <= end && i <= last; i += 16) {
      for (unsigned m = mask(p + i); m != 0; m &= m - 1) {
        if (hit(i + static_cast<std::size_t>(std::countr_zero(m)))) return true;
      }
    }
    const std::size_t q = std::min(end, t.size() - kAhead) - 16;  // <= last
    if (i < end && q >= from && q < i) {
      // Positions q to i - 1 were seen; i - q is 1 to 16.
      for (unsigned m = mask(p + q) & ~((1u << (i - q)) - 1); m != 0; m &= m - 1) {
        if (hit(q + static_cast<std::size_t>(std::countr_zero(m)))) return true;
      }
      i = q + 16;
    }
  }
  for (; i < end; ++i) {
    if (at(i) && hit(i)) return true;
  }
  return false;
}
#endif

bool CouldHoldHost(std::string_view t) {
  if (t.size() < 3) return false;
    // Positions 1 to size - 2 (HostHintAt looks on both sides); sixteen at a time with SSE2, only
    // '.', "do" and 0xE3 looked at more closely.
#if defined(__SSE2__)
  return AnyHit<1>(
      t, 1, t.size() - 1, HintMask,
      [&](std::size_t at) { return t[at] == '.' || t[at] == 'd' || t[at] == '\xE3'; },
      [&](std::size_t at) { return HostHintAt(t, at); });
#else
  for (std::size_t i = 1; i + 1 < t.size(); ++i) {
    if (HostHintAt(t, i)) return true;
  }
  return false;
#endif
}

// Whether position `i` of `t` could begin a change by Undefang or TakeMaskedLinks (bytes past `t`
// read as zero, which begins no change and completes none): a '[', a '(' or '{' before '.' or
// 'd', a space before ". " or "dot ", and the first byte of U+3002. (" dot " in full: a space
// before "do" alone is in most English chat, "do", "don't", "docs.example.org", and would have
// most link messages copied for nothing.)
bool RewriteAt(std::string_view t, std::size_t i) {
  auto at = [&](std::size_t k) { return i + k < t.size() ? t[i + k] : '\0'; };
  const char c = t[i], n1 = at(1), n2 = at(2);
  return c == '[' || c == '\xE3' || ((c == '(' || c == '{') && (n1 == '.' || n1 == 'd')) ||
         (c == ' ' &&
          ((n1 == '.' && n2 == ' ') || (n1 == 'd' && n2 == 'o' && at(3) == 't' && at(4) == ' ')));
}

#if defined(__SSE2__)
// RewriteAt for the 16 positions at `p` (`p[19]` must be readable), as a bit mask.
unsigned RewriteMask(const unsigned char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i n1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
  const __m128i n2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2));
  const __m128i n3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 3));
  const __m128i n4 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 4));
  auto is = [](__m128i x, char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); };
  const __m128i dot_or_d = _mm_or_si128(is(n1, '.'), is(n1, 'd'));
  const __m128i bracket =
      _mm_or_si128(is(v, '['), _mm_and_si128(_mm_or_si128(is(v, '('), is(v, '{')), dot_or_d));
  const __m128i dot_word = _mm_and_si128(_mm_and_si128(is(n1, 'd'), is(n2, 'o')),
                                         _mm_and_si128(is(n3, 't'), is(n4, ' ')));
  const __m128i spoken =
      _mm_and_si128(is(v, ' '), _mm_or_si128(_mm_and_si128(is(n1, '.'), is(n2, ' ')), dot_word));
  return static_cast<unsigned>(_mm_movemask_epi8(
      _mm_or_si128(_mm_or_si128(bracket, spoken), is(v, static_cast<char>(0xE3)))));
}
#endif

}  // namespace

namespace detail {
// Whether Undefang or TakeMaskedLinks could change `t`: most text with a dot in it ("see
// github.com/x") has nothing for them, and is then read as it is rather than copied.
bool MayRewrite(std::string_view t) {
#if defined(__SSE2__)
  return AnyHit<4>(
      t, 0, t.size(), RewriteMask, [&](std::size_t at) { return RewriteAt(t, at); },
      [](std::size_t) { return true; });
#else
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (RewriteAt(t, i)) return true;
  }
  return false;
#endif
}

bool MaybeHost(std::string_view t) { return CouldHoldHost(t); }
}  // namespace detail

namespace {

bool IsIpv4(std::string_view host) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= host.size()) {
    std::size_t j = host.find('.', i);
    if (j == std::string_view::npos) j = host.size();
    const std::string_view p = host.substr(i, j - i);
    if (p.empty() || p.size() > 3 ||
        !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    if (std::atoi(std::string(p).c_str()) > 255) return false;
    ++parts;
    i = j + 1;
  }
  return parts == 4;
}

struct Scheme {
  std::size_t length = 0;  // 0: none
  bool defanged = false;
};

Scheme SchemeAt(std::string_view s) {
  for (auto [p, defanged] : {std::pair{std::string_view("https://"), false},
                             std::pair{std::string_view("http://"), false},
                             std::pair{std::string_view("hxxps://"), true},
                             std::pair{std::string_view("hxxp://"), true}}) {
    if (StartsWith(s, p)) return {p.size(), defanged};
  }
  return {};
}

// Parses one link candidate (a token, or a masked link's target). Returns false when it is not a
// link.
bool ParseCandidate(std::string_view token, const TldSet& tlds, bool masked, Link& out) {
  const Scheme scheme = SchemeAt(token);
  std::string_view rest = token.substr(scheme.length);
  if (scheme.length != 0) {
    // userinfo: "https://discord.com@evil.example/" goes to evil.example. (A loop, not
    // find_first_of("/?#"): libstdc++'s calls memchr for every byte.)
    std::size_t slash = 0;
    while (slash < rest.size() && rest[slash] != '/' && rest[slash] != '?' && rest[slash] != '#')
      ++slash;
    const std::size_t at = rest.substr(0, slash).rfind('@');
    if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  }
  std::size_t end = 0;
  while (end < rest.size() && IsHostByte(rest[end])) ++end;
  std::string raw_host(rest.substr(0, end));
  while (!raw_host.empty() && (raw_host.back() == '.' || raw_host.back() == kDefangedDot)) {
    raw_host.pop_back();
  }
  const std::size_t host_end = end;
  bool defanged_dot = false;
  for (char& c : raw_host) {
    if (c == kDefangedDot) {
      c = '.';
      defanged_dot = true;
    }
  }
  if (raw_host.find('.') == std::string::npos || raw_host.front() == '.') return false;

  std::string_view after = rest.substr(host_end);
  // Keep only what follows the host if it is a port or a path; "evil.gift:" is not a port.
  std::size_t path_from = std::string_view::npos;
  if (!after.empty() && after[0] == ':') {
    std::size_t d = 1;
    while (d < after.size() && after[d] >= '0' && after[d] <= '9') ++d;
    if (d > 1) after.remove_prefix(d);
  }
  if (!after.empty() && (after[0] == '/' || after[0] == '?' || after[0] == '#')) path_from = 0;

  const bool ipv4 = IsIpv4(raw_host);
  if (!scheme.length && !masked) {
    if (ipv4) {
      if (path_from == std::string_view::npos) return false;  // "1.2.3.4" is a version number
    } else {
      const std::string_view tld = std::string_view(raw_host).substr(raw_host.rfind('.') + 1);
      if (!tlds.Contains(tld) && !StartsWith(tld, "xn--")) return false;
    }
  }
  std::string host = ipv4 ? raw_host : CanonicalHost(raw_host);
  if (host.empty()) return false;

  out.host = std::move(host);
  out.path.clear();
  if (path_from != std::string_view::npos) {
    std::string_view p = after.substr(0, kMaxPath);
    while (!p.empty() && (p.back() == '.' || p.back() == ':')) p.remove_suffix(1);
    out.path.assign(p);
    std::replace(out.path.begin(), out.path.end(), kDefangedDot, '.');
  }
  out.masked = masked;
  out.has_scheme = scheme.length != 0;
  out.obfuscated = scheme.defanged || defanged_dot;
  out.ip_literal = ipv4;
  out.idn = !ipv4 && (out.host.starts_with("xn--") || out.host.find(".xn--") != std::string::npos);
  return true;
}

// Finds "[shown](target)" links, records them and blanks them out of `work`.
void TakeMaskedLinks(std::string& work, const TldSet& tlds, std::size_t limit, LinkScan& scan) {
  std::size_t open = 0;
  while ((open = work.find('[', open)) != std::string::npos) {
    const std::size_t close = work.find(']', open + 1);
    if (close == std::string::npos) return;
    if (close - open - 1 > kMaxShown || close + 1 >= work.size() || work[close + 1] != '(') {
      open += 1;
      continue;
    }
    const std::size_t target_end = work.find(')', close + 2);
    if (target_end == std::string::npos || target_end - close - 2 > kMaxTarget) {
      open += 1;
      continue;
    }
    std::string_view target(work.data() + close + 2, target_end - close - 2);
    while (!target.empty() && (target.front() == ' ' || target.front() == '<')) {
      target.remove_prefix(1);
    }
    while (!target.empty() && (target.back() == ' ' || target.back() == '>')) {
      target.remove_suffix(1);
    }
    Link link;
    if (ParseCandidate(target, tlds, /*masked=*/true, link)) {
      if (scan.links.size() >= limit) {
        scan.truncated = true;
        return;
      }
      link.shown = work.substr(open + 1, close - open - 1);
      std::replace(link.shown.begin(), link.shown.end(), kDefangedDot, '.');
      scan.links.push_back(std::move(link));
      std::fill(work.begin() + static_cast<std::ptrdiff_t>(open),
                work.begin() + static_cast<std::ptrdiff_t>(target_end) + 1, ' ');
    }
    open = close;
  }
}

// `host` (trailing dots already dropped) lower-cased and checked in one pass: "" when a byte or a
// label is not allowed (each label 1 to 63 bytes of [a-z0-9_-], at most 253 bytes in all);
// nullopt when it has a non-ASCII byte.
std::optional<std::string> CanonicalAscii(std::string_view host) {
  if (host.empty() || host.size() > 253) return std::string();
  std::string ascii(host.size(), '\0');
  std::size_t label = 0;
  for (std::size_t i = 0; i < host.size(); ++i) {
    const char c = kCanonicalByte[static_cast<unsigned char>(host[i])];
    if (c == static_cast<char>(0x80)) return std::nullopt;
    if (c == '.') {
      if (label == 0) return std::string();
      label = 0;
    } else if (c == 0 || ++label > 63) {
      return std::string();
    }
    ascii[i] = c;
  }
  return label == 0 ? std::string() : ascii;
}

std::string_view WithoutTrailingDots(std::string_view host) {
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return host;
}

}  // namespace

std::string CanonicalHost(std::string_view host) {
  if (host.empty() || host.size() > 253) return {};
  // ASCII (nearly every host); lowering does not change the trailing dots.
  if (std::optional<std::string> ascii = CanonicalAscii(WithoutTrailingDots(host))) {
    return *std::move(ascii);
  }
  // An internationalised name: to its ASCII (punycode) form through libidn2, then checked alike.
  const std::string in(host);
  for (int flags : {IDN2_NONTRANSITIONAL, IDN2_TRANSITIONAL}) {
    char* converted = nullptr;
    if (idn2_to_ascii_8z(in.c_str(), &converted, flags) == IDN2_OK) {
      const std::string ascii = converted;
      idn2_free(converted);
      return CanonicalAscii(WithoutTrailingDots(ascii)).value_or(std::string());
    }
    idn2_free(converted);
  }
  return {};
}

namespace {

LinkScan Extract(std::string_view normalized_text, const TldSet& tlds, std::size_t limit,
                 bool always_rewrite) {
  LinkScan scan;
  if (!CouldHoldHost(normalized_text)) return scan;
  std::string work;
  std::string_view w = normalized_text;
  const bool rewritten = always_rewrite || detail::MayRewrite(normalized_text);
  if (rewritten) {
    work = Undefang(normalized_text, tlds);
    TakeMaskedLinks(work, tlds, limit, scan);
    if (scan.truncated) return scan;
    w = work;
  }

  // The tokens (runs of non-delimiters) that hold a dot, in order: found from their dots, so the
  // words around them are never walked.
  std::size_t i = 0;
  // The next dot of each kind at or after `i`, searched for again only once passed (searching
  // from every token for a defanged dot far away would be quadratic).
  std::size_t next_dot = w.find('.');
  std::size_t next_defanged = rewritten ? w.find(kDefangedDot) : std::string_view::npos;
  while (i < w.size()) {
    if (next_dot < i) next_dot = w.find('.', i);
    if (next_defanged < i) next_defanged = w.find(kDefangedDot, i);
    const std::size_t dot = std::min(next_dot, next_defanged);
    if (dot == std::string_view::npos) break;
    std::size_t start = dot, end = dot + 1;
    while (start > i && !IsDelimiter(w[start - 1])) --start;
    while (end < w.size() && !IsDelimiter(w[end])) ++end;
    std::string_view token = w.substr(start, end - start);
    i = end;
    // "see:https://evil.example" and "link-https://…": start at the scheme if there is one.
    for (std::string_view s : {"http", "hxxp"}) {
      const std::size_t at = token.find(s);
      if (at != std::string_view::npos && at > 0 && SchemeAt(token.substr(at)).length) {
        token.remove_prefix(at);
        break;
      }
    }
    Link link;
    if (!ParseCandidate(token, tlds, /*masked=*/false, link)) continue;
    if (scan.links.size() >= limit) {
      scan.truncated = true;
      break;
    }
    scan.links.push_back(std::move(link));
  }
  return scan;
}

}  // namespace

LinkScan ExtractLinks(std::string_view normalized_text, const TldSet& tlds, std::size_t limit) {
  return Extract(normalized_text, tlds, limit, /*always_rewrite=*/false);
}

namespace detail {
LinkScan ExtractLinksRewritingForTesting(std::string_view normalized_text, const TldSet& tlds,
                                         std::size_t limit) {
  return Extract(normalized_text, tlds, limit, /*always_rewrite=*/true);
}
}  // namespace detail

TldSet::TldSet(std::string_view lines) {
  detail::ForEachLine(lines, [&](std::string_view line) {
    if (line.front() != '#') tlds_.emplace_back(line);
  });
  std::sort(tlds_.begin(), tlds_.end());
  tlds_.erase(std::unique(tlds_.begin(), tlds_.end()), tlds_.end());
}

bool TldSet::Contains(std::string_view tld) const {
  auto it = std::lower_bound(tlds_.begin(), tlds_.end(), tld,
                             [](const std::string& a, std::string_view b) { return a < b; });
  return it != tlds_.end() && *it == tld;
}

}  // namespace detect

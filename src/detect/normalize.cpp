#include "detect/normalize.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include "detect/detail/normalize_unicode.h"

namespace detect {
namespace {

using Cp = utf8proc_int32_t;

void Append(std::string& out, Cp cp) {
  utf8proc_uint8_t buf[4];
  const auto n = utf8proc_encode_char(cp, buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

// Look-alikes of ASCII letters, after case folding and mark stripping, sorted by code point:
// Latin small capitals and IPA letters, Greek, Cyrillic and Armenian homoglyphs that render like
// Latin letters in Discord's fonts (after Unicode's confusables data).
constexpr std::array<std::pair<Cp, char>, 69> kConfusables{{
    {0x0131, 'i'}, {0x0251, 'a'}, {0x0261, 'g'}, {0x0262, 'g'}, {0x026A, 'i'}, {0x0274, 'n'},
    {0x0280, 'r'}, {0x028F, 'y'}, {0x0299, 'b'}, {0x029C, 'h'}, {0x029F, 'l'}, {0x03B1, 'a'},
    {0x03B2, 'b'}, {0x03B5, 'e'}, {0x03B7, 'n'}, {0x03B9, 'i'}, {0x03BA, 'k'}, {0x03BC, 'u'},
    {0x03BD, 'v'}, {0x03BF, 'o'}, {0x03C1, 'p'}, {0x03C4, 't'}, {0x03C5, 'u'}, {0x03C7, 'x'},
    {0x03C9, 'w'}, {0x0430, 'a'}, {0x0432, 'b'}, {0x0435, 'e'}, {0x043A, 'k'}, {0x043C, 'm'},
    {0x043D, 'h'}, {0x043E, 'o'}, {0x0440, 'p'}, {0x0441, 'c'}, {0x0442, 't'}, {0x0443, 'y'},
    {0x0445, 'x'}, {0x0451, 'e'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0457, 'i'}, {0x0458, 'j'},
    {0x0475, 'v'}, {0x04BB, 'h'}, {0x04CF, 'l'}, {0x0501, 'd'}, {0x051B, 'q'}, {0x051D, 'w'},
    {0x0570, 'h'}, {0x0578, 'n'}, {0x057D, 'u'}, {0x0581, 'g'}, {0x0585, 'o'}, {0x1D00, 'a'},
    {0x1D04, 'c'}, {0x1D05, 'd'}, {0x1D07, 'e'}, {0x1D0A, 'j'}, {0x1D0B, 'k'}, {0x1D0D, 'm'},
    {0x1D0F, 'o'}, {0x1D18, 'p'}, {0x1D1B, 't'}, {0x1D1C, 'u'}, {0x1D20, 'v'}, {0x1D21, 'w'},
    {0x1D22, 'z'}, {0xA730, 'f'}, {0xA731, 's'},
}};

// Leetspeak: digits and symbols standing for letters.
constexpr char Leet(Cp cp) {
  switch (cp) {
    case '0':
      return 'o';
    case '1':
      return 'i';
    case '3':
      return 'e';
    case '4':
      return 'a';
    case '5':
      return 's';
    case '7':
      return 't';
    case '@':
      return 'a';
    case '$':
      return 's';
    case '|':
      return 'l';
    default:
      return 0;
  }
}

// Leet() as a table, for the fast path.
constexpr std::array<char, 256> kLeet = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 128; ++c) t[static_cast<std::size_t>(c)] = Leet(c);
  return t;
}();

char Confusable(Cp cp) {
  auto it = std::lower_bound(kConfusables.begin(), kConfusables.end(), cp,
                             [](const auto& e, Cp v) { return e.first < v; });
  return (it != kConfusables.end() && it->first == cp) ? it->second : 0;
}

bool IsSpace(Cp cp) {
  if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) return true;
  const auto cat = utf8proc_category(cp);
  return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP;
}

// Runs utf8proc_map over valid UTF-8; the caller guarantees validity, so failure is impossible
// short of memory exhaustion, where the input is returned unchanged.
std::string Map(const std::string& valid, int options) {
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
                              static_cast<utf8proc_ssize_t>(valid.size()), &out,
                              static_cast<utf8proc_option_t>(options));
  if (n < 0 || out == nullptr) return valid;
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> hold(out, &std::free);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

// FNV-1a over the skeleton's letters (look-alikes mapped; digits, punctuation and spaces left
// out), counting them.
struct LetterPrint {
  std::uint64_t hash = 1469598103934665603ULL;
  std::int32_t letters = 0;
  void Add(unsigned char b) {
    hash = (hash ^ b) * 1099511628211ULL;
    if ((b & 0xC0) != 0x80) ++letters;  // count code points, not continuation bytes
  }
  void Finish(Normalized& out) const {
    out.letter_count = letters;
    out.letter_print = letters == 0 ? 0 : (hash == 0 ? 1 : hash);
  }
};

// Counts lone letters and digits in the skeleton as it is written (an ASCII a-z/0-9 with no such
// character on either side): three or more are needed for the spacing trick.
struct LoneCounter {
  bool previous_alnum = false;
  bool candidate = false;
  std::int32_t lone = 0;
  void Put(char c) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (candidate && !alnum) ++lone;
    candidate = alnum && !previous_alnum;
    previous_alnum = alnum;
  }
  std::int32_t Finish() { return lone + (candidate ? 1 : 0); }
};

// Whether a dropped default-ignorable character is evidence of evasion. Variation selectors and
// tags belong to emoji ("❤️" is U+2764 U+FE0F), and so does a zero-width joiner between two
// pictographs ("👨‍👩‍👧"); a joiner after a letter or digit is hiding something.
bool CountsAsInvisible(Cp cp, Cp previous_kept) {
  if ((cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) ||
      (cp >= 0xE0020 && cp <= 0xE007F)) {
    return false;
  }
  if (cp == 0x200D) {
    const bool after_word = previous_kept < 0x80
                                ? std::isalnum(static_cast<int>(previous_kept)) != 0
                                : utf8proc_category(previous_kept) <= UTF8PROC_CATEGORY_LO;
    return previous_kept != 0 && after_word;
  }
  return true;
}

// A non-ASCII code point that NFKC, case folding, lumping, mark stripping and composition all
// leave alone, whatever surrounds it (most emoji and symbols, CJK ideographs). A message of
// ASCII and such code points can be normalised one code point at a time.
bool IsInert(Cp cp, const utf8proc_property_t* p) {
  if (p->decomp_seqindex != UINT16_MAX || p->casefold_seqindex != UINT16_MAX ||
      p->combining_class != 0 || p->comb_index != UINT16_MAX || p->ignorable) {
    return false;
  }
  switch (p->category) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
      return false;
    default:
      break;
  }
  // Hangul composes algorithmically, outside the composition table.
  if ((cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F) ||
      (cp >= 0xAC00 && cp <= 0xD7A3)) {
    return false;
  }
  // Punctuation and symbols below the emoji blocks may be lumped to ASCII (dashes, quotes,
  // slashes).
  const bool low = cp < 0x2600 || (cp >= 0x3000 && cp < 0x3040);
  if (low && p->category >= UTF8PROC_CATEGORY_PC && p->category <= UTF8PROC_CATEGORY_SO)
    return false;
  return true;
}

// The fast path: ASCII (most chat) plus inert code points (emoji). Lower-casing ASCII and copying
// the rest gives the same result as NormalizeUnicode, several times faster; anything else returns
// nullopt and takes the general path.
// Writes into `out`, reusing its buffers; false (with `out` in an unspecified state) when the input
// needs the general path.
bool NormalizeSimple(std::string_view input, Normalized& out) {
  // Neither output can be longer than the input on this path, so both are written through raw
  // pointers into buffers of the input's size and trimmed at the end.
  out.invisible_removed = 0;
  out.had_invalid_utf8 = false;
  out.text.resize(input.size());
  out.skeleton.resize(input.size());
  char* text = out.text.data();
  char* skel = out.skeleton.data();
  std::size_t t = 0, k = 0;
  LetterPrint print;
  LoneCounter lone;
  bool pending_space = false;
  Cp previous_kept = 0;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(input.data());
  const auto size = static_cast<utf8proc_ssize_t>(input.size());
  for (utf8proc_ssize_t i = 0; i < size;) {
    const auto c = bytes[i];
    if (c < 0x80) {
      ++i;
      if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
        pending_space = t != 0;
        continue;
      }
      if (c < 0x20 || c == 0x7F) continue;  // other controls are dropped
      if (pending_space) {
        text[t++] = ' ';
        skel[k++] = ' ';
        lone.Put(' ');
        pending_space = false;
      }
      const char lower = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      text[t++] = lower;
      if (lower >= 'a' && lower <= 'z') print.Add(static_cast<unsigned char>(lower));
      const char l = kLeet[static_cast<unsigned char>(lower)];
      skel[k++] = l ? l : lower;
      lone.Put(l ? l : lower);
      previous_kept = lower;
      continue;
    }
    Cp cp = 0;
    const auto n = utf8proc_iterate(bytes + i, size - i, &cp);
    if (n <= 0) return false;  // invalid UTF-8: the general path replaces it
    const utf8proc_property_t* prop = utf8proc_get_property(cp);
    if (prop->ignorable) {
      if (CountsAsInvisible(cp, previous_kept)) ++out.invisible_removed;
      i += n;
      continue;
    }
    if (!IsInert(cp, prop)) return false;
    if (pending_space) {
      text[t++] = ' ';
      skel[k++] = ' ';
      lone.Put(' ');
      pending_space = false;
    }
    std::memcpy(text + t, bytes + i, static_cast<std::size_t>(n));
    t += static_cast<std::size_t>(n);
    if (const char letter = Confusable(cp)) {
      skel[k++] = letter;
      lone.Put(letter);
      print.Add(static_cast<unsigned char>(letter));
    } else {
      lone.Put('\x80');  // not a-z/0-9
      std::memcpy(skel + k, bytes + i, static_cast<std::size_t>(n));
      k += static_cast<std::size_t>(n);
      if (prop->category >= UTF8PROC_CATEGORY_LU && prop->category <= UTF8PROC_CATEGORY_LO) {
        for (utf8proc_ssize_t b = 0; b < n; ++b) print.Add(bytes[i + b]);
      }
    }
    previous_kept = cp;
    i += n;
  }
  out.text.resize(t);
  out.skeleton.resize(k);
  print.Finish(out);
  out.lone_chars = lone.Finish();
  return true;
}

}  // namespace

Normalized Normalize(std::string_view input) {
  Normalized out;
  NormalizeInto(input, out);
  return out;
}

void NormalizeInto(std::string_view input, Normalized& out) {
  if (!NormalizeSimple(input, out)) out = detail::NormalizeUnicode(input);
}

std::string JoinSpacedLetters(std::string_view s) {
  auto is_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  auto is_sep = [](char c) { return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*'; };
  // Quick rejection: a run needs "c?c?c" with lone characters; most text has none.
  static constexpr auto kClass = [] {
    std::array<std::uint8_t, 256> t{};  // 1: letter or digit, 2: separator
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = 1;
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = 1;
    for (char c : {' ', '.', '-', '_', '*'}) t[static_cast<unsigned char>(c)] = 2;
    return t;
  }();
  auto cls = [&](std::size_t i) { return kClass[static_cast<unsigned char>(s[i])]; };
  // Two lone characters one separator apart ("c?c", neither touching another letter) must occur
  // in any run of three.
  auto lone = [&](std::size_t p) {
    return cls(p) == 1 && (p == 0 || cls(p - 1) != 1) && (p + 1 == s.size() || cls(p + 1) != 1);
  };
  bool maybe = false;
  for (std::size_t p = 0; p + 2 < s.size(); ++p) {
    if (cls(p + 1) == 2 && lone(p) && lone(p + 2)) {
      maybe = true;
      break;
    }
  }
  if (!maybe) return {};
  std::string out;
  bool joined = false;
  std::size_t i = 0;
  while (i < s.size()) {
    // A run: c (sep c)+ where every c stands alone (not part of a longer word).
    const bool starts =
        is_char(s[i]) && (i == 0 || !is_char(s[i - 1])) && (i + 1 == s.size() || is_sep(s[i + 1]));
    if (starts) {
      std::size_t j = i;
      std::size_t end = i;  // just past the last letter taken
      std::string letters;
      while (j < s.size() && is_char(s[j]) && (j + 1 == s.size() || !is_char(s[j + 1]))) {
        letters.push_back(s[j]);
        end = j + 1;
        if (j + 2 < s.size() && is_sep(s[j + 1]) && is_char(s[j + 2])) {
          j += 2;
        } else {
          break;
        }
      }
      if (letters.size() >= 3) {
        if (!joined) out.assign(s.substr(0, i));  // nothing is copied until a run is found
        out += letters;
        joined = true;
        i = end;
        continue;
      }
    }
    if (joined) out.push_back(s[i]);
    ++i;
  }
  return joined ? out : std::string();
}

namespace detail {

Normalized NormalizeUnicode(std::string_view input) {
  Normalized out;
  LetterPrint print;
  // 1. Valid UTF-8 only: invalid sequences become U+FFFD, NUL and other C0/C1 controls (except
  //    white space) are dropped, default-ignorable characters are counted and dropped.
  std::string clean;
  clean.reserve(input.size());
  Cp previous_kept = 0;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(input.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(input.size());
  while (left > 0) {
    Cp cp = 0;
    auto n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      out.had_invalid_utf8 = true;
      Append(clean, 0xFFFD);
      previous_kept = 0xFFFD;
      n = 1;
    } else if (utf8proc_get_property(cp)->ignorable) {
      if (CountsAsInvisible(cp, previous_kept)) ++out.invisible_removed;
      p += n;
      left -= n;
      continue;
    } else if (IsSpace(cp)) {
      clean.push_back(' ');
    } else if (utf8proc_category(cp) != UTF8PROC_CATEGORY_CC) {
      clean.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
      previous_kept = cp;
    }
    p += n;
    left -= n;
  }

  // 2. NFKC + case folding; then collapse white space (NFKC can produce new spaces).
  const std::string folded = Map(clean, UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                            UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_LUMP);
  out.text.reserve(folded.size());
  bool pending_space = false;
  p = reinterpret_cast<const utf8proc_uint8_t*>(folded.data());
  left = static_cast<utf8proc_ssize_t>(folded.size());
  while (left > 0) {
    Cp cp = 0;
    auto n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) n = 1;  // cannot happen: `folded` is utf8proc's own output
    if (IsSpace(cp)) {
      pending_space = !out.text.empty();
    } else {
      if (pending_space) out.text.push_back(' ');
      pending_space = false;
      out.text.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    }
    p += n;
    left -= n;
  }

  // 3. Skeleton: strip marks (decompose, drop combining marks), then map look-alikes.
  const std::string bare = Map(out.text, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK);
  out.skeleton.reserve(bare.size());
  p = reinterpret_cast<const utf8proc_uint8_t*>(bare.data());
  left = static_cast<utf8proc_ssize_t>(bare.size());
  while (left > 0) {
    Cp cp = 0;
    auto n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) n = 1;
    if (char c = cp < 0x80 ? Leet(cp) : Confusable(cp)) {
      out.skeleton.push_back(c);
      // Letters only: a digit read as a letter (leet) is still a digit here.
      if (cp >= 0x80 || (cp >= 'a' && cp <= 'z')) print.Add(static_cast<unsigned char>(c));
    } else {
      out.skeleton.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
      if (cp >= 'a' && cp <= 'z') {
        print.Add(static_cast<unsigned char>(cp));
      } else if (cp >= 0x80 && utf8proc_category(cp) >= UTF8PROC_CATEGORY_LU &&
                 utf8proc_category(cp) <= UTF8PROC_CATEGORY_LO) {
        for (auto k = 0; k < n; ++k) print.Add(p[k]);
      }
    }
    p += n;
    left -= n;
  }
  print.Finish(out);
  LoneCounter lone;
  for (char c : out.skeleton) lone.Put(c);
  out.lone_chars = lone.Finish();
  return out;
}

}  // namespace detail
}  // namespace detect

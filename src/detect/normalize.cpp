#include "detect/normalize.h"

#include <utf8proc.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <tmmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include "core/hash.h"
#include "core/strings.h"
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

char Confusable(Cp cp) {
  if (cp < kConfusables.front().first || cp > kConfusables.back().first) return 0;
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

// The fingerprint of the skeleton's letters (look-alikes mapped; digits, punctuation and spaces
// left out), hashed eight bytes at a time: a byte-at-a-time hash (FNV) was a serial chain of
// multiplies, the slowest part of normalising a chat message.
// `padded`: at least eight readable bytes follow `letters`, all zero (the fast path's buffers), so
// the tail is read whole rather than copied byte by byte; the result is the same.
std::uint64_t HashLetters(std::string_view letters, bool padded) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  constexpr std::uint64_t kMul2 = 0xC2B2AE3D27D4EB4FULL;
  auto mix = [](std::uint64_t h, std::uint64_t w) { return std::rotl(h ^ (w * kMul), 31) * kMul2; };
  // Two independent lanes of eight bytes, so the multiplies overlap.
  std::uint64_t a = letters.size() * kMul, b = ~a;
  std::size_t i = 0;
  for (; i + 16 <= letters.size(); i += 16) {
    std::uint64_t w0, w1;
    std::memcpy(&w0, letters.data() + i, 8);
    std::memcpy(&w1, letters.data() + i + 8, 8);
    a = mix(a, w0);
    b = mix(b, w1);
  }
  if (i + 8 <= letters.size()) {
    std::uint64_t w;
    std::memcpy(&w, letters.data() + i, 8);
    a = mix(a, w);
    i += 8;
  }
  if (i < letters.size()) {
    std::uint64_t w = 0;
    if (padded) {
      std::memcpy(&w, letters.data() + i, 8);  // one load, not a call
    } else {
      std::memcpy(&w, letters.data() + i, letters.size() - i);
    }
    b = mix(b, w);
  }
  return core::Fmix64(a ^ std::rotl(b, 17));
}

void FinishPrint(Normalized& out, std::int32_t letters, std::string_view letter_bytes,
                 bool padded) {
  out.letter_count = letters;
  if (letters == 0) {
    out.letter_print = 0;
  } else {
    const std::uint64_t h = HashLetters(letter_bytes, padded);
    out.letter_print = h == 0 ? 1 : h;
  }
}

// Lone letters and digits in the skeleton: an ASCII a-z/0-9 with no such character on either side.
// Three or more are needed for the spacing trick. Branch-free, so it vectorises.
std::int32_t CountLone(std::string_view s) {
  auto alnum = [](char c) -> unsigned {
    const auto u = static_cast<unsigned char>(c);
    return (static_cast<unsigned char>(u - 'a') < 26u) |
           (static_cast<unsigned char>(u - '0') < 10u);
  };
  const std::size_t n = s.size();
  if (n == 0) return 0;
  if (n == 1) return static_cast<std::int32_t>(alnum(s[0]));
  unsigned lone = alnum(s[0]) & (alnum(s[1]) ^ 1u);
  lone += alnum(s[n - 1]) & (alnum(s[n - 2]) ^ 1u);
  for (std::size_t i = 1; i + 1 < n; ++i) {
    lone += alnum(s[i]) & (alnum(s[i - 1]) ^ 1u) & (alnum(s[i + 1]) ^ 1u);
  }
  return static_cast<std::int32_t>(lone);
}

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

// Whether a code point of U+1F000 to U+1FFFF is inert (IsInert), not default-ignorable and not a
// letter: the fast path copies it as it is and counts it as an emoji. Worked out once from
// utf8proc's tables.
bool PlainEmoji(Cp cp) {
  static const std::array<std::uint64_t, 4096 / 64> kPlain = [] {
    std::array<std::uint64_t, 4096 / 64> bits{};
    for (Cp c = 0x1F000; c <= 0x1FFFF; ++c) {
      const utf8proc_property_t* p = utf8proc_get_property(c);
      const bool letter =
          p->category >= UTF8PROC_CATEGORY_LU && p->category <= UTF8PROC_CATEGORY_LO;
      if (!p->ignorable && IsInert(c, p) && !letter && Confusable(c) == 0) {
        const auto at = static_cast<std::size_t>(c - 0x1F000);
        bits[at / 64] |= std::uint64_t{1} << (at % 64);
      }
    }
    return bits;
  }();
  const auto at = static_cast<std::size_t>(cp - 0x1F000);
  return (kPlain[at / 64] >> (at % 64)) & 1;
}

// Discord custom emoji (<:name:id>, <a:name:id>) in the text as sent.
std::int32_t CountCustomEmoji(std::string_view t) {
  std::int32_t n = 0;
  for (std::size_t at = t.find('<'); at != std::string_view::npos; at = t.find('<', at + 1)) {
    if (at + 2 < t.size() && (t[at + 1] == ':' || (t[at + 1] == 'a' && t[at + 2] == ':'))) ++n;
  }
  return n;
}

// Printable ASCII (space to tilde): copied, lower-cased, in bulk.
constexpr bool IsPlain(unsigned char c) { return c >= 0x20 && c < 0x7F; }

// Buffers on the fast path have this many bytes of room after their contents: the input is copied
// with this many zero bytes after it, so the block loops below read and write whole 16-byte blocks
// without a scalar tail, and a zero (a control character, never plain) ends every run.
constexpr std::size_t kPad = 32;

#if defined(__SSE2__)
// Writes the bytes of `block` whose bit is set in `mask` (16 bits) to `out`, in order; returns how
// many. Writes up to 16 bytes past `out` whatever the count (callers leave room).
std::size_t CompactLettersSse2(__m128i block, unsigned mask, char* out) {
  alignas(16) char bytes[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(bytes), block);
  std::size_t w = 0;
#pragma GCC unroll 16
  for (unsigned b = 0; b < 16; ++b) {  // branch-free: every byte is stored, set ones advance
    out[w] = bytes[b];
    w += (mask >> b) & 1u;
  }
  return w;
}

// For each 8-bit mask: the shuffle that packs the selected bytes of an 8-byte group to its front
// (0x80 elsewhere: pshufb writes zero), and how many there are.
struct PackTable {
  std::array<std::uint64_t, 256> shuffle{};
  std::array<std::uint8_t, 256> count{};
};
constexpr PackTable kPack = [] {
  PackTable t;
  for (unsigned m = 0; m < 256; ++m) {
    std::uint64_t s = 0;
    unsigned n = 0;
    for (unsigned b = 0; b < 8; ++b) {
      if (m & (1u << b)) s |= static_cast<std::uint64_t>(b) << (8 * n++);
    }
    for (unsigned k = n; k < 8; ++k) s |= std::uint64_t{0x80} << (8 * k);
    t.shuffle[m] = s;
    t.count[m] = static_cast<std::uint8_t>(n);
  }
  return t;
}();

// The same with SSSE3's byte shuffle: two table look-ups instead of sixteen dependent steps.
// Compiled for SSSE3 on its own and chosen at run time (Debian's x86-64 baseline lacks it).
__attribute__((target("ssse3"))) std::size_t CompactLettersSsse3(__m128i block, unsigned mask,
                                                                 char* out) {
  const unsigned lo = mask & 0xFF, hi = (mask >> 8) & 0xFF;
  const __m128i shuffle =
      _mm_set_epi64x(static_cast<long long>(kPack.shuffle[hi] + 0x0808080808080808ULL),
                     static_cast<long long>(kPack.shuffle[lo]));
  const __m128i packed = _mm_shuffle_epi8(block, shuffle);
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out), packed);
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out + kPack.count[lo]), _mm_srli_si128(packed, 8));
  return kPack.count[lo] + kPack.count[hi];
}

bool use_ssse3 = __builtin_cpu_supports("ssse3");

std::size_t CompactLetters(__m128i block, unsigned mask, char* out) {
  return use_ssse3 ? CompactLettersSsse3(block, mask, out) : CompactLettersSse2(block, mask, out);
}
#endif

// The run of plain bytes at the start of `in` (zero-padded): printable ASCII in which no space
// follows a space, so no byte of it needs a decision of its own. Written to `text` (lower-cased),
// `skeleton` (leetspeak mapped) and `letters` (its letters alone), capitals counted: the bulk of
// normalising chat. With SSE2 (baseline on x86-64) sixteen bytes at a time, finding the run's end
// and converting in the same pass; each output gets whole blocks (callers leave 16 bytes of room),
// of which only the run's bytes count.
struct RunCounts {
  std::size_t length = 0;           // bytes of the run, written to `text` and `skeleton`
  std::size_t letters_written = 0;  // bytes written to `letters`
  std::int32_t upper = 0;
  bool angle = false;  // a '<' (perhaps a custom emoji) is in the run
  bool at = false;     // an '@' (perhaps a mention) is in the run
};

RunCounts PlainRunInto(const unsigned char* in, char* text, char* skeleton, char* letters) {
  RunCounts r;
#if defined(__SSE2__)
  const __m128i lane = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i low = _mm_set1_epi8(0x1F);  // signed compare: bytes >= 0x80 are negative
  const __m128i del = _mm_set1_epi8(0x7F);
  __m128i upper_sums = _mm_setzero_si128();
  unsigned angle = 0, at = 0;
  for (;;) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + r.length));
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + r.length + 1));
    // The run ends at a byte outside 0x20..0x7E (signed: <= 0x1F, == 0x7F or negative) or at a
    // space before a space.
    const __m128i bad = _mm_or_si128(
        _mm_or_si128(_mm_cmpgt_epi8(low, v), _mm_cmpeq_epi8(v, low)),
        _mm_or_si128(_mm_cmpeq_epi8(v, del),
                     _mm_and_si128(_mm_cmpeq_epi8(v, space), _mm_cmpeq_epi8(next, space))));
    const auto bad_mask = static_cast<unsigned>(_mm_movemask_epi8(bad));
    const int n = bad_mask == 0 ? 16 : std::countr_zero(bad_mask);
    const __m128i valid = _mm_cmpgt_epi8(_mm_set1_epi8(static_cast<char>(n)), lane);
    // Signed comparisons: valid bytes are below 0x80; the others are masked out.
    const __m128i is_upper =
        _mm_and_si128(valid, _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                           _mm_cmpgt_epi8(_mm_set1_epi8('Z' + 1), v)));
    const __m128i lower = _mm_or_si128(v, _mm_and_si128(is_upper, _mm_set1_epi8(0x20)));
    const __m128i is_letter =
        _mm_and_si128(valid, _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                           _mm_cmpgt_epi8(_mm_set1_epi8('z' + 1), lower)));
    __m128i skel = lower;
    // Leetspeak is mapped only in a block that has one of its characters ('0' to '7', '@', '$',
    // '|'): most blocks of chat have none.
    const __m128i maybe_leet =
        _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('0' - 1)),
                                   _mm_cmpgt_epi8(_mm_set1_epi8('7' + 1), lower)),
                     _mm_or_si128(_mm_cmpeq_epi8(lower, _mm_set1_epi8('@')),
                                  _mm_or_si128(_mm_cmpeq_epi8(lower, _mm_set1_epi8('$')),
                                               _mm_cmpeq_epi8(lower, _mm_set1_epi8('|')))));
    if (_mm_movemask_epi8(maybe_leet) != 0) {
      auto leet = [&](char from, char to) {
        const __m128i m = _mm_cmpeq_epi8(lower, _mm_set1_epi8(from));
        skel = _mm_or_si128(_mm_andnot_si128(m, skel), _mm_and_si128(m, _mm_set1_epi8(to)));
      };
      leet('0', 'o');
      leet('1', 'i');
      leet('3', 'e');
      leet('4', 'a');
      leet('5', 's');
      leet('7', 't');
      leet('@', 'a');
      leet('$', 's');
      leet('|', 'l');
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(text + r.length), lower);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(skeleton + r.length), skel);
    upper_sums = _mm_add_epi64(
        upper_sums, _mm_sad_epu8(_mm_and_si128(is_upper, _mm_set1_epi8(1)), _mm_setzero_si128()));
    r.letters_written += CompactLetters(lower, static_cast<unsigned>(_mm_movemask_epi8(is_letter)),
                                        letters + r.letters_written);
    angle |= static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(valid, _mm_cmpeq_epi8(v, _mm_set1_epi8('<')))));
    at |= static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(valid, _mm_cmpeq_epi8(v, _mm_set1_epi8('@')))));
    r.length += static_cast<std::size_t>(n);
    if (n < 16) break;
  }
  r.upper = _mm_cvtsi128_si32(upper_sums) + _mm_cvtsi128_si32(_mm_srli_si128(upper_sums, 8));
  r.angle = angle != 0;
  r.at = at != 0;
#else
  for (std::size_t j = 0; IsPlain(in[j]) && !(in[j] == ' ' && in[j + 1] == ' '); ++j) {
    const char lower = static_cast<char>(in[j] >= 'A' && in[j] <= 'Z' ? in[j] + 32 : in[j]);
    const char leet = Leet(lower);
    r.upper += in[j] >= 'A' && in[j] <= 'Z';
    r.angle |= in[j] == '<';
    r.at |= in[j] == '@';
    text[j] = lower;
    skeleton[j] = leet ? leet : lower;
    letters[r.letters_written] = lower;
    r.letters_written += lower >= 'a' && lower <= 'z';
    r.length = j + 1;
  }
#endif
  return r;
}

// CountLone over a skeleton of `n` bytes followed by at least 16 zero bytes.
std::int32_t CountLonePadded(const char* s, std::size_t n) {
#if defined(__SSE2__)
  auto alnum = [](__m128i v) {
    return _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('a' - 1)),
                                      _mm_cmpgt_epi8(_mm_set1_epi8('z' + 1), v)),
                        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                      _mm_cmpgt_epi8(_mm_set1_epi8('9' + 1), v)));
  };
  __m128i sums = _mm_setzero_si128();
  for (std::size_t j = 0; j < n; j += 16) {
    const __m128i here = alnum(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + j)));
    const __m128i next = alnum(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + j + 1)));
    const __m128i prev = j == 0
                             ? _mm_slli_si128(here, 1)
                             : alnum(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + j - 1)));
    const __m128i lone = _mm_andnot_si128(_mm_or_si128(prev, next), here);
    sums = _mm_add_epi64(sums,
                         _mm_sad_epu8(_mm_and_si128(lone, _mm_set1_epi8(1)), _mm_setzero_si128()));
  }
  return _mm_cvtsi128_si32(sums) + _mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
#else
  return CountLone(std::string_view(s, n));
#endif
}

// The fast path: ASCII (most chat) plus inert code points (emoji). Lower-casing ASCII and copying
// the rest gives the same result as NormalizeUnicode, several times faster. Writes into `out`,
// reusing its buffers; false (with `out` in an unspecified state) when the input needs the general
// path. Runs of printable ASCII are converted in bulk (branch-free loops the compiler vectorises);
// white space, controls and non-ASCII code points are handled one at a time. Outputs are written
// through raw pointers into buffers of the input's size (nothing grows on this path) and trimmed.
bool NormalizeSimple(std::string_view input, Normalized& out) {
  out.invisible_removed = 0;
  out.had_invalid_utf8 = false;
  thread_local std::string padded;
  core::ResizeUninitialized(padded, input.size() + kPad);
  core::CopyBytes(padded.data(), input.data(), input.size());
  std::memset(padded.data() + input.size(), 0, kPad);
  core::ResizeUninitialized(out.text, input.size() + kPad);
  core::ResizeUninitialized(out.skeleton, input.size() + kPad);
  core::ResizeUninitialized(out.letters, input.size() + kPad);
  char* text = out.text.data();
  char* skel = out.skeleton.data();
  char* letters = out.letters.data();
  std::size_t t = 0, k = 0, l = 0;
  std::int32_t other_letters = 0, ascii_letters = 0, upper = 0, emoji = 0;
  Cp previous_kept = 0;
  // A space is written only after something, and never after another space; a trailing one is
  // removed at the end.
  auto put_space = [&] {
    if (t != 0 && text[t - 1] != ' ') {
      text[t++] = ' ';
      skel[k++] = ' ';
    }
  };
  const auto* bytes = reinterpret_cast<const unsigned char*>(padded.data());
  const std::size_t size = input.size();
  std::size_t i = 0;
  bool angle = false;  // a '<' was seen: custom emoji are counted
  bool at = false;
  while (i < size) {
    if (IsPlain(bytes[i]) && !(bytes[i] == ' ' && bytes[i + 1] == ' ')) {
      if (bytes[i] == ' ') {  // collapse with a space already written (or leading)
        put_space();
        ++i;
      }
      char* tx = text + t;
      const RunCounts counts = PlainRunInto(bytes + i, tx, skel + k, letters + l);
      const std::size_t run = counts.length;
      i += run;
      ascii_letters += static_cast<std::int32_t>(counts.letters_written);
      upper += counts.upper;
      angle |= counts.angle;
      at |= counts.at;
      l += counts.letters_written;
      t += run;
      k += run;
      // The last character kept, spaces aside (a run has no two spaces in a row).
      if (run > 0 && tx[run - 1] != ' ') {
        previous_kept = static_cast<unsigned char>(tx[run - 1]);
      } else if (run > 1) {
        previous_kept = static_cast<unsigned char>(tx[run - 2]);
      }
      continue;
    }
    const unsigned char c = bytes[i];
    if (c < 0x80) {  // white space (a space after a space, tab, newline) or another control
      ++i;
      if (c == ' ' || (c >= 0x09 && c <= 0x0D)) put_space();
      continue;
    }
    // Emoji (U+1F000 to U+1FFFF, four bytes F0 9F xx xx) that nothing changes, the commonest
    // non-ASCII characters in chat: copied without decoding them through utf8proc. The bytes
    // after `i` are readable (the copy is padded with zeros, which fail the continuation test).
    if (c == 0xF0 && bytes[i + 1] == 0x9F && (bytes[i + 2] & 0xC0) == 0x80 &&
        (bytes[i + 3] & 0xC0) == 0x80) {
      const Cp emoji_cp = 0x1F000 | ((bytes[i + 2] & 0x3F) << 6) | (bytes[i + 3] & 0x3F);
      if (PlainEmoji(emoji_cp)) {
        std::memcpy(text + t, bytes + i, 4);
        std::memcpy(skel + k, bytes + i, 4);
        t += 4;
        k += 4;
        ++emoji;
        previous_kept = emoji_cp;
        i += 4;
        continue;
      }
    }
    Cp cp = 0;
    const auto n = utf8proc_iterate(bytes + i, static_cast<utf8proc_ssize_t>(size - i), &cp);
    if (n <= 0) return false;  // invalid UTF-8: the general path replaces it
    const auto len = static_cast<std::size_t>(n);
    const utf8proc_property_t* prop = utf8proc_get_property(cp);
    if (prop->ignorable) {
      if (CountsAsInvisible(cp, previous_kept)) ++out.invisible_removed;
      i += len;
      continue;
    }
    if (!IsInert(cp, prop)) return false;
    emoji += (cp >= 0x1F000 && cp <= 0x1FFFF) || (cp >= 0x2600 && cp <= 0x27BF);
    std::memcpy(text + t, bytes + i, len);
    t += len;
    if (const char letter = Confusable(cp)) {
      skel[k++] = letter;
      letters[l++] = letter;
      ++other_letters;
    } else {
      std::memcpy(skel + k, bytes + i, len);
      k += len;
      if (prop->category >= UTF8PROC_CATEGORY_LU && prop->category <= UTF8PROC_CATEGORY_LO) {
        std::memcpy(letters + l, bytes + i, len);
        l += len;
        ++other_letters;
      }
    }
    previous_kept = cp;
    i += len;
  }
  if (t != 0 && text[t - 1] == ' ') {
    --t;
    --k;
  }
  std::memset(skel + k, 0, 16);
  out.lone_chars = CountLonePadded(skel, k);
  std::memset(letters + l, 0, 8);
  FinishPrint(out, other_letters + ascii_letters, std::string_view(letters, l), /*padded=*/true);
  out.text.resize(t);
  out.skeleton.resize(k);
  out.letters.resize(l);
  out.shape = TextShape{upper, ascii_letters, 0, emoji + (angle ? CountCustomEmoji(input) : 0)};
  out.has_at = at;
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

bool UseSsse3ForTesting(bool on) {
#if defined(__SSE2__)
  const bool before = use_ssse3;
  use_ssse3 = on && __builtin_cpu_supports("ssse3");
  return before;
#else
  (void)on;
  return false;
#endif
}

TextShape ShapeOf(std::string_view t) {
  TextShape s;
  for (char ch : t) {
    const auto c = static_cast<unsigned char>(ch);
    s.upper += c >= 'A' && c <= 'Z';
    s.letters += (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }
  s.emoji = CountCustomEmoji(t);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(t[i]);
    if (b0 < 0xC0) continue;
    const auto b1 = i + 1 < t.size() ? static_cast<unsigned char>(t[i + 1]) : 0;
    if ((b0 == 0xCC && b1 >= 0x80) || (b0 == 0xCD && b1 >= 0x80 && b1 <= 0xAF)) {
      ++s.marks;  // U+0300..U+036F
    } else if (b0 == 0xF0 && b1 == 0x9F) {
      ++s.emoji;  // U+1F000..U+1FFFF
    } else if (b0 == 0xE2 && b1 >= 0x98 && b1 <= 0x9E) {
      ++s.emoji;  // U+2600..U+27BF
    } else if ((b0 == 0xE1 || b0 == 0xE2 || b0 == 0xEF) && i + 2 < t.size()) {
      const auto b2 = static_cast<unsigned char>(t[i + 2]);
      const unsigned cp = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
      if ((cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
          (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F)) {
        ++s.marks;
      }
    }
  }
  return s;
}

Normalized NormalizeUnicode(std::string_view input) {
  Normalized out;
  std::int32_t letters = 0;
  // Appends a letter (one code point, as UTF-8) to the fingerprint's input.
  auto add_letter = [&](std::string_view utf8) {
    out.letters.append(utf8);
    ++letters;
  };
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
      if (cp >= 0x80 || (cp >= 'a' && cp <= 'z')) add_letter(std::string_view(&c, 1));
    } else {
      out.skeleton.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
      if (cp >= 'a' && cp <= 'z') {
        add_letter(std::string_view(reinterpret_cast<const char*>(p), 1));
      } else if (cp >= 0x80 && utf8proc_category(cp) >= UTF8PROC_CATEGORY_LU &&
                 utf8proc_category(cp) <= UTF8PROC_CATEGORY_LO) {
        add_letter(std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)));
      }
    }
    p += n;
    left -= n;
  }
  FinishPrint(out, letters, out.letters, /*padded=*/false);
  out.shape = ShapeOf(input);
  out.lone_chars = CountLone(out.skeleton);
  out.has_at = out.text.find('@') != std::string::npos;
  return out;
}

}  // namespace detail
}  // namespace detect

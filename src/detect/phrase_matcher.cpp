// PhraseMatcher: whole-word phrase matching that looks only where a phrase can begin.
//
// A phrase that begins with a word byte can only match where a word of the text begins (the byte
// before must not be a word byte), and one that begins with another byte (".ru/", "/claim") only
// where that byte is. Those places, the anchors, are found sixty-four bytes at a time. At each,
// the next eight bytes go through a bit filter of the eight-byte beginnings of the phrases of eight
// bytes or more, and the next three through one of the three-byte beginnings of the phrases of
// three to seven bytes (65,536 bits each for the shipped lists, 8 KB, in the fastest cache). Eight
// bytes keep the filter selective where a text's words are common ones that begin many phrases
// ("hello i leave…", "anyone interested…", "please subscribe"): about one anchor in 37 gets
// through on the benchmark stream, against one in 13 with six bytes ("hello ", "anyone" and
// "please" passed every time). Only then are the phrases filed under those bytes compared: eight
// bytes at once, then the rest, then the word boundary at the end. Phrases of one or two bytes (a
// guild's own keywords may be that short) are listed by their first byte.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/strings.h"
#include "detect/matcher.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace detect {
namespace {

// A filter has about 64 bits per key (so about one place in 64 that begins no phrase gets
// through), between 512 bits and 65,536 (8 KB: the shipped lists).
constexpr std::size_t kMinFilterBits = 1 << 9;
constexpr std::size_t kMaxFilterBits = 1 << 16;
constexpr std::size_t kPadding = 64;  // zero bytes after the text's working copy

// Word bytes: ASCII letters and digits, and every byte of a non-ASCII character.
constexpr std::array<bool, 256> kWordByte = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[static_cast<std::size_t>(c)] =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
  }
  return t;
}();

inline bool IsWordByte(char c) { return kWordByte[static_cast<unsigned char>(c)]; }

inline std::uint64_t Load8(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

inline std::uint64_t Mask(std::size_t bytes) { return ~std::uint64_t{0} >> (64 - 8 * bytes); }

// A prefix's bit in a filter of `mask` + 1 bits: from the top sixteen bits of its hash.
inline std::size_t FilterIndex(std::uint64_t prefix, std::size_t mask) {
  return ((prefix * 0x9E3779B97F4A7C15ULL) >> 48) & mask;
}
inline std::size_t SlotHome(std::uint64_t prefix, int shift) {
  return (prefix * 0xC2B2AE3D27D4EB4FULL) >> shift;
}

// Which of the 64 bytes at `p` are word bytes, and which are spaces (bit i: byte i).
struct BlockMasks {
  std::uint64_t words = 0;
  std::uint64_t spaces = 0;
};

BlockMasks Masks(const char* p) {
  BlockMasks m;
#if defined(__SSE2__)
  for (int k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const __m128i high = _mm_cmplt_epi8(v, _mm_setzero_si128());  // >= 0x80
    const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                        _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));  // 'A'-'Z' to 'a'-'z'
    const __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(folded, _mm_set1_epi8('a' - 1)),
                                        _mm_cmplt_epi8(folded, _mm_set1_epi8('z' + 1)));
    const auto words =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(high, _mm_or_si128(digit, alpha))));
    const auto spaces =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))));
    m.words |= static_cast<std::uint64_t>(words) << (16 * k);
    m.spaces |= static_cast<std::uint64_t>(spaces) << (16 * k);
  }
#else
  for (std::size_t i = 0; i < 64; ++i) {
    m.words |= static_cast<std::uint64_t>(IsWordByte(p[i])) << i;
    m.spaces |= static_cast<std::uint64_t>(p[i] == ' ') << i;
  }
#endif
  return m;
}

// The result of one scan: at most `limit` patterns per group, each once; `done` when no group
// can take more (it holds `limit`, or all its patterns; an empty group is full from the start).
struct Collector {
  const std::vector<std::uint32_t>& group_ends;
  std::size_t limit;
  std::vector<std::uint32_t>& found;
  std::size_t groups_full;
  std::array<std::size_t, PhraseMatcher::kMaxGroups> per_group{};
  bool done = false;

  void operator()(std::uint32_t id) {
    if (std::find(found.begin(), found.end(), id) != found.end()) return;
    std::size_t g = 0;
    while (id >= group_ends[g]) ++g;
    if (per_group[g] >= limit) return;
    found.push_back(id);
    const std::size_t size = group_ends[g] - (g == 0 ? 0 : group_ends[g - 1]);
    if (++per_group[g] == std::min(limit, size) && ++groups_full == group_ends.size()) done = true;
  }
};

}  // namespace

core::Result<PhraseMatcher> PhraseMatcher::Compile(std::vector<std::string> patterns) {
  std::vector<std::vector<std::string>> groups;
  groups.push_back(std::move(patterns));
  return CompileGroups(std::move(groups));
}

core::Result<PhraseMatcher> PhraseMatcher::CompileGroups(
    std::vector<std::vector<std::string>> groups) {
  if (groups.empty() || groups.size() > kMaxGroups) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("a phrase matcher has 1 to {} groups", kMaxGroups));
  }
  PhraseMatcher m;
  for (std::vector<std::string>& patterns : groups) {
    patterns.erase(std::remove_if(patterns.begin(), patterns.end(),
                                  [](const std::string& p) { return p.empty(); }),
                   patterns.end());
    std::sort(patterns.begin(), patterns.end());
    patterns.erase(std::unique(patterns.begin(), patterns.end()), patterns.end());
    for (std::string& p : patterns) m.patterns_.push_back(std::move(p));
    m.empty_groups_ += patterns.empty();
    m.group_ends_.push_back(static_cast<std::uint32_t>(m.patterns_.size()));
  }
  if (m.patterns_.empty()) return m;

  std::vector<std::pair<std::uint64_t, Entry>> long_keyed, mid_keyed, short_keyed;  // (key, entry)
  m.long_.width = kLongWidth;
  m.mid_.width = kMidWidth;
  m.short_.width = kShortWidth;
  for (std::size_t i = 0; i < m.patterns_.size(); ++i) {
    const std::string& p = m.patterns_[i];
    Entry e;
    e.size = static_cast<std::uint32_t>(p.size());
    e.id = static_cast<std::uint32_t>(i);
    e.ends_in_word = IsWordByte(p.back());
    const std::size_t head = std::min<std::size_t>(p.size(), 8);
    std::memcpy(&e.head, p.data(), head);
    e.head_mask = Mask(head);
    if (p.size() >= m.long_.width) {
      long_keyed.emplace_back(e.head & Mask(m.long_.width), e);
    } else if (p.size() >= m.mid_.width) {
      mid_keyed.emplace_back(e.head & Mask(m.mid_.width), e);
    } else {
      short_keyed.emplace_back(e.head & Mask(m.short_.width), e);
    }
    if (!IsWordByte(p.front())) {
      const auto b = static_cast<unsigned char>(p.front());
      m.marks_[b / 64] |= std::uint64_t{1} << (b % 64);
      m.space_mark_ |= b == ' ';
    }
  }
  m.long_.Build(std::move(long_keyed), m.patterns_);
  m.mid_.Build(std::move(mid_keyed), m.patterns_);
  m.short_.Build(std::move(short_keyed), m.patterns_);
  return m;
}

void PhraseMatcher::PrefixTable::Build(std::vector<std::pair<std::uint64_t, Entry>> keyed,
                                       const std::vector<std::string>& patterns) {
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < keyed.size(); ++i)
    distinct += i == 0 || keyed[i].first != keyed[i - 1].first;
  const std::size_t size = std::max<std::size_t>(16, std::bit_ceil(2 * distinct));
  slots.assign(size, Slot{});
  const std::size_t bits =
      std::clamp<std::size_t>(std::bit_ceil(64 * distinct), kMinFilterBits, kMaxFilterBits);
  filter.assign(bits / 64, 0);
  filter_mask = bits - 1;
  shift = 64 - std::countr_zero(size);
  std::vector<Entry> bucket;
  for (std::size_t i = 0; i < keyed.size();) {
    Slot slot{keyed[i].first, static_cast<std::uint32_t>(entries.size()), 0};
    bucket.clear();
    for (; i < keyed.size() && keyed[i].first == slot.prefix; ++i)
      bucket.push_back(keyed[i].second);
    File(bucket, patterns);
    slot.count = static_cast<std::uint32_t>(entries.size()) - slot.begin;
    std::size_t at = SlotHome(slot.prefix, shift);
    while (slots[at].count != 0) at = (at + 1) & (size - 1);
    slots[at] = slot;
    const std::size_t bit = FilterIndex(slot.prefix, filter_mask);
    filter[bit / 64] |= std::uint64_t{1} << (bit % 64);
  }
}

// Appends `bucket` (the entries of one key) with its links (see matcher.h): sorted by pattern when
// it holds more than kLinearMax, as it comes (in pattern order) otherwise.
void PhraseMatcher::PrefixTable::File(std::vector<Entry>& bucket,
                                      const std::vector<std::string>& patterns) {
  const auto begin = static_cast<std::int32_t>(entries.size());
  if (bucket.size() <= kLinearMax) {
    entries.insert(entries.end(), bucket.begin(), bucket.end());
    parents.insert(parents.end(), bucket.size(), -1);
    return;
  }
  std::sort(bucket.begin(), bucket.end(), [&](const Entry& a, const Entry& b) {
    return patterns[a.id] != patterns[b.id] ? patterns[a.id] < patterns[b.id] : a.id < b.id;
  });
  // In sorted order a pattern's prefixes come before it; the stack holds the chain of patterns
  // that begin the current one.
  std::vector<std::int32_t> chain;
  for (const Entry& e : bucket) {
    const std::string& p = patterns[e.id];
    while (!chain.empty() &&
           !p.starts_with(patterns[entries[static_cast<std::size_t>(chain.back())].id]))
      chain.pop_back();
    // Links are within the bucket: indexes from its first entry.
    parents.push_back(chain.empty() ? -1 : chain.back() - begin);
    chain.push_back(static_cast<std::int32_t>(entries.size()));
    entries.push_back(e);
  }
}

// The slot of `prefix`, once the filter has let it through.
const PhraseMatcher::Slot* PhraseMatcher::PrefixTable::Find(std::uint64_t prefix) const {
  const std::size_t mask = slots.size() - 1;
  for (std::size_t s = SlotHome(prefix, shift);; s = (s + 1) & mask) {
    const Slot& slot = slots[s];
    if (slot.count == 0) return nullptr;
    if (slot.prefix == prefix) return &slot;
  }
}

// Whether `e` occurs at `at` (an anchor) in `text` of `size` bytes, followed by zero padding, and
// ends where a word does if it ends in a word byte.
template <typename OnMatch>
inline void PhraseMatcher::Check(const Entry& e, const char* text, std::size_t size, std::size_t at,
                                 OnMatch& on) const {
  if (e.size > size - at) return;
  if ((Load8(text + at) & e.head_mask) != e.head) return;
  if (e.size > 8 && std::memcmp(text + at + 8, patterns_[e.id].data() + 8, e.size - 8) != 0) return;
  if (e.ends_in_word && at + e.size < size && IsWordByte(text[at + e.size])) return;
  on(e.id);
}

// The patterns of a bucket (see matcher.h) that begin at `at` (an anchor): compared one by one in
// a small bucket; in a large (sorted) one, the patterns that begin the text are those that begin
// the last pattern not after it, within the part they share: one binary search, then the links.
template <typename OnMatch>
void PhraseMatcher::MatchBucket(const Entry* entries, const std::int32_t* parents,
                                std::uint32_t count, const char* text, std::size_t size,
                                std::size_t at, OnMatch& on) const {
  if (count <= kLinearMax) {
    for (std::uint32_t k = 0; k < count; ++k) Check(entries[k], text, size, at, on);
    return;
  }
  const std::string_view rest(text + at, size - at);
  const Entry* const end = entries + count;
  const Entry* const after = std::upper_bound(
      entries, end, rest,
      [&](std::string_view t, const Entry& e) { return t < std::string_view(patterns_[e.id]); });
  if (after == entries) return;
  const std::string_view last(patterns_[(after - 1)->id]);
  std::size_t shared = 0;
  const std::size_t most = std::min(last.size(), rest.size());
  while (shared < most && last[shared] == rest[shared]) ++shared;
  for (std::int32_t k = static_cast<std::int32_t>(after - 1 - entries); k >= 0; k = parents[k]) {
    const Entry& e = entries[k];
    if (e.size > shared) continue;  // not all of it is in the text
    if (e.ends_in_word && at + e.size < size && IsWordByte(text[at + e.size])) continue;
    on(e.id);
  }
}

// The patterns that may begin at `at` (an anchor): those of one or two bytes, and those filed
// under the next eight or three bytes when the filter let those through (`long_hit`, `mid_hit`).
// Out of line: the scan's loop only tests the filters, which turn most anchors away.
template <typename OnMatch>
[[gnu::noinline]] void PhraseMatcher::MatchAt(const char* text, std::size_t size, std::size_t at,
                                              bool long_hit, bool mid_hit, OnMatch& on) const {
  const std::uint64_t bytes = Load8(text + at);
  auto in_table = [&](const PrefixTable& table) {
    if (const Slot* slot = table.Find(bytes & Mask(table.width))) {
      MatchBucket(table.entries.data() + slot->begin, table.parents.data() + slot->begin,
                  slot->count, text, size, at, on);
    }
  };
  if (!short_.entries.empty()) in_table(short_);
  if (long_hit) in_table(long_);
  if (mid_hit) in_table(mid_);
}

std::vector<std::uint32_t> PhraseMatcher::Scan(std::string_view text, std::size_t limit) const {
  std::vector<std::uint32_t> found;
  ScanInto(text, limit, found);
  return found;
}

void PhraseMatcher::ScanInto(std::string_view text, std::size_t limit,
                             std::vector<std::uint32_t>& found) const {
  found.clear();
  if (patterns_.empty() || text.empty() || limit == 0) return;
  // A working copy with zero bytes after it (zero is not a word byte), so that the text is read in
  // whole blocks of 64 and compared eight bytes at a time without running off its end.
  thread_local std::string copy;
  const std::size_t n = text.size();
  const std::size_t blocks = (n + 63) / 64;
  core::ResizeUninitialized(copy, blocks * 64 + kPadding);
  core::CopyBytes(copy.data(), text.data(), n);
  std::memset(copy.data() + n, 0, copy.size() - n);
  const char* p = copy.data();
  const bool any_marks = (marks_[0] | marks_[1] | marks_[2] | marks_[3]) != 0;

  Collector collect{group_ends_, limit, found, empty_groups_};
  // Held in locals: the loop below writes to `found`, which the compiler cannot tell apart from
  // this matcher's own vectors.
  const std::uint64_t* const long_filter = long_.filter.data();
  const std::uint64_t* const mid_filter = mid_.filter.data();
  const std::size_t long_mask = long_.filter_mask;
  const std::size_t mid_mask = mid_.filter_mask;
  const bool has_short = !short_.entries.empty();
  std::uint64_t previous_top = 0;  // whether the byte before this block is a word byte
  for (std::size_t block = 0; block < blocks; ++block) {
    const std::size_t base = block * 64;
    const BlockMasks m = Masks(p + base);
    // Word starts: a word byte after a byte that is not one. Padding is never a word byte.
    std::uint64_t anchors = m.words & ~((m.words << 1) | previous_top);
    previous_top = m.words >> 63;
    if (any_marks) {
      std::uint64_t other = ~m.words & (space_mark_ ? ~std::uint64_t{0} : ~m.spaces);
      if (n - base < 64) other &= (std::uint64_t{1} << (n - base)) - 1;  // not the padding
      for (; other != 0; other &= other - 1) {
        const int bit = std::countr_zero(other);
        const auto b = static_cast<unsigned char>(p[base + static_cast<std::size_t>(bit)]);
        if ((marks_[b / 64] >> (b % 64)) & 1) anchors |= std::uint64_t{1} << bit;
      }
    }
    for (; anchors != 0; anchors &= anchors - 1) {
      const std::size_t at = base + static_cast<std::size_t>(std::countr_zero(anchors));
      const std::uint64_t bytes = Load8(p + at);
      const std::size_t long_bit = FilterIndex(bytes & Mask(kLongWidth), long_mask);
      const std::size_t mid_bit = FilterIndex(bytes & Mask(kMidWidth), mid_mask);
      const bool long_hit = (long_filter[long_bit / 64] >> (long_bit % 64)) & 1;
      const bool mid_hit = (mid_filter[mid_bit / 64] >> (mid_bit % 64)) & 1;
      if (long_hit | mid_hit | has_short) [[unlikely]] {
        MatchAt(p, n, at, long_hit, mid_hit, collect);
        if (collect.done) return;
      }
    }
  }
}

bool PhraseMatcher::Occurs(std::string_view text, std::string_view pattern) {
  if (pattern.empty()) return false;
  const bool starts_in_word = IsWordByte(pattern.front());
  const bool ends_in_word = IsWordByte(pattern.back());
  for (std::size_t at = text.find(pattern); at != std::string_view::npos;
       at = text.find(pattern, at + 1)) {
    const std::size_t end = at + pattern.size();
    if (starts_in_word && at > 0 && IsWordByte(text[at - 1])) continue;
    if (ends_in_word && end < text.size() && IsWordByte(text[end])) continue;
    return true;
  }
  return false;
}

std::size_t PhraseMatcher::group(std::uint32_t index) const {
  std::size_t g = 0;
  while (g + 1 < group_ends_.size() && index >= group_ends_[g]) ++g;
  return g;
}

std::size_t PhraseMatcher::group_size(std::size_t group) const {
  if (group >= group_ends_.size()) return 0;
  return group_ends_[group] - (group == 0 ? 0 : group_ends_[group - 1]);
}

std::size_t PhraseMatcher::database_bytes() const {
  std::size_t n = group_ends_.size() * sizeof(std::uint32_t);
  for (const PrefixTable* t : {&long_, &mid_, &short_}) {
    n += t->entries.size() * sizeof(Entry) + t->parents.size() * sizeof(std::int32_t) +
         t->slots.size() * sizeof(Slot) + t->filter.size() * sizeof(std::uint64_t);
  }
  for (const std::string& p : patterns_) n += sizeof(std::string) + p.capacity();
  return n;
}

}  // namespace detect

// Per-guild detection state: what the engine remembers between messages. Shard-local (a guild
// lives on one shard), so no locks. Sized to stay under 256 bytes per tracked member with the map
// node; entries idle longer than the longest window are expired.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <vector>

#include "detect/policy.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace detect::detail {

// Time in 10 ms steps since the engine's epoch (wraps after 497 days; the engine rebases first).
using Tick = std::uint32_t;
inline constexpr std::int64_t kTickMicros = 10'000;

inline Tick Ticks(std::chrono::seconds s) { return static_cast<Tick>(s.count() * 100); }

struct MemberState {
  static constexpr std::size_t kTimes = 16;  // rate: up to 15 allowed per window
  static constexpr std::size_t kHashes = 6;  // duplicates: up to 6 remembered
  std::array<Tick, kTimes> times{};
  std::array<std::uint32_t, kHashes> hashes{};  // low 32 bits of Normalized::letter_print
  std::array<Tick, kHashes> hash_times{};
  Tick last = 0;
  std::uint16_t seen = 0;  // messages this engine has seen from the member (saturating)
  std::uint8_t time_head = 0;
  std::uint8_t time_count = 0;
  std::uint8_t hash_head = 0;
  std::uint8_t hash_count = 0;
};

// The members a guild's detection state tracks: a flat table keyed by user id. The states live in
// one dense array (no node per member, no pointer chase) found through a small open-addressing
// index of 32-bit positions, sized to a power of two (a multiply and a shift, not a division by a
// prime as in std::unordered_map). Growth is by a quarter, so spare capacity stays small.
class MemberTable {
 public:
  // The member's state, created (zeroed) when absent. Valid until the next call that adds or
  // removes members.
  MemberState& operator[](std::uint64_t id) {
    if (index_.empty()) Rehash(16);
    std::size_t slot = Home(id);
    for (;; slot = (slot + 1) & (index_.size() - 1)) {
      const std::uint32_t at = index_[slot];
      if (at == 0) break;
      if (ids_[at - 1] == id) return states_[at - 1];
    }
    if (ids_.size() == ids_.capacity()) {
      const std::size_t more = ids_.size() / 4 + 8;
      ids_.reserve(ids_.size() + more);
      states_.reserve(states_.size() + more);
    }
    ids_.push_back(id);
    states_.emplace_back();
    index_[slot] = static_cast<std::uint32_t>(ids_.size());
    // Keep the index at most three-quarters full.
    if (ids_.size() * 4 > index_.size() * 3) Rehash(index_.size() * 2);
    return states_.back();
  }

  // Starts loading the index slot where `id` is looked for first, so that a look-up some work later
  // does not wait for memory.
  void PrefetchHome(std::uint64_t id) const {
    if (!index_.empty()) __builtin_prefetch(index_.data() + Home(id));
  }
  // Then, once the index slot is in, starts loading the id and the state it points to (the two or
  // three cache lines of a state), if the member is there on the first probe, as most are.
  void PrefetchState(std::uint64_t id) const {
    if (index_.empty()) return;
    const std::uint32_t at = index_[Home(id)];
    if (at == 0) return;
    __builtin_prefetch(ids_.data() + at - 1);
    static_assert(sizeof(MemberState) <= 128);
    const char* state = reinterpret_cast<const char*>(states_.data() + at - 1);
    __builtin_prefetch(state, 1);
    __builtin_prefetch(state + 64, 1);
    __builtin_prefetch(state + sizeof(MemberState) - 1, 1);
  }

  // Removes every member for which pred(state) holds.
  template <typename Pred>
  void EraseIf(Pred pred) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      if (pred(states_[i])) continue;
      if (kept != i) {
        ids_[kept] = ids_[i];
        states_[kept] = states_[i];
      }
      ++kept;
    }
    if (kept == ids_.size()) return;
    ids_.resize(kept);
    states_.resize(kept);
    if (kept * 4 < ids_.capacity()) {  // mostly empty now: give the memory back
      ids_.shrink_to_fit();
      states_.shrink_to_fit();
    }
    std::size_t slots = 16;
    while (kept * 4 > slots * 3) slots *= 2;
    Rehash(slots);
  }

  std::size_t size() const { return ids_.size(); }
  // Heap bytes held, spare capacity included.
  std::size_t bytes() const {
    return ids_.capacity() * sizeof(std::uint64_t) + states_.capacity() * sizeof(MemberState) +
           index_.capacity() * sizeof(std::uint32_t);
  }

 private:
  std::size_t Home(std::uint64_t id) const {
    // Fibonacci hashing: the high bits of the product, as many as the index has.
    return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void Rehash(std::size_t slots) {
    if (slots < index_.capacity() / 2) {
      std::vector<std::uint32_t>(slots, 0).swap(index_);  // assign() would keep the old capacity
    } else {
      index_.assign(slots, 0);
    }
    shift_ = 64;
    for (std::size_t s = slots; s > 1; s >>= 1) --shift_;
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      std::size_t slot = Home(ids_[i]);
      while (index_[slot] != 0) slot = (slot + 1) & (slots - 1);
      index_[slot] = static_cast<std::uint32_t>(i + 1);
    }
  }

  std::vector<std::uint64_t> ids_;
  std::vector<MemberState> states_;
  std::vector<std::uint32_t> index_;  // position in ids_/states_ plus one; 0: empty
  int shift_ = 64;
};

// Who sent one recent text of a guild, for raid_text, since `first`.
struct RaidSenders {
  static constexpr std::size_t kUsers = 6;  // raid_text.users is at most this
  Tick first = 0;
  std::array<std::uint16_t, kUsers> users{};  // 16-bit hashes of the senders' ids
  std::uint8_t count = 0;
};

// A fixed-size open-addressing table of recent texts: memory per guild is constant (about 3 KiB)
// whatever the traffic; when a probe run is full, the stalest entry gives way. The fields a probe
// reads (fingerprint, last seen) are kept in arrays of their own, so a probe of eight slots reads
// two cache lines rather than eight whole entries.
struct RaidTexts {
  static constexpr std::size_t kSlots = 128;
  static constexpr std::size_t kProbe = 8;
  std::array<std::uint64_t, kSlots> prints{};  // Normalized::letter_print; 0: free slot
  std::array<Tick, kSlots> lasts{};
  std::array<RaidSenders, kSlots> senders{};

  // Starts loading the fingerprints and times Find(print, ...) will probe.
  void Prefetch(std::uint64_t print) const {
    const std::size_t home = Home(print);
    __builtin_prefetch(prints.data() + home);
    __builtin_prefetch(prints.data() + home + kProbe - 1);  // 64 bytes: usually two lines
    __builtin_prefetch(lasts.data() + home);
  }
  // Where the probe for `print` starts. A probe never wraps around the end of the table, so its
  // slots are contiguous and read sixteen bytes at a time.
  static std::size_t Home(std::uint64_t print) {
    return static_cast<std::size_t>(print ^ (print >> 29)) % (kSlots - kProbe + 1);
  }

  // The slot for `print`: its entry, or a fresh one (free, expired or the stalest) reset to it.
  // The first of the probed slots that holds `print` wins; failing that the first free one;
  // failing that the first of the stalest. The probe is worked out for all slots at once, as bit
  // masks: a loop that decided slot by slot mispredicted a branch on most messages.
  std::size_t Find(std::uint64_t print, Tick now, Tick window) {
    const std::size_t home = Home(print);
    unsigned same = 0, free = 0;
    Probe(home, print, now, window, same, free);
    if (same != 0) return home + static_cast<std::size_t>(std::countr_zero(same));
    std::size_t victim = home;
    if (free != 0) {
      victim = home + static_cast<std::size_t>(std::countr_zero(free));
    } else {  // every probed slot is in use: the stalest gives way
      for (std::size_t at = home + 1; at < home + kProbe; ++at) {
        if (lasts[at] < lasts[victim]) victim = at;
      }
    }
    prints[victim] = print;
    lasts[victim] = now;
    senders[victim] = RaidSenders{};
    senders[victim].first = now;
    return victim;
  }
  // Bit i of `same`: slot home + i holds `print`; of `free`: it is free or expired.
  void Probe(std::size_t home, std::uint64_t print, Tick now, Tick window, unsigned& same,
             unsigned& free) const {
    static_assert(kProbe == 8);
#if defined(__SSE2__)
    const __m128i want = _mm_set1_epi64x(static_cast<long long>(print));
    unsigned zero = 0;
    for (std::size_t k = 0; k < kProbe; k += 2) {  // two fingerprints at a time
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(prints.data() + home + k));
      // 64-bit equality from 32-bit: both halves equal.
      auto eq64 = [](__m128i a, __m128i b) {
        const __m128i eq = _mm_cmpeq_epi32(a, b);
        return _mm_movemask_pd(
            _mm_castsi128_pd(_mm_and_si128(eq, _mm_shuffle_epi32(eq, _MM_SHUFFLE(2, 3, 0, 1)))));
      };
      same |= static_cast<unsigned>(eq64(v, want)) << k;
      zero |= static_cast<unsigned>(eq64(v, _mm_setzero_si128())) << k;
    }
    // Unsigned comparisons through signed ones: flip the top bits.
    const __m128i flip = _mm_set1_epi32(static_cast<int>(0x80000000u));
    const __m128i now4 = _mm_set1_epi32(static_cast<int>(now));
    const __m128i window4 = _mm_xor_si128(_mm_set1_epi32(static_cast<int>(window)), flip);
    unsigned idle = 0;
    for (std::size_t k = 0; k < kProbe; k += 4) {  // four times at a time
      const __m128i last =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(lasts.data() + home + k));
      const __m128i before = _mm_cmpgt_epi32(_mm_xor_si128(last, flip), _mm_xor_si128(now4, flip));
      const __m128i age = _mm_xor_si128(_mm_sub_epi32(now4, last), flip);
      const __m128i recent = _mm_cmpgt_epi32(window4, age);  // now - last < window
      const __m128i expired = _mm_or_si128(before, _mm_andnot_si128(recent, _mm_set1_epi32(-1)));
      idle |= static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(expired))) << k;
    }
    free = zero | idle;
#else
    for (std::size_t i = 0; i < kProbe; ++i) {
      const std::size_t at = home + i;
      same |= static_cast<unsigned>(prints[at] == print) << i;
      const bool idle = prints[at] == 0 || now < lasts[at] || now - lasts[at] >= window;
      free |= static_cast<unsigned>(idle) << i;
    }
#endif
  }

  std::size_t used() const {
    std::size_t n = 0;
    for (std::uint64_t p : prints) n += p != 0;
    return n;
  }
};

struct JoinWindow {
  static constexpr std::size_t kJoins = 32;  // join_burst.joins is at most this
  std::array<std::uint64_t, kJoins> users{};
  std::array<Tick, kJoins> times{};
  std::uint8_t head = 0;
  std::uint8_t count = 0;
  Tick raid_until = 0;  // raid mode: every joiner until then is marked
};

struct GuildState {
  MemberTable members;
  RaidTexts texts;
  JoinWindow joins;
  std::shared_ptr<const CompiledPolicy> policy;
};

}  // namespace detect::detail

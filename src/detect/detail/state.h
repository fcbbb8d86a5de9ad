// Per-guild detection state: what the engine remembers between messages. Shard-local (a guild
// lives on one shard), so no locks. Sized to stay under 256 bytes per tracked member with the map
// node; entries idle longer than the longest window are expired.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "detect/policy.h"

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

// One text seen recently in a guild, for raid_text: who sent it since `first`.
struct RaidText {
  static constexpr std::size_t kUsers = 6;  // raid_text.users is at most this
  std::uint64_t print = 0;                  // Normalized::letter_print; 0: free slot
  Tick first = 0;
  Tick last = 0;
  std::array<std::uint16_t, kUsers> users{};  // 16-bit hashes of the senders' ids
  std::uint8_t count = 0;
};

// A fixed-size open-addressing table of recent texts: memory per guild is constant (4 KiB)
// whatever the traffic; when a probe run is full, the stalest entry gives way.
struct RaidTexts {
  static constexpr std::size_t kSlots = 128;
  static constexpr std::size_t kProbe = 8;
  std::array<RaidText, kSlots> slots{};

  // The slot for `print`: its entry, or a fresh one (free, expired or the stalest) reset to it.
  RaidText& Find(std::uint64_t print, Tick now, Tick window) {
    const std::size_t home = static_cast<std::size_t>(print ^ (print >> 29)) % kSlots;
    RaidText* victim = nullptr;
    bool victim_free = false;
    for (std::size_t i = 0; i < kProbe; ++i) {
      RaidText& r = slots[(home + i) % kSlots];
      if (r.print == print) return r;
      const bool free = r.print == 0 || now < r.last || now - r.last >= window;
      if (free) {
        if (!victim_free) {
          victim = &r;
          victim_free = true;
        }
      } else if (victim == nullptr || (!victim_free && r.last < victim->last)) {
        victim = &r;
      }
    }
    *victim = RaidText{};
    victim->print = print;
    victim->first = now;
    return *victim;
  }
  std::size_t used() const {
    std::size_t n = 0;
    for (const RaidText& r : slots) n += r.print != 0;
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
  std::unordered_map<std::uint64_t, MemberState> members;
  RaidTexts texts;
  JoinWindow joins;
  std::shared_ptr<const CompiledPolicy> policy;
};

}  // namespace detect::detail

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
  static constexpr std::size_t kHashes = 8;  // duplicates: up to 8 remembered
  std::array<Tick, kTimes> times{};
  std::array<std::uint64_t, kHashes> hashes{};
  std::array<Tick, kHashes> hash_times{};
  Tick last = 0;
  std::uint16_t seen = 0;  // messages this engine has seen from the member (saturating)
  std::uint8_t time_head = 0;
  std::uint8_t time_count = 0;
  std::uint8_t hash_head = 0;
  std::uint8_t hash_count = 0;
};

struct RaidText {
  static constexpr std::size_t kUsers = 8;
  Tick first = 0;
  Tick last = 0;
  std::array<std::uint64_t, kUsers> users{};
  std::uint8_t count = 0;
};

struct JoinWindow {
  static constexpr std::size_t kJoins = 64;
  std::array<std::uint64_t, kJoins> users{};
  std::array<Tick, kJoins> times{};
  std::uint8_t head = 0;
  std::uint8_t count = 0;
  Tick raid_until = 0;  // raid mode: every joiner until then is marked
};

struct GuildState {
  std::unordered_map<std::uint64_t, MemberState> members;
  std::unordered_map<std::uint64_t, RaidText> texts;  // by letters-only text hash
  JoinWindow joins;
  std::shared_ptr<const CompiledPolicy> policy;
};

}  // namespace detect::detail

// Small integer hashing shared by the engine's tables and fingerprints.
#pragma once

#include <cstdint>

namespace core {

// MurmurHash3's 64-bit finaliser: every input bit affects every output bit. A bijection, so
// distinct inputs stay distinct.
constexpr std::uint64_t Fmix64(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace core

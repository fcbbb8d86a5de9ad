// Small string helpers shared by the hot paths.
#pragma once

#include <cstddef>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

namespace core {

// Sets the size of `s` to `n` without writing the new bytes (resize would zero them first, a
// measurable cost on a short message); the caller writes every byte it keeps, then trims.
inline void ResizeUninitialized(std::string& s, std::size_t n) {
  s.resize_and_overwrite(n, [](char*, std::size_t size) { return size; });
}

// Hashes a std::string key and a std::string_view probe alike, so that unordered containers keyed
// by strings (with std::equal_to<>) are searched without building a temporary string.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

namespace detail {
// `kSize` bytes from `src` to `dst` (a fixed size: plain loads and stores, no call).
template <std::size_t kSize>
inline void CopyBlock(char* dst, const char* src) {
  char block[kSize];
  std::memcpy(block, src, kSize);
  std::memcpy(dst, block, kSize);
}
}  // namespace detail

// Copies `n` bytes (short texts) like memcpy, but inline: libc's memcpy picks its way by the size
// in code shared by every caller, so where callers copy texts of varying lengths its branches
// mispredict (measured on the detection stream). Here each call site has its own. Blocks of
// sixteen bytes, the last one overlapping the one before; shorter texts as two overlapping halves.
inline void CopyBytes(char* dst, const char* src, std::size_t n) {
  if (n >= 16) {
    for (std::size_t i = 0; i + 16 < n; i += 16) detail::CopyBlock<16>(dst + i, src + i);
    detail::CopyBlock<16>(dst + n - 16, src + n - 16);
  } else if (n >= 8) {
    detail::CopyBlock<8>(dst, src);
    detail::CopyBlock<8>(dst + n - 8, src + n - 8);
  } else if (n >= 4) {
    detail::CopyBlock<4>(dst, src);
    detail::CopyBlock<4>(dst + n - 4, src + n - 4);
  } else if (n > 0) {
    dst[0] = src[0];
    dst[n / 2] = src[n / 2];
    dst[n - 1] = src[n - 1];
  }
}

}  // namespace core

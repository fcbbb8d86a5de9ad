// Small string helpers shared by the hot paths.
#pragma once

#include <cstddef>
#include <string>

namespace core {

// Sets the size of `s` to `n` without writing the new bytes (resize would zero them first, a
// measurable cost on a short message); the caller writes every byte it keeps, then trims.
inline void ResizeUninitialized(std::string& s, std::size_t n) {
  s.resize_and_overwrite(n, [](char*, std::size_t size) { return size; });
}

}  // namespace core

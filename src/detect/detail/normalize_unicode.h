// The general (utf8proc) normalisation path, exposed so tests can check that the ASCII fast path
// in Normalize() gives exactly the same result.
#pragma once

#include <string_view>

#include "detect/normalize.h"

namespace detect::detail {

Normalized NormalizeUnicode(std::string_view utf8);
// The shape of any input, valid UTF-8 or not (the general path's; the fast path counts as it goes).
TextShape ShapeOf(std::string_view text);
// Tests only: whether the fast path may use SSSE3 where the CPU has it (so the SSE2 fallback is
// tested too). Returns the previous setting. Not thread-safe.
bool UseSsse3ForTesting(bool on);

}  // namespace detect::detail

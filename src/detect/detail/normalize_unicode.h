// The general (utf8proc) normalisation path, exposed so tests can check that the ASCII fast path
// in Normalize() gives exactly the same result.
#pragma once

#include <string_view>

#include "detect/normalize.h"

namespace detect::detail {

Normalized NormalizeUnicode(std::string_view utf8);

}  // namespace detect::detail

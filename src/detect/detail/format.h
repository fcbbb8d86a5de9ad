// Formatting the reasons and evidence that checks fire with.
#pragma once

#include <fmt/compile.h>
#include <fmt/format.h>

#include <string>
#include <utility>

namespace detect::detail {

// fmt::format, made in a stack buffer and copied into the string once. fmt::format with a compiled
// format string appends to its std::string piece by piece, reallocating it as it outgrows the
// small-string buffer: most of the cost of firing a check.
template <typename Spec, typename... Args>
std::string Format(const Spec& format, Args&&... args) {
  fmt::memory_buffer buffer;
  fmt::format_to(fmt::appender(buffer), format, std::forward<Args>(args)...);
  return std::string(buffer.data(), buffer.size());
}

}  // namespace detect::detail

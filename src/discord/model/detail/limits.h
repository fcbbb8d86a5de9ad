// Length checks for request bodies, counted in Unicode code points as Discord counts characters.
// Internal.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string_view>

#include "core/result.h"

namespace discord::detail {

// Code points of UTF-8 text (continuation bytes are not counted).
inline std::size_t CodePoints(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// kInvalidArgument, convertible to any core::Result.
[[nodiscard]] inline std::unexpected<core::Error> Invalid(std::string message,
                                                          std::string subject) {
  return core::Fail(core::ErrorCode::kInvalidArgument, std::move(message), std::move(subject));
}

// `what` must be lo..hi characters: "embeds[0].title is 300 characters (at most 256)".
inline core::Result<void> CheckLength(std::string_view what, std::string_view text, std::size_t lo,
                                      std::size_t hi) {
  const std::size_t n = CodePoints(text);
  if (n < lo) {
    return Invalid(lo == 1 ? fmt::format("{} is empty", what)
                           : fmt::format("{} is {} characters (at least {})", what, n, lo),
                   std::string(what));
  }
  if (n > hi) {
    return Invalid(fmt::format("{} is {} characters (at most {})", what, n, hi), std::string(what));
  }
  return {};
}

template <class T>
core::Result<void> CheckRange(std::string_view what, T value, T lo, T hi) {
  if (value < lo || value > hi) {
    return Invalid(fmt::format("{} is {} (allowed {}..{})", what, value, lo, hi),
                   std::string(what));
  }
  return {};
}

}  // namespace discord::detail

// Returns the error of a core::Result<void> expression from the enclosing function.
#define DISCORD_MODEL_CHECK(expr)                                      \
  do {                                                                 \
    if (auto discord_model_check_ = (expr); !discord_model_check_) {   \
      return std::unexpected(std::move(discord_model_check_.error())); \
    }                                                                  \
  } while (false)

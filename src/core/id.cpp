#include "core/id.h"

#include <charconv>
#include <string>

namespace core {

Result<std::uint64_t> ParseSnowflake(std::string_view text, std::string_view what) {
  auto invalid = [&] {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(what) + " must be 1-20 decimal digits within 64 bits",
                std::string(what));
  };
  if (text.empty() || text.size() > 20) return invalid();
  for (char c : text) {
    if (c < '0' || c > '9') return invalid();
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return invalid();
  return value;
}

}  // namespace core

#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

namespace core {

Result<void> SetupLogging(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  // from_str answers `off` for unknown names; only accept `off` when it was asked for.
  if (parsed == spdlog::level::off && level != "off") {
    return Fail(ErrorCode::kInvalidArgument,
                "unknown log level '" + std::string(level) +
                    "' (expected trace, debug, info, warn, error, critical or off)",
                "log_level");
  }
  auto logger = spdlog::get("antispam");
  if (!logger) logger = spdlog::stderr_color_mt("antispam");
  spdlog::set_default_logger(logger);
  spdlog::set_level(parsed);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  return {};
}

}  // namespace core

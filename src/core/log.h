// Logging goes through spdlog's default logger; this sets it up once at start-up.
#pragma once

#include <string_view>

#include "core/result.h"

namespace core {

// Levels: trace, debug, info, warn, error, critical, off. An unknown name is kInvalidArgument.
Result<void> SetupLogging(std::string_view level);

}  // namespace core

#include "core/clock.h"

namespace core {

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::chrono::steady_clock::time_point SystemClock::Steady() const {
  return std::chrono::steady_clock::now();
}

const Clock& DefaultClock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace core

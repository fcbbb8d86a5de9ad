// Time comes from an injected Clock. Only clock.cpp reads the real clocks; tests use ManualClock.
#pragma once

#include <chrono>

namespace core {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// Thread-safe: implementations may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for timestamps written to storage or shown to people.
  virtual Timestamp Now() const = 0;
  // Monotonic time, for measuring durations and deadlines.
  virtual std::chrono::steady_clock::time_point Steady() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
  std::chrono::steady_clock::time_point Steady() const override;
};

// The process-wide system clock, for the composition root to inject.
const Clock& DefaultClock();

}  // namespace core

// A Clock that moves only when told to. Not thread-safe: drive it from the test thread.
#pragma once

#include "core/clock.h"

namespace core::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start = Timestamp(std::chrono::seconds(1'750'000'000)))
      : now_(start) {}
  Timestamp Now() const override { return now_; }
  std::chrono::steady_clock::time_point Steady() const override {
    return std::chrono::steady_clock::time_point(now_.time_since_epoch());
  }
  void Advance(std::chrono::microseconds d) { now_ += d; }

 private:
  Timestamp now_;
};

}  // namespace core::testing

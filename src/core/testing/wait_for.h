// For tests over real sockets and threads: poll a condition until it holds or a limit passes,
// so a test waits only as long as it must and a hang fails the test instead of the suite.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace core::testing {

// True once `done()` holds; false when `limit` passed first.
inline bool WaitFor(const std::function<bool()>& done,
                    std::chrono::milliseconds limit = std::chrono::seconds(15)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace core::testing

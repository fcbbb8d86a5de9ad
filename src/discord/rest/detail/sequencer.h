// One request at a time per key, first come first served: the REST client's per-bucket queue (as
// discord.js' SequentialHandler). Until a bucket's first response names its limits the rate
// limiter cannot count for it, so requests on one route and major parameter go one after another.
// Internal to discord/rest. Not thread-safe: used from the client's executor only.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <map>
#include <memory>
#include <string>

namespace discord::rest::detail {

class Sequencer {
 public:
  explicit Sequencer(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

  // Waits until `key` is free and takes it; the caller must Release(key) exactly once after.
  boost::asio::awaitable<void> Acquire(const std::string& key) {
    Slot& slot = slots_[key];
    if (!slot.busy) {
      slot.busy = true;
      co_return;
    }
    auto wake = std::make_shared<boost::asio::steady_timer>(
        executor_, boost::asio::steady_timer::time_point::max());
    slot.waiters.push_back(wake);
    boost::system::error_code ignored;  // cancelled by Release: the key is handed over
    co_await wake->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  }

  // Hands `key` to the next waiter, or frees it.
  void Release(const std::string& key) {
    auto it = slots_.find(key);
    if (it == slots_.end()) return;
    if (it->second.waiters.empty()) {
      slots_.erase(it);
      return;
    }
    auto next = std::move(it->second.waiters.front());
    it->second.waiters.pop_front();
    next->cancel();
  }

  std::size_t busy_keys() const { return slots_.size(); }

 private:
  struct Slot {
    bool busy = false;
    std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters;
  };
  boost::asio::any_io_executor executor_;
  std::map<std::string, Slot> slots_;
};

}  // namespace discord::rest::detail

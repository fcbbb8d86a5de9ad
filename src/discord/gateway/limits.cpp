#include "discord/gateway/limits.h"

#include <algorithm>

namespace discord::gateway {

IdentifyLimiter::IdentifyLimiter(const core::Clock& clock, int max_concurrency)
    : clock_(clock), max_concurrency_(std::max(1, max_concurrency)) {}

core::Timestamp IdentifyLimiter::Reserve(int shard_id) {
  const int key = (shard_id % max_concurrency_ + max_concurrency_) % max_concurrency_;
  core::Timestamp at = clock_.Now();
  if (auto it = last_.find(key); it != last_.end()) at = std::max(at, it->second + kSpacing);
  last_[key] = at;
  return at;
}

SendLimiter::SendLimiter(const core::Clock& clock) : clock_(clock) {}

core::Timestamp SendLimiter::Reserve(bool important) {
  const core::Timestamp now = clock_.Now();
  while (!sent_.empty() && sent_.front() + kWindow <= now) sent_.pop_front();
  const std::size_t cap = important ? kLimit : kOrdinary;
  core::Timestamp at = now;
  // Sends are reserved in time order, so the window ending at `at` holds the last `cap` of them
  // at most: wait until the one `cap` places back has left it.
  if (sent_.size() >= cap) at = std::max(at, sent_[sent_.size() - cap] + kWindow);
  if (!sent_.empty()) at = std::max(at, sent_.back());
  sent_.push_back(at);
  return at;
}

}  // namespace discord::gateway

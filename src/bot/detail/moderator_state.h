// Moderator's private state, shared by moderator.cpp (events and the flag workflow) and
// moderator_cases.cpp (moderators' actions). Not part of the bot's interface.
#pragma once

#include <spdlog/spdlog.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "bot/blocking.h"
#include "bot/moderator.h"

namespace bot {

// What an outcome does to the member's reputation (global and in the server); a reopened case
// takes it back.
inline double ReputationOf(store::VerificationStatus s) {
  switch (s) {
    case store::VerificationStatus::kVerified:
      return 0.2;
    case store::VerificationStatus::kBanned:
      return -0.5;
    case store::VerificationStatus::kKicked:
    case store::VerificationStatus::kRejected:
      return -0.3;
    case store::VerificationStatus::kPending:
    case store::VerificationStatus::kReopened:
      return 0.0;
  }
  return 0.0;
}

struct Moderator::Detection {
  core::GuildId guild;
  core::UserId user;
  std::string username;
  std::optional<core::Timestamp> joined_at;
  std::optional<core::ChannelId> channel;
  std::optional<core::MessageId> message;
  std::string content;
  detect::Verdict verdict;
  core::Timestamp at;
  std::chrono::steady_clock::time_point arrived;
  MemberContext context;
  // A moderator's /flag: no signals, this reason, detection type manual.
  std::optional<core::UserId> manual_by;
  std::string manual_reason;
};

struct Moderator::GuildState {
  struct Join {
    core::UserId user;
    std::string username;
    core::Timestamp at;
  };
  std::optional<discord::GuildRoles> roles;  // from GUILD_CREATE
  std::deque<RecentMessage> recent;
  // Recent joiners, so that a join burst can flag the earlier joiners of its window too.
  std::deque<Join> joins;
  bool contexts_loaded = false;
};

// Waits until `state` is free, then holds it: a member's case is changed by one workflow at a
// time. All on the I/O executor, so a flag and a queue of waiters (each on its own timer, woken
// one at a time in arrival order) are the whole lock.
inline boost::asio::awaitable<void> LockCase(std::shared_ptr<CaseState> state) {
  while (state->busy) {
    auto timer = std::make_shared<boost::asio::steady_timer>(
        co_await boost::asio::this_coro::executor, boost::asio::steady_timer::time_point::max());
    state->waiters.push_back(timer);
    boost::system::error_code ec;
    co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  state->busy = true;
}

inline void UnlockCase(CaseState& state) {
  state.busy = false;
  if (!state.waiters.empty()) {
    state.waiters.front()->cancel();
    state.waiters.pop_front();
  }
}

// Holds a case's lock for a scope (released however the scope ends).
struct CaseLock {
  std::shared_ptr<CaseState> state;
  CaseLock() = default;
  explicit CaseLock(std::shared_ptr<CaseState> s) : state(std::move(s)) {}
  CaseLock(const CaseLock&) = delete;
  CaseLock& operator=(const CaseLock&) = delete;
  ~CaseLock() { Release(); }
  void Release() {
    if (state) UnlockCase(*state);
    state.reset();
  }
};

// Counts a coroutine of the moderator as running, for a graceful shutdown.
struct InFlight {
  int& n;
  explicit InFlight(int& counter) : n(counter) { ++n; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  ~InFlight() { --n; }
};

template <class F>
boost::asio::awaitable<std::invoke_result_t<F>> Moderator::Db(std::string_view what, F fn) {
  auto delay = options_.db_backoff;
  for (int attempt = 1;; ++attempt) {
    auto r = co_await OnPool(deps_.db, fn);
    if (r) co_return r;
    // Only a call that never reached the server is repeated (no connection could be made, or
    // none was free): one whose connection broke may have committed, and the writes here are
    // not all idempotent.
    const bool transient = r.error().code == core::ErrorCode::kUnavailable;
    if (!transient || attempt >= options_.db_attempts) {
      ++stats_.db_failures;
      spdlog::error("database: {} failed: {}", what, r.error().ToString());
      co_return r;
    }
    boost::asio::steady_timer timer(deps_.io, delay);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    delay *= 2;
  }
}

}  // namespace bot

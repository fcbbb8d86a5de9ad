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
#include <optional>
#include <string>

#include "bot/blocking.h"
#include "bot/moderator.h"

namespace bot {

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
  std::optional<discord::GuildRoles> roles;  // from GUILD_CREATE
  std::deque<RecentMessage> recent;
  bool contexts_loaded = false;
};

// Waits until `state` is free, then holds it: a member's case is changed by one workflow at a
// time (all on the I/O executor, so a flag and a timer are the whole lock).
inline boost::asio::awaitable<void> LockCase(std::shared_ptr<CaseState> state) {
  while (state->busy) {
    if (!state->wake) {
      state->wake =
          std::make_shared<boost::asio::steady_timer>(co_await boost::asio::this_coro::executor);
    }
    state->wake->expires_at(boost::asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await state->wake->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  state->busy = true;
}

inline void UnlockCase(CaseState& state) {
  state.busy = false;
  if (state.wake) state.wake->cancel();
}

template <class F>
boost::asio::awaitable<std::invoke_result_t<F>> Moderator::Db(std::string_view what, F fn) {
  auto delay = options_.db_backoff;
  for (int attempt = 1;; ++attempt) {
    auto r = co_await OnPool(deps_.db, fn);
    if (r) co_return r;
    const auto code = r.error().code;
    const bool transient = code == core::ErrorCode::kUnavailable ||
                           code == core::ErrorCode::kConnectionLost ||
                           code == core::ErrorCode::kTimeout;
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

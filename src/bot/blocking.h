// Blocking work (libpqxx is synchronous) off the I/O thread (DESIGN §3): `co_await OnPool(pool,
// fn)` runs fn on the pool and resumes the awaiting coroutine on its own executor with fn's
// result. The I/O executor is kept busy (a work guard) while fn runs, so io_context::run does not
// return under it.
#pragma once

// clang-format off
#include <utility>
#include <boost/asio/awaitable.hpp>
// clang-format on
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <expected>
#include <type_traits>

#include "core/result.h"

namespace bot {

namespace detail {
template <class T>
struct IsExpected : std::false_type {};
template <class T, class E>
struct IsExpected<std::expected<T, E>> : std::true_type {};

// fn(), with an exception (a bug, or bad_alloc) turned into an error when the result can carry
// one; otherwise it would escape a pool thread and end the process, and the awaiting coroutine
// would never resume.
template <class F, class R = std::invoke_result_t<F&>>
R Call(F& fn) {
  if constexpr (IsExpected<R>::value) {
    try {
      return fn();
    } catch (const std::exception& e) {
      return std::unexpected(core::Error{core::ErrorCode::kInternal, e.what(), "exception"});
    } catch (...) {
      return std::unexpected(
          core::Error{core::ErrorCode::kInternal, "unknown exception", "exception"});
    }
  } else {
    return fn();
  }
}
}  // namespace detail

template <class F, class R = std::invoke_result_t<F>>
boost::asio::awaitable<R> OnPool(boost::asio::thread_pool& pool, F fn) {
  namespace asio = boost::asio;
  // A plain callback rather than a coroutine lambda: GCC 12 mishandles captures in coroutine
  // lambdas.
  auto initiate = [&pool](auto handler, F f) {
    auto io = asio::get_associated_executor(handler);
    auto guard = asio::make_work_guard(io);
    asio::post(
        pool, [handler = std::move(handler), f = std::move(f), guard = std::move(guard)]() mutable {
          R result = detail::Call(f);
          auto io = guard.get_executor();
          asio::dispatch(
              io, [handler = std::move(handler), result = std::move(result),
                   guard = std::move(guard)]() mutable { std::move(handler)(std::move(result)); });
        });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(R)>(
      std::move(initiate), asio::use_awaitable, std::move(fn));
}

}  // namespace bot

// A fixed-size pool of PostgreSQL connections, and the boundary where libpqxx exceptions become
// typed core::Error values.
//
// Thread-safe: any thread may call Run(); each call holds one connection for its duration, so at
// most `size` calls run at once and the rest wait (up to acquire_timeout). Run() blocks on network
// I/O: call it from the database executor, never from an I/O thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/result.h"
#include "store/pg/options.h"

namespace store::pg {

class Session;  // store/pg/detail/session.h: one connection, used by repositories.

class Pool {
 public:
  // Does not connect; the first Run() does. Validate the URL early with Ping().
  explicit Pool(PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Runs `body` with a connection. Any libpqxx exception thrown inside becomes an Error:
  // unique violations -> kConflict, other integrity violations -> kConstraintViolation (subject:
  // the constraint), invalid input -> kInvalidArgument, lost connection -> kConnectionLost (the
  // connection is discarded and the next call reconnects), unreachable server -> kUnavailable.
  // `what` names the operation in error messages ("servers.upsert").
  // `body` may return a value or a Result<T>; the result is flattened.
  template <class F>
  auto Run(std::string_view what, F&& body);

  // Runs `body` (no arguments, returning a core::Result) inside one transaction on one
  // connection: every Run() of this pool that `body` makes on this thread joins it, so repository
  // calls compose into an all-or-nothing write. Commits when `body` returns a value and every
  // statement in it succeeded; otherwise rolls back and returns the first error. Not reentrant.
  template <class F>
  auto Transaction(std::string_view what, F&& body);

  // Opens (or reuses) a connection and runs `SELECT 1`.
  core::Result<void> Ping();

  // Server round trips made through this pool so far (statements, BEGIN/COMMIT, prepares).
  std::uint64_t round_trips() const { return round_trips_.load(std::memory_order_relaxed); }
  const PoolOptions& options() const { return options_; }

 private:
  core::Result<void> RunImpl(std::string_view what, const std::function<void(Session&)>& body);
  // Opens the transaction Transaction() joins; `body` returns false to roll back.
  core::Result<void> TransactionImpl(std::string_view what, const std::function<bool()>& body);
  core::Result<std::unique_ptr<Session>> Acquire();
  void Release(std::unique_ptr<Session> session);

  PoolOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Session>> idle_;  // guarded by mu_
  int open_ = 0;                                // guarded by mu_: idle + checked out
  std::atomic<std::uint64_t> round_trips_{0};

  friend class Session;
};

namespace detail {
template <class T>
struct IsResult : std::false_type {};
template <class T>
struct IsResult<core::Result<T>> : std::true_type {
  using Value = T;
};
}  // namespace detail

template <class F>
auto Pool::Run(std::string_view what, F&& body) {
  using R = std::invoke_result_t<F, Session&>;
  if constexpr (detail::IsResult<R>::value) {
    std::optional<R> out;
    auto status = RunImpl(what, [&](Session& s) { out.emplace(body(s)); });
    if (!status) return R(std::unexpected(status.error()));
    return std::move(*out);
  } else if constexpr (std::is_void_v<R>) {
    return RunImpl(what, [&](Session& s) { body(s); });
  } else {
    std::optional<R> out;
    auto status = RunImpl(what, [&](Session& s) { out.emplace(body(s)); });
    if (!status) return core::Result<R>(std::unexpected(status.error()));
    return core::Result<R>(std::move(*out));
  }
}

template <class F>
auto Pool::Transaction(std::string_view what, F&& body) {
  using R = std::invoke_result_t<F>;
  static_assert(detail::IsResult<R>::value, "Transaction's body returns a core::Result");
  std::optional<R> out;
  auto status = TransactionImpl(what, [&] {
    out.emplace(body());
    return out->has_value();
  });
  if (!status && (!out || out->has_value())) return R(std::unexpected(status.error()));
  return std::move(*out);
}

}  // namespace store::pg

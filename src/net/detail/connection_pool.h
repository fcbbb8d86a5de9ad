// Idle HTTP/1.1 connections kept open for reuse, per (scheme, host, port). Internal to net: the
// HttpClient takes a connection for each exchange and gives it back when the response left it
// reusable.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/clock.h"

namespace net::detail {

// One open connection, plain or TLS. Owned by one exchange at a time, or by the pool while idle.
struct PooledConnection {
  using Plain = boost::beast::tcp_stream;
  using Tls = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  // An unconnected stream; a TLS one uses the process's verifying client context.
  PooledConnection(const boost::asio::any_io_executor& executor, bool tls);

  Plain& Tcp();  // the lowest layer, for deadlines and closing

  std::variant<Plain, Tls> stream;
  std::chrono::steady_clock::time_point idle_since{};  // when parked, by the pool's Clock
};

// How long a discarded TLS connection may take to exchange close_notify before it is dropped.
inline constexpr std::chrono::seconds kTlsShutdownTimeout{2};

// Closes `conn` without blocking: a plain connection at once; a TLS one sends close_notify first,
// in a detached coroutine on the connection's executor bounded by kTlsShutdownTimeout (if that
// io_context is destroyed before the coroutine ran, the socket is simply closed). Null is a no-op.
void Discard(std::unique_ptr<PooledConnection> conn);

// Thread-safe: Take, Put and Idle lock `mu_`, which is never held across I/O; connections are
// discarded after it is released. Keys are opaque ("https://host:port").
class ConnectionPool {
 public:
  // `max_idle_per_host` 0 keeps nothing (pooling off). `clock` measures idle age and must outlive
  // the pool.
  ConnectionPool(std::size_t max_idle_per_host, std::chrono::milliseconds idle_timeout,
                 const core::Clock& clock);
  ~ConnectionPool();  // discards every idle connection
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // The connection parked most recently for `key` if it has been idle less than the idle timeout,
  // else null. Connections idle that long or longer are discarded on the way.
  std::unique_ptr<PooledConnection> Take(const std::string& key);
  // Parks `conn` for reuse, or discards it when `key` already has max_idle_per_host idle.
  void Put(const std::string& key, std::unique_ptr<PooledConnection> conn);
  // Idle connections over all keys.
  std::size_t Idle() const;

 private:
  const std::size_t max_idle_per_host_;
  const std::chrono::milliseconds idle_timeout_;
  const core::Clock& clock_;
  mutable std::mutex mu_;
  // Per key, oldest first. Guarded by mu_.
  std::unordered_map<std::string, std::vector<std::unique_ptr<PooledConnection>>> idle_;
};

}  // namespace net::detail

// A small HTTP/1.1 client over Boost.Beast, for outbound calls: the LLM endpoint and Discord's REST
// API. Connections are kept alive and pooled per (scheme, host, port); concurrent requests to one
// host each get their own connection (no pipelining, no head-of-line blocking). TLS (OpenSSL)
// verifies the peer and its host name against the system's CA store; `http://` is plain, for local
// servers (llama.cpp, vLLM, Ollama) and tests.
//
// Coroutine-based: Send is co_awaited on the caller's executor and never blocks a thread.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace net {

namespace detail {
class ConnectionPool;
}

struct Url {
  bool tls = false;
  std::string host;
  std::string port;    // "443", "80" or as given
  std::string target;  // path and query, at least "/"
  // http(s)://host[:port][/path] (with `websocket`: ws(s)://...); anything else (other schemes,
  // userinfo, spaces, an empty host, a bad port) is an invalid_argument error naming the problem.
  static core::Result<Url> Parse(std::string_view url, bool websocket = false);
};

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The first header of that name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

struct HttpClientOptions {
  // Idle connections kept per (scheme, host, port); 0 turns pooling off.
  std::size_t max_idle_per_host = 8;
  // A connection idle this long is closed instead of reused (servers drop idle ones too, often
  // after 60 s or less; one they dropped sooner costs a retry, see Send).
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
  // The User-Agent header unless the request carries its own (Discord wants
  // "DiscordBot ($url, $version)": https://discord.com/developers/docs/reference#user-agent).
  std::string user_agent = "antispam";
  // Measurement only (benchmarks): called on the client's executor each time a request has been
  // written whole to its connection, with the method, the URL's target (path and query) and the
  // time. Unset in production.
  std::function<void(std::string_view method, std::string_view target,
                     std::chrono::steady_clock::time_point written)>
      on_written;
};

// Counts since construction, for tests and benchmarks.
struct HttpClientStats {
  std::uint64_t connections_opened = 0;  // TCP connections established (TLS ones included)
  std::uint64_t requests_sent = 0;       // exchanges started; a retried request counts twice
  std::uint64_t reuses = 0;              // exchanges on a pooled connection
  std::uint64_t retries = 0;  // requests repeated on a fresh connection after a pooled one failed
};

// Thread-safe: Send may run concurrently, from coroutines on one executor or from several threads.
// The pool is guarded by a mutex never held across I/O, each exchange owns its connection, and the
// counters are atomic. The client must outlive every Send it started; the executor's io_context
// must outlive the client (idle TLS connections are shut down by coroutines posted to it).
class HttpClient {
 public:
  // Default options and the system clock. (An overload rather than default arguments: GCC 12
  // mis-destroys a default argument's temporary HttpClientOptions when constructed in a coroutine.)
  explicit HttpClient(boost::asio::any_io_executor executor);
  // `clock` measures how long connections sit idle and must outlive the client; the exchange's
  // deadline uses the real steady clock, as Asio's timers do.
  HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options,
             const core::Clock& clock = core::DefaultClock());
  ~HttpClient();  // closes the idle connections
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // The whole exchange (resolve, connect, TLS, write, read) must finish within `timeout`:
  // otherwise kTimeout. Connection failures are kUnavailable; a response too large (> 4 MiB) or
  // malformed is kInvalidArgument. Any HTTP status is a response, not an error.
  //
  // Takes an idle pooled connection for the URL's (scheme, host, port) if there is one, else
  // opens one. A pooled connection the server closed meanwhile is expected: when the request on
  // it fails before any response byte arrived (a write error, or end of stream or a reset on the
  // read), it is sent once more on a fresh connection, within the same `timeout`. A server that
  // read the request and then closed without answering therefore sees it twice. Nothing else is
  // retried: not a partial response, not a timeout, not a failure on a fresh connection.
  //
  // The connection goes back to the pool after a complete response unless either side said
  // `Connection: close` (or the response was HTTP/1.0 without keep-alive, or its body ran to the
  // end of the stream), or the host already has max_idle_per_host idle connections.
  [[nodiscard]] boost::asio::awaitable<core::Result<HttpResponse>> Send(
      HttpRequest request, std::chrono::milliseconds timeout);

  HttpClientStats stats() const;
  std::size_t idle_connections() const;  // over all hosts

 private:
  boost::asio::any_io_executor executor_;
  HttpClientOptions options_;
  std::unique_ptr<detail::ConnectionPool> pool_;
  std::atomic<std::uint64_t> connections_opened_{0};
  std::atomic<std::uint64_t> requests_sent_{0};
  std::atomic<std::uint64_t> reuses_{0};
  std::atomic<std::uint64_t> retries_{0};
};

}  // namespace net

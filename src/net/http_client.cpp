#include "net/http_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <memory>
#include <variant>

#include "net/detail/connect.h"
#include "net/detail/connection_pool.h"

namespace net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr std::size_t kMaxBody = 4 * 1024 * 1024;

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

core::Error FromBeast(const beast::error_code& ec, std::string_view what, const Url& url) {
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
    return core::Error{
        core::ErrorCode::kUnavailable,
        fmt::format("{}:{} closed the connection without a complete response", url.host, url.port),
        url.host};
  }
  if (ec == http::error::body_limit ||
      ec.category() == http::make_error_code(http::error::bad_target).category()) {
    return core::Error{
        core::ErrorCode::kInvalidArgument,
        fmt::format("bad HTTP response from {}:{}: {}", url.host, url.port, ec.message()),
        url.host};
  }
  return detail::ConnectError(ec, what, url);
}

// The request as sent: Host, the default User-Agent, then the caller's headers (which replace
// either), keep-alive (HTTP/1.1's default) unless the caller asked for `Connection: close`.
core::Result<http::request<http::string_body>> BuildRequest(const HttpRequest& request,
                                                            const Url& url,
                                                            const std::string& user_agent) {
  http::request<http::string_body> req;
  req.method(http::string_to_verb(request.method));
  if (req.method() == http::verb::unknown) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "unknown HTTP method " + request.method);
  }
  req.target(url.target);
  req.version(11);
  req.set(http::field::host, url.host);
  req.set(http::field::user_agent, user_agent);
  for (const auto& [k, v] : request.headers) req.set(k, v);
  req.body() = request.body;
  req.prepare_payload();
  return req;
}

// The pool key: connections are shared only between requests with the same scheme, host and port.
std::string PoolKey(const Url& url) {
  return fmt::format("{}://{}:{}", url.tls ? "https" : "http", url.host, url.port);
}

struct Outcome {
  core::Result<HttpResponse> result;
  bool reusable = false;  // complete, keep-alive on both sides, nothing left over
  bool stale = false;     // failed before any response byte: the peer had closed the connection
};

// A read that ended before the first response byte with one of these means the server had
// closed the connection (a pooled one, typically) rather than refused the request.
bool ClosedBeforeAnswering(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

template <typename Stream>
asio::awaitable<Outcome> Exchange(Stream& stream, beast::tcp_stream& tcp_layer,
                                  http::request<http::string_body>& req, const Url& url,
                                  std::chrono::steady_clock::time_point deadline,
                                  const HttpClientOptions& options) {
  beast::error_code ec;
  tcp_layer.expires_at(deadline);
  // Written through an explicit initiation so that the measurement hook runs right after it:
  // asio sends at once inside the initiation when the socket can take the bytes, while the
  // completion the coroutine resumes on may wait behind other ready work on the executor.
  auto initiate = [&](auto handler) {
    http::async_write(stream, req,
                      [&ec, handler = std::move(handler)](beast::error_code e, std::size_t) mutable {
                        ec = e;
                        std::move(handler)();
                      });
    if (options.on_written) {
      const auto method = req.method_string();
      const auto target = req.target();
      options.on_written(std::string_view(method.data(), method.size()),
                         std::string_view(target.data(), target.size()),
                         std::chrono::steady_clock::now());
    }
  };
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(initiate,
                                                                       asio::use_awaitable);
  if (ec) {
    const bool timed_out = ec == beast::error::timeout || ec == asio::error::operation_aborted;
    co_return Outcome{std::unexpected(FromBeast(ec, "writing to", url)), false, !timed_out};
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  if (req.method() == http::verb::head) parser.skip(true);
  tcp_layer.expires_at(deadline);
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    const bool nothing_read = !parser.got_some() && buffer.size() == 0;
    co_return Outcome{std::unexpected(FromBeast(ec, "reading from", url)), false,
                      nothing_read && ClosedBeforeAnswering(ec)};
  }
  tcp_layer.expires_never();
  HttpResponse out;
  const auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res)
    out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  const bool reusable =
      parser.is_done() && parser.keep_alive() && req.keep_alive() && buffer.size() == 0;
  out.body = parser.release().body();
  co_return Outcome{std::move(out), reusable, false};
}

asio::awaitable<core::Result<std::unique_ptr<detail::PooledConnection>>> Open(
    const asio::any_io_executor& executor, const Url& url,
    std::chrono::steady_clock::time_point deadline) {
  auto endpoints = co_await detail::Resolve(executor, url);
  if (!endpoints) co_return std::unexpected(endpoints.error());
  if (std::chrono::steady_clock::now() >= deadline) {
    co_return core::Fail(core::ErrorCode::kTimeout, fmt::format("resolving {} timed out", url.host),
                         url.host);
  }
  auto conn = std::make_unique<detail::PooledConnection>(executor, url.tls);
  auto* tls = std::get_if<detail::PooledConnection::Tls>(&conn->stream);
  core::Result<void> connected;
  if (tls != nullptr) {
    connected = co_await detail::ConnectTls(*tls, *endpoints, url, deadline);
  } else {
    connected = co_await detail::ConnectTcp(conn->Tcp(), *endpoints, url, deadline);
  }
  if (!connected) co_return std::unexpected(connected.error());
  co_return std::move(conn);
}

}  // namespace

core::Result<Url> Url::Parse(std::string_view url, bool websocket) {
  Url u;
  std::string_view rest;
  const std::string_view secure = websocket ? "wss://" : "https://";
  const std::string_view plain = websocket ? "ws://" : "http://";
  if (url.starts_with(secure)) {
    u.tls = true;
    rest = url.substr(secure.size());
  } else if (url.starts_with(plain)) {
    rest = url.substr(plain.size());
  } else {
    return core::Fail(
        core::ErrorCode::kInvalidArgument,
        fmt::format("URL must start with {} or {}: \"{}\"", plain, secure, url.substr(0, 100)),
        "url");
  }
  const std::size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (u.target.front() == '?') u.target.insert(0, "/");  // "wss://host?v=10" -> "/?v=10"
  if (authority.find('@') != std::string_view::npos) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      "URL must not carry credentials; use the API key setting", "url");
  }
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    u.port = std::string(authority.substr(colon + 1));
    authority = authority.substr(0, colon);
    const bool digits =
        !u.port.empty() && u.port.size() <= 5 &&
        std::all_of(u.port.begin(), u.port.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoi(u.port) == 0 || std::stoi(u.port) > 65535) {
      return core::Fail(core::ErrorCode::kInvalidArgument,
                        fmt::format("bad port in URL: \"{}\"", u.port), "url");
    }
  } else {
    u.port = u.tls ? "443" : "80";
  }
  u.host = std::string(authority);
  if (u.host.empty() || u.host.find_first_of(" \t\r\n") != std::string::npos ||
      u.target.find_first_of(" \t\r\n") != std::string::npos) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("bad URL: \"{}\"", url.substr(0, 100)), "url");
  }
  return u;
}

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsNoCase(k, name)) return v;
  }
  return {};
}

HttpClient::HttpClient(asio::any_io_executor executor)
    : HttpClient(std::move(executor), HttpClientOptions{}) {}

HttpClient::HttpClient(asio::any_io_executor executor, HttpClientOptions options,
                       const core::Clock& clock)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      pool_(std::make_unique<detail::ConnectionPool>(options_.max_idle_per_host,
                                                     options_.idle_timeout, clock)) {}

HttpClient::~HttpClient() = default;

asio::awaitable<core::Result<HttpResponse>> HttpClient::Send(HttpRequest request,
                                                             std::chrono::milliseconds timeout) {
  auto url = Url::Parse(request.url);
  if (!url) co_return std::unexpected(url.error());
  auto req = BuildRequest(request, *url, options_.user_agent);
  if (!req) co_return std::unexpected(req.error());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string key = PoolKey(*url);

  std::unique_ptr<detail::PooledConnection> conn = pool_->Take(key);
  bool reused = conn != nullptr;
  while (true) {
    if (!conn) {
      auto opened = co_await Open(executor_, *url, deadline);
      if (!opened) co_return std::unexpected(opened.error());
      conn = std::move(*opened);
      ++connections_opened_;
    }
    ++requests_sent_;
    if (reused) ++reuses_;
    Outcome outcome = co_await std::visit(
        [&](auto& stream) { return Exchange(stream, conn->Tcp(), *req, *url, deadline, options_); },
        conn->stream);
    if (!outcome.result && outcome.stale && reused) {
      ++retries_;
      detail::Discard(std::move(conn));  // leaves `conn` null: the next attempt opens one
      reused = false;
      continue;
    }
    if (outcome.reusable) {
      pool_->Put(key, std::move(conn));
    } else {
      detail::Discard(std::move(conn));
    }
    co_return std::move(outcome.result);
  }
}

HttpClientStats HttpClient::stats() const {
  return HttpClientStats{.connections_opened = connections_opened_.load(),
                         .requests_sent = requests_sent_.load(),
                         .reuses = reuses_.load(),
                         .retries = retries_.load()};
}

std::size_t HttpClient::idle_connections() const { return pool_->Idle(); }

}  // namespace net

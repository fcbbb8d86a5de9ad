#include "net/http_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>

#include "net/detail/connect.h"

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

template <typename Stream>
asio::awaitable<core::Result<HttpResponse>> Exchange(
    Stream& stream, beast::tcp_stream& tcp_layer, const HttpRequest& request, const Url& url,
    std::chrono::steady_clock::time_point deadline) {
  http::request<http::string_body> req;
  req.method(http::string_to_verb(request.method));
  if (req.method() == http::verb::unknown) {
    co_return core::Fail(core::ErrorCode::kInvalidArgument,
                         "unknown HTTP method " + request.method);
  }
  req.target(url.target);
  req.version(11);
  req.set(http::field::host, url.host);
  req.set(http::field::user_agent, "antispam");
  req.set(http::field::connection, "close");
  for (const auto& [k, v] : request.headers) req.set(k, v);
  req.body() = request.body;
  req.prepare_payload();

  beast::error_code ec;
  tcp_layer.expires_at(deadline);
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::unexpected(FromBeast(ec, "writing to", url));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  tcp_layer.expires_at(deadline);
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::unexpected(FromBeast(ec, "reading from", url));
  HttpResponse out;
  const auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res)
    out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = res.body();
  co_return out;
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

HttpClient::HttpClient(asio::any_io_executor executor) : executor_(std::move(executor)) {}

HttpClient::~HttpClient() = default;

asio::awaitable<core::Result<HttpResponse>> HttpClient::Send(HttpRequest request,
                                                             std::chrono::milliseconds timeout) {
  auto url = Url::Parse(request.url);
  if (!url) co_return std::unexpected(url.error());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto endpoints = co_await detail::Resolve(executor_, *url);
  if (!endpoints) co_return std::unexpected(endpoints.error());
  if (std::chrono::steady_clock::now() >= deadline) {
    co_return core::Fail(core::ErrorCode::kTimeout,
                         fmt::format("resolving {} timed out", url->host), url->host);
  }

  if (!url->tls) {
    beast::tcp_stream stream(executor_);
    auto connected = co_await detail::ConnectTcp(stream, *endpoints, *url, deadline);
    if (!connected) co_return std::unexpected(connected.error());
    auto result = co_await Exchange(stream, stream, request, *url, deadline);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return result;
  }

  beast::ssl_stream<beast::tcp_stream> stream(executor_, detail::ClientTlsContext());
  auto connected = co_await detail::ConnectTls(stream, *endpoints, *url, deadline);
  if (!connected) co_return std::unexpected(connected.error());
  auto& tcp_layer = beast::get_lowest_layer(stream);
  auto result = co_await Exchange(stream, tcp_layer, request, *url, deadline);
  beast::error_code ignored;
  tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return result;
}

}  // namespace net

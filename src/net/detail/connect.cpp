#include "net/detail/connect.h"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

namespace net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

asio::ssl::context& ClientTlsContext() {
  static asio::ssl::context* ctx = [] {
    auto* c = new asio::ssl::context(asio::ssl::context::tls_client);
    c->set_default_verify_paths();
    c->set_verify_mode(asio::ssl::verify_peer);
    return c;
  }();
  return *ctx;
}

core::Error ConnectError(const beast::error_code& ec, std::string_view what, const Url& url) {
  if (ec == beast::error::timeout || ec == asio::error::timed_out ||
      ec == asio::error::operation_aborted) {
    return core::Error{core::ErrorCode::kTimeout,
                       fmt::format("{} {}:{} timed out", what, url.host, url.port), url.host};
  }
  return core::Error{core::ErrorCode::kUnavailable,
                     fmt::format("{} {}:{} failed: {}", what, url.host, url.port, ec.message()),
                     url.host};
}

asio::awaitable<core::Result<Endpoints>> Resolve(asio::any_io_executor executor, const Url& url) {
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(url.host, url.port,
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::unexpected(ConnectError(ec, "resolving", url));
  co_return endpoints;
}

asio::awaitable<core::Result<void>> ConnectTcp(beast::tcp_stream& stream,
                                               const Endpoints& endpoints, const Url& url,
                                               Deadline deadline) {
  beast::error_code ec;
  stream.expires_at(deadline);
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::unexpected(ConnectError(ec, "connecting to", url));
  // Requests and frames are written whole: Nagle's algorithm would only hold a small one back
  // until the previous one is acknowledged (a delayed ACK: up to 40 ms on Linux).
  beast::error_code ignored;
  stream.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  co_return core::Result<void>();
}

asio::awaitable<core::Result<void>> ConnectTls(beast::ssl_stream<beast::tcp_stream>& stream,
                                               const Endpoints& endpoints, const Url& url,
                                               Deadline deadline) {
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    co_return core::Fail(core::ErrorCode::kInvalidArgument,
                         "cannot set TLS server name " + url.host, url.host);
  }
  stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  auto& tcp_layer = beast::get_lowest_layer(stream);
  auto connected = co_await ConnectTcp(tcp_layer, endpoints, url, deadline);
  if (!connected) co_return connected;
  beast::error_code ec;
  tcp_layer.expires_at(deadline);
  co_await stream.async_handshake(asio::ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::unexpected(ConnectError(ec, "TLS handshake with", url));
  co_return core::Result<void>();
}

}  // namespace net::detail

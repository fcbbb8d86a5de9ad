#include "net/websocket.h"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/http_client.h"

namespace net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

core::Error Failed(const beast::error_code& ec, std::string_view what, const Url& url) {
  if (ec == beast::error::timeout || ec == asio::error::timed_out) {
    return core::Error{core::ErrorCode::kTimeout,
                       fmt::format("{} {}:{} timed out", what, url.host, url.port), url.host};
  }
  return core::Error{core::ErrorCode::kUnavailable,
                     fmt::format("{} {}:{} failed: {}", what, url.host, url.port, ec.message()),
                     url.host};
}

// One implementation for both layers (plain TCP, TLS over TCP).
template <typename Next>
class Socket final : public WebSocket {
 public:
  template <typename... Args>
  explicit Socket(Url url, Args&&... args)
      : url_(std::move(url)), ws_(std::forward<Args>(args)...) {}

  websocket::stream<Next>& stream() { return ws_; }

  asio::awaitable<core::Result<WebSocketMessage>> Read() override {
    beast::flat_buffer buffer;
    beast::error_code ec;
    co_await ws_.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == websocket::error::closed) {
      close_code_ = static_cast<int>(ws_.reason().code);
      const auto& text = ws_.reason().reason;
      const std::string why(text.data(), text.size());
      co_return core::Fail(core::ErrorCode::kUnavailable,
                           fmt::format("{}:{} closed the WebSocket with code {}{}{}", url_.host,
                                       url_.port, *close_code_, why.empty() ? "" : ": ", why),
                           url_.host);
    }
    if (ec) co_return std::unexpected(Failed(ec, "reading from", url_));
    WebSocketMessage m;
    m.binary = ws_.got_binary();
    m.data = beast::buffers_to_string(buffer.data());
    co_return m;
  }

  asio::awaitable<core::Result<void>> Write(std::string_view text) override {
    beast::error_code ec;
    ws_.text(true);
    co_await ws_.async_write(asio::buffer(text.data(), text.size()),
                             asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return std::unexpected(Failed(ec, "writing to", url_));
    co_return core::Result<void>();
  }

  asio::awaitable<void> Close(int code, std::string_view reason) override {
    beast::error_code ec;
    websocket::close_reason why(static_cast<std::uint16_t>(code));
    why.reason = std::string(reason.substr(0, 120));
    co_await ws_.async_close(why, asio::redirect_error(asio::use_awaitable, ec));
  }

  std::optional<int> close_code() const override { return close_code_; }

 private:
  Url url_;
  websocket::stream<Next> ws_;
  std::optional<int> close_code_;
};

template <typename S>
void Configure(S& ws, std::chrono::milliseconds timeout) {
  websocket::stream_base::timeout t =
      websocket::stream_base::timeout::suggested(beast::role_type::client);
  t.handshake_timeout = timeout;
  // The gateway's heartbeats decide whether a connection is alive; no idle timeout here.
  t.idle_timeout = websocket::stream_base::none();
  ws.set_option(t);
  ws.read_message_max(WebSocket::kMaxMessage);
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "antispam"); }));
}

asio::ssl::context& TlsContext() {
  static asio::ssl::context* ctx = [] {
    auto* c = new asio::ssl::context(asio::ssl::context::tls_client);
    c->set_default_verify_paths();
    c->set_verify_mode(asio::ssl::verify_peer);
    return c;
  }();
  return *ctx;
}

}  // namespace

asio::awaitable<core::Result<std::unique_ptr<WebSocket>>> WebSocket::Connect(
    asio::any_io_executor executor, std::string url_text, std::chrono::milliseconds timeout) {
  auto url = Url::Parse(url_text, /*websocket=*/true);
  if (!url) co_return std::unexpected(url.error());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  beast::error_code ec;
  tcp::resolver resolver(executor);
  const auto endpoints = co_await resolver.async_resolve(
      url->host, url->port, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::unexpected(Failed(ec, "resolving", *url));
  const std::string host_header = url->host + ":" + url->port;

  if (!url->tls) {
    auto socket = std::make_unique<Socket<beast::tcp_stream>>(*url, executor);
    auto& tcp_layer = beast::get_lowest_layer(socket->stream());
    tcp_layer.expires_at(deadline);
    co_await tcp_layer.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return std::unexpected(Failed(ec, "connecting to", *url));
    tcp_layer.expires_never();  // the WebSocket's own timeouts take over
    Configure(socket->stream(), std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now()));
    co_await socket->stream().async_handshake(host_header, url->target,
                                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return std::unexpected(Failed(ec, "WebSocket handshake with", *url));
    co_return std::unique_ptr<WebSocket>(std::move(socket));
  }

  using Tls = beast::ssl_stream<beast::tcp_stream>;
  auto socket = std::make_unique<Socket<Tls>>(*url, executor, TlsContext());
  auto& tls = socket->stream().next_layer();
  if (!SSL_set_tlsext_host_name(tls.native_handle(), url->host.c_str())) {
    co_return core::Fail(core::ErrorCode::kInvalidArgument,
                         "cannot set TLS server name " + url->host, url->host);
  }
  tls.set_verify_callback(asio::ssl::host_name_verification(url->host));
  auto& tcp_layer = beast::get_lowest_layer(socket->stream());
  tcp_layer.expires_at(deadline);
  co_await tcp_layer.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::unexpected(Failed(ec, "connecting to", *url));
  tcp_layer.expires_at(deadline);
  co_await tls.async_handshake(asio::ssl::stream_base::client,
                               asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::unexpected(Failed(ec, "TLS handshake with", *url));
  tcp_layer.expires_never();
  Configure(socket->stream(), std::chrono::duration_cast<std::chrono::milliseconds>(
                                  deadline - std::chrono::steady_clock::now()));
  co_await socket->stream().async_handshake(url->host, url->target,
                                            asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::unexpected(Failed(ec, "WebSocket handshake with", *url));
  co_return std::unique_ptr<WebSocket>(std::move(socket));
}

}  // namespace net

#include "net/websocket.h"

#include <fmt/format.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/detail/connect.h"
#include "net/http_client.h"

namespace net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

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
    if (ec) co_return std::unexpected(detail::ConnectError(ec, "reading from", url_));
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
    if (ec) co_return std::unexpected(detail::ConnectError(ec, "writing to", url_));
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

}  // namespace

asio::awaitable<core::Result<std::unique_ptr<WebSocket>>> WebSocket::Connect(
    asio::any_io_executor executor, std::string url_text, std::chrono::milliseconds timeout) {
  auto url = Url::Parse(url_text, /*websocket=*/true);
  if (!url) co_return std::unexpected(url.error());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto endpoints = co_await detail::Resolve(executor, *url);
  if (!endpoints) co_return std::unexpected(endpoints.error());
  // After the connection, the WebSocket's own timeouts take over (Configure), with what is left
  // of the deadline for its handshake.
  auto handshake = [&](auto& ws, const std::string& host) -> asio::awaitable<core::Result<void>> {
    beast::get_lowest_layer(ws).expires_never();
    Configure(ws, std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now()));
    beast::error_code ec;
    co_await ws.async_handshake(host, url->target, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return std::unexpected(detail::ConnectError(ec, "WebSocket handshake with", *url));
    co_return core::Result<void>();
  };

  if (!url->tls) {
    auto socket = std::make_unique<Socket<beast::tcp_stream>>(*url, executor);
    auto connected = co_await detail::ConnectTcp(beast::get_lowest_layer(socket->stream()),
                                                 *endpoints, *url, deadline);
    if (!connected) co_return std::unexpected(connected.error());
    const std::string host_header = url->host + ":" + url->port;
    auto done = co_await handshake(socket->stream(), host_header);
    if (!done) co_return std::unexpected(done.error());
    co_return std::unique_ptr<WebSocket>(std::move(socket));
  }

  using Tls = beast::ssl_stream<beast::tcp_stream>;
  auto socket = std::make_unique<Socket<Tls>>(*url, executor, detail::ClientTlsContext());
  auto connected =
      co_await detail::ConnectTls(socket->stream().next_layer(), *endpoints, *url, deadline);
  if (!connected) co_return std::unexpected(connected.error());
  auto done = co_await handshake(socket->stream(), url->host);
  if (!done) co_return std::unexpected(done.error());
  co_return std::unique_ptr<WebSocket>(std::move(socket));
}

}  // namespace net

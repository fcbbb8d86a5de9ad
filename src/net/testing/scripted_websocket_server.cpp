#include "net/testing/scripted_websocket_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <thread>

#include "net/testing/loopback_server.h"

namespace net::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class Side final : public ServerSide {
 public:
  Side(websocket::stream<beast::tcp_stream>& ws, std::string target)
      : ws_(ws), target_(std::move(target)) {}
  const std::string& target() const override { return target_; }

  asio::awaitable<std::optional<std::string>> Read() override {
    beast::flat_buffer buffer;
    beast::error_code ec;
    co_await ws_.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return std::nullopt;
    co_return beast::buffers_to_string(buffer.data());
  }
  asio::awaitable<void> SendText(std::string text) override {
    co_await Send(std::move(text), false);
  }
  asio::awaitable<void> SendBinary(std::string bytes) override {
    co_await Send(std::move(bytes), true);
  }
  asio::awaitable<void> Close(int code, std::string reason) override {
    beast::error_code ec;
    websocket::close_reason why(static_cast<std::uint16_t>(code));
    why.reason = reason;
    co_await ws_.async_close(why, asio::redirect_error(asio::use_awaitable, ec));
  }
  void Drop() override {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  asio::awaitable<void> Send(std::string data, bool binary) {
    beast::error_code ec;
    ws_.binary(binary);
    co_await ws_.async_write(asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
  }
  websocket::stream<beast::tcp_stream>& ws_;
  std::string target_;
};

}  // namespace

struct ScriptedWebSocketServer::Impl {
  Script script;
  std::atomic<int>* connections = nullptr;
  std::unique_ptr<LoopbackServer> server;  // last: stopped first, while the rest still exists

  asio::awaitable<void> Serve(tcp::socket socket) {
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    beast::flat_buffer buffer;
    beast::http::request<beast::http::string_body> req;
    beast::error_code ec;
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
    co_await beast::http::async_read(beast::get_lowest_layer(ws), buffer, req,
                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    beast::get_lowest_layer(ws).expires_never();
    co_await ws.async_accept(req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    ++*connections;
    Side side(ws, std::string(req.target()));
    co_await script(side);
  }
};

ScriptedWebSocketServer::ScriptedWebSocketServer(Script script) : impl_(std::make_unique<Impl>()) {
  impl_->script = std::move(script);
  impl_->connections = &connections_;
  impl_->server = std::make_unique<LoopbackServer>(
      [impl = impl_.get()](tcp::socket socket) { return impl->Serve(std::move(socket)); });
}

ScriptedWebSocketServer::~ScriptedWebSocketServer() { impl_->server.reset(); }

std::string ScriptedWebSocketServer::url() const {
  return "ws://127.0.0.1:" + std::to_string(impl_->server->port());
}

}  // namespace net::testing

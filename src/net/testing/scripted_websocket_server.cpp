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
  asio::io_context io;
  tcp::acceptor acceptor{io};
  Script script;
  std::thread thread;
  std::atomic<int>* connections = nullptr;

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

  asio::awaitable<void> Accept() {
    while (true) {
      beast::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io, Serve(std::move(socket)), asio::detached);
    }
  }
};

ScriptedWebSocketServer::ScriptedWebSocketServer(Script script) : impl_(std::make_unique<Impl>()) {
  impl_->script = std::move(script);
  impl_->connections = &connections_;
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  asio::co_spawn(impl_->io, impl_->Accept(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

ScriptedWebSocketServer::~ScriptedWebSocketServer() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string ScriptedWebSocketServer::url() const {
  return "ws://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

}  // namespace net::testing

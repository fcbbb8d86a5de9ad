#include "net/testing/loopback_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

namespace net::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct LoopbackServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  Serve serve;
  std::thread thread;

  asio::awaitable<void> Accept() {
    while (true) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io, serve(std::move(socket)), asio::detached);
    }
  }
};

LoopbackServer::LoopbackServer(Serve serve) : impl_(std::make_unique<Impl>()) {
  impl_->serve = std::move(serve);
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  asio::co_spawn(impl_->io, impl_->Accept(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

LoopbackServer::~LoopbackServer() {
  impl_->io.stop();  // abandons stalled replies and open connections
  if (impl_->thread.joinable()) impl_->thread.join();
}

unsigned short LoopbackServer::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace net::testing

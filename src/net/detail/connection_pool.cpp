#include "net/detail/connection_pool.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "net/detail/connect.h"

namespace net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

void CloseTcp(beast::tcp_stream& stream) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.close();
}

asio::awaitable<void> ShutdownTls(std::unique_ptr<PooledConnection> conn) {
  auto& tls = std::get<PooledConnection::Tls>(conn->stream);
  beast::error_code ec;
  conn->Tcp().expires_after(kTlsShutdownTimeout);
  co_await tls.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  CloseTcp(conn->Tcp());
}

}  // namespace

PooledConnection::PooledConnection(const asio::any_io_executor& executor, bool tls)
    : stream(tls ? std::variant<Plain, Tls>(std::in_place_index<1>, executor, ClientTlsContext())
                 : std::variant<Plain, Tls>(std::in_place_index<0>, executor)) {}

PooledConnection::Plain& PooledConnection::Tcp() {
  return std::visit([](auto& s) -> Plain& { return beast::get_lowest_layer(s); }, stream);
}

void Discard(std::unique_ptr<PooledConnection> conn) {
  if (!conn) return;
  if (std::holds_alternative<PooledConnection::Tls>(conn->stream) &&
      conn->Tcp().socket().is_open()) {
    const auto executor = conn->Tcp().get_executor();
    asio::co_spawn(executor, ShutdownTls(std::move(conn)), asio::detached);
    return;
  }
  CloseTcp(conn->Tcp());
}

ConnectionPool::ConnectionPool(std::size_t max_idle_per_host,
                               std::chrono::milliseconds idle_timeout, const core::Clock& clock)
    : max_idle_per_host_(max_idle_per_host), idle_timeout_(idle_timeout), clock_(clock) {}

ConnectionPool::~ConnectionPool() {
  for (auto& [key, conns] : idle_) {
    for (auto& conn : conns) Discard(std::move(conn));
  }
}

std::unique_ptr<PooledConnection> ConnectionPool::Take(const std::string& key) {
  std::vector<std::unique_ptr<PooledConnection>> expired;
  std::unique_ptr<PooledConnection> taken;
  {
    std::lock_guard lock(mu_);
    const auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    auto& conns = it->second;
    const auto now = clock_.Steady();
    auto fresh = conns.begin();
    while (fresh != conns.end() && now - (*fresh)->idle_since >= idle_timeout_) ++fresh;
    expired.assign(std::make_move_iterator(conns.begin()), std::make_move_iterator(fresh));
    conns.erase(conns.begin(), fresh);
    if (!conns.empty()) {
      taken = std::move(conns.back());
      conns.pop_back();
    }
    if (conns.empty()) idle_.erase(it);
  }
  for (auto& conn : expired) Discard(std::move(conn));
  return taken;
}

void ConnectionPool::Put(const std::string& key, std::unique_ptr<PooledConnection> conn) {
  {
    std::lock_guard lock(mu_);
    auto& conns = idle_[key];
    if (conns.size() < max_idle_per_host_) {
      conn->idle_since = clock_.Steady();
      conns.push_back(std::move(conn));
      return;
    }
    if (conns.empty()) idle_.erase(key);
  }
  Discard(std::move(conn));
}

std::size_t ConnectionPool::Idle() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [key, conns] : idle_) n += conns.size();
  return n;
}

}  // namespace net::detail

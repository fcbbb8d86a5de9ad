#include "net/testing/scripted_http_server.h"

#include <algorithm>

#include "net/testing/loopback_server.h"
// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace net::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

}  // namespace

std::string ScriptedRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return {};
}

struct ScriptedHttpServer::Impl {
  Handler handler;
  ScriptedHttpServerOptions options;
  std::atomic<int>* requests = nullptr;
  std::atomic<int>* connections = nullptr;
  std::unique_ptr<LoopbackServer> server;  // last: stopped first, while the rest still exists

  asio::awaitable<void> Serve(tcp::socket socket) {
    ++*connections;
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (int answered = 0;; ++answered) {
      if (options.max_requests_per_connection > 0 &&
          answered >= options.max_requests_per_connection) {
        co_return;  // closed silently
      }
      http::request<http::string_body> req;
      beast::error_code ec;
      stream.expires_after(options.idle_timeout);
      co_await http::async_read(stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      stream.expires_never();
      ++*requests;
      ScriptedRequest sr;
      sr.method = std::string(req.method_string());
      sr.target = std::string(req.target());
      for (const auto& f : req)
        sr.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      sr.body = req.body();
      const ScriptedReply reply = handler(sr);
      if (reply.delay.count() > 0) {
        asio::steady_timer timer(stream.get_executor(), reply.delay);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      if (reply.hang_up) co_return;
      if (reply.cut_body) {
        std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " Cut\r\n";
        for (const auto& [k, v] : reply.headers) head += k + ": " + v + "\r\n";
        head += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n";
        head += reply.body.substr(0, reply.body.size() / 2);
        co_await asio::async_write(stream, asio::buffer(head),
                                   asio::redirect_error(asio::use_awaitable, ec));
        co_return;
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status),
                                            reply.http10 ? 10 : 11};
      for (const auto& [k, v] : reply.headers) res.set(k, v);
      res.body() = reply.body;
      res.keep_alive(req.keep_alive() && !reply.close && !reply.http10);
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !res.keep_alive() || reply.drop_after) co_return;
    }
  }
};

ScriptedHttpServer::ScriptedHttpServer(Handler handler, ScriptedHttpServerOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->options = options;
  impl_->requests = &requests_;
  impl_->connections = &connections_;
  impl_->server = std::make_unique<LoopbackServer>(
      [impl = impl_.get()](tcp::socket socket) { return impl->Serve(std::move(socket)); });
}

ScriptedHttpServer::~ScriptedHttpServer() { impl_->server.reset(); }

std::string ScriptedHttpServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->server->port());
}

}  // namespace net::testing

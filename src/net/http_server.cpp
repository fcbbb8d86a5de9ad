#include "net/http_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cctype>
#include <exception>
#include <unordered_map>

namespace net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

constexpr auto kAwait = asio::use_awaitable;
// How long a connection closed by the server keeps reading (and discarding) what the client still
// sends, so that the client reads the last response instead of a reset.
constexpr std::chrono::seconds kLinger{2};
constexpr std::chrono::milliseconds kAcceptBackoff{100};
constexpr std::size_t kReadChunk = 16u << 10;

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Whether a comma-separated header value holds `token` (case-insensitive): "keep-alive, close".
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (IEquals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding; a malformed escape is kept as it is.
std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string_view Std(beast::string_view s) { return {s.data(), s.size()}; }

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

std::string FormatEndpoint(const tcp::endpoint& ep) {
  if (ep.address().is_v6()) return fmt::format("[{}]:{}", ep.address().to_string(), ep.port());
  return fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

class Core;

// One accepted TCP connection: HTTP first, a WebSocket once upgraded (the same stream, so that
// Stop() finds it either way). Owned by its serving coroutine and, once upgraded, by the
// ServerWebSocket; the server's registry only watches it. Executor-only.
class Connection {
 public:
  Connection(std::shared_ptr<Core> core, tcp::socket socket, std::uint64_t id);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  websocket::stream<beast::tcp_stream>& ws() { return ws_; }
  beast::tcp_stream& tcp() { return ws_.next_layer(); }
  const std::string& remote() const { return remote_; }

  // Closes the TCP connection at once; outstanding operations complete with errors.
  void Shut() {
    beast::error_code ec;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    tcp().close();
  }

 private:
  std::shared_ptr<Core> core_;
  std::uint64_t id_;
  websocket::stream<beast::tcp_stream> ws_;
  std::string remote_;
};

// The server's state, shared by HttpServer and its coroutines (which may outlive it until the
// executor's context drops them).
class Core : public std::enable_shared_from_this<Core> {
 public:
  Core(asio::any_io_executor executor, HttpServerOptions options,
       HttpServer::RequestHandler on_request, HttpServer::UpgradeHandler on_upgrade)
      : executor_(std::move(executor)),
        options_(std::move(options)),
        on_request_(std::move(on_request)),
        on_upgrade_(std::move(on_upgrade)),
        acceptor_(executor_) {}

  core::Result<void> Listen();
  void Stop() {
    stopped_ = true;
    asio::dispatch(executor_, [self = shared_from_this()] { self->StopNow(); });
  }
  std::uint16_t port() const { return port_; }
  std::size_t accepted() const { return accepted_; }
  const HttpServerOptions& options() const { return options_; }
  void Unregister(std::uint64_t id) { connections_.erase(id); }

 private:
  void StopNow();
  static asio::awaitable<void> Accept(std::shared_ptr<Core> self);
  static asio::awaitable<void> Serve(std::shared_ptr<Core> self, std::shared_ptr<Connection> conn);
  asio::awaitable<void> Upgrade(std::shared_ptr<Connection> conn,
                                const http::request<http::string_body>& req, ServerRequest request);
  asio::awaitable<HttpResponse> CallHandler(ServerRequest request);
  static asio::awaitable<void> SendErrorAndClose(Connection& conn, http::status status);
  static asio::awaitable<void> Linger(Connection& conn);

  const asio::any_io_executor executor_;
  const HttpServerOptions options_;
  const HttpServer::RequestHandler on_request_;
  const HttpServer::UpgradeHandler on_upgrade_;
  tcp::acceptor acceptor_;
  std::atomic<bool> listening_{false};
  std::atomic<bool> stopped_{false};  // set by Stop() at once, before the executor closes things
  std::atomic<std::uint16_t> port_{0};
  std::atomic<std::size_t> accepted_{0};
  // Executor-only.
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
};

Connection::Connection(std::shared_ptr<Core> core, tcp::socket socket, std::uint64_t id)
    : core_(std::move(core)), id_(id), ws_(std::move(socket)) {
  beast::error_code ec;
  const auto ep = tcp().socket().remote_endpoint(ec);
  remote_ = ec ? std::string("?") : FormatEndpoint(ep);
}

Connection::~Connection() { core_->Unregister(id_); }

// The ServerWebSocket over an upgraded Connection.
class Socket final : public ServerWebSocket {
 public:
  explicit Socket(std::shared_ptr<Connection> conn) : conn_(std::move(conn)) {}
  ~Socket() override { conn_->Shut(); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  asio::awaitable<core::Result<WebSocketMessage>> Read() override {
    const auto conn = conn_;  // the Connection outlives this frame whatever happens to `this`
    beast::flat_buffer buffer;
    beast::error_code ec;
    co_await conn->ws().async_read(buffer, asio::redirect_error(kAwait, ec));
    if (ec == websocket::error::closed) {
      const auto& why = conn->ws().reason();
      close_code_ = static_cast<int>(why.code);
      const std::string text(why.reason.data(), why.reason.size());
      co_return core::Fail(core::ErrorCode::kUnavailable,
                           fmt::format("{} closed the WebSocket with code {}{}{}", conn->remote(),
                                       *close_code_, text.empty() ? "" : ": ", text),
                           conn->remote());
    }
    if (ec) {
      co_return core::Fail(
          core::ErrorCode::kConnectionLost,
          fmt::format("reading from the WebSocket of {}: {}", conn->remote(), ec.message()),
          conn->remote());
    }
    WebSocketMessage m;
    m.binary = conn->ws().got_binary();
    m.data = beast::buffers_to_string(buffer.data());
    co_return m;
  }

  asio::awaitable<core::Result<void>> Write(std::string_view data, bool binary) override {
    const auto conn = conn_;
    beast::error_code ec;
    conn->ws().binary(binary);
    co_await conn->ws().async_write(asio::buffer(data.data(), data.size()),
                                    asio::redirect_error(kAwait, ec));
    if (ec) {
      co_return core::Fail(
          core::ErrorCode::kConnectionLost,
          fmt::format("writing to the WebSocket of {}: {}", conn->remote(), ec.message()),
          conn->remote());
    }
    co_return core::Result<void>();
  }

  asio::awaitable<void> Close(int code, std::string_view reason) override {
    if (closing_) co_return;  // Beast allows one close at a time
    closing_ = true;
    const auto conn = conn_;
    websocket::close_reason why(static_cast<std::uint16_t>(code));
    why.reason = std::string(reason.substr(0, 120));
    beast::error_code ec;
    co_await conn->ws().async_close(why, asio::redirect_error(kAwait, ec));
    conn->Shut();  // Beast tears the connection down itself, unless the close failed
  }

  void Drop() override { conn_->Shut(); }

  std::optional<int> close_code() const override { return close_code_; }

 private:
  std::shared_ptr<Connection> conn_;
  std::optional<int> close_code_;
  bool closing_ = false;
};

core::Result<void> Core::Listen() {
  if (stopped_) return core::Fail(core::ErrorCode::kFailedPrecondition, "the server was stopped");
  if (listening_.exchange(true)) {
    return core::Fail(core::ErrorCode::kFailedPrecondition, "the server is already listening");
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec) {
    listening_ = false;
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("\"{}\" is not an IP address", options_.address), "address");
  }
  const tcp::endpoint endpoint(address, options_.port);
  const auto fail = [&](std::string_view step) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    listening_ = false;
    return core::Fail(core::ErrorCode::kUnavailable,
                      fmt::format("{} {}: {}", step, FormatEndpoint(endpoint), ec.message()),
                      FormatEndpoint(endpoint));
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) return fail("opening a socket for");
  // Rebinding a port left in TIME_WAIT; a port with a live listener still fails.
  if (acceptor_.set_option(tcp::acceptor::reuse_address(true), ec); ec) return fail("configuring");
  if (acceptor_.bind(endpoint, ec); ec) return fail("binding");
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return fail("listening on");
  }
  const auto local = acceptor_.local_endpoint(ec);
  if (ec) return fail("reading the address of");
  port_ = local.port();
  asio::co_spawn(executor_, Accept(shared_from_this()), asio::detached);
  return {};
}

void Core::StopNow() {
  beast::error_code ec;
  acceptor_.close(ec);
  std::vector<std::shared_ptr<Connection>> open;
  open.reserve(connections_.size());
  for (const auto& [id, weak] : connections_) {
    if (auto conn = weak.lock()) open.push_back(std::move(conn));
  }
  for (const auto& conn : open) conn->Shut();
}

asio::awaitable<void> Core::Accept(std::shared_ptr<Core> self) {
  while (!self->stopped_) {
    beast::error_code ec;
    tcp::socket socket = co_await self->acceptor_.async_accept(asio::redirect_error(kAwait, ec));
    if (self->stopped_ || !self->acceptor_.is_open()) co_return;
    if (ec) {
      // Out of file descriptors, a connection reset before it was accepted: back off, go on.
      spdlog::warn("http server: accepting on port {}: {}", self->port(), ec.message());
      asio::steady_timer pause(self->executor_, kAcceptBackoff);
      co_await pause.async_wait(asio::redirect_error(kAwait, ec));
      continue;
    }
    ++self->accepted_;
    socket.set_option(tcp::no_delay(true), ec);
    auto conn = std::make_shared<Connection>(self, std::move(socket), self->next_id_);
    self->connections_.emplace(self->next_id_++, conn);
    asio::co_spawn(self->executor_, Serve(self, std::move(conn)), asio::detached);
  }
}

// Reads requests and answers them until the connection closes or is upgraded.
asio::awaitable<void> Core::Serve(std::shared_ptr<Core> self, std::shared_ptr<Connection> conn) {
  const HttpServerOptions& options = self->options_;
  auto& stream = conn->tcp();
  beast::flat_buffer buffer;
  while (!self->stopped_) {
    beast::error_code ec;
    // Between requests: the idle timeout, until the next request's first bytes.
    if (buffer.size() == 0) {
      stream.expires_after(options.idle_timeout);
      const std::size_t n = co_await stream.async_read_some(buffer.prepare(kReadChunk),
                                                            asio::redirect_error(kAwait, ec));
      if (ec) co_return;  // the client closed, the idle timeout, Stop()
      buffer.commit(n);
    }
    stream.expires_after(options.request_timeout);
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header));
    parser.body_limit(options.max_body);
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(kAwait, ec));
    if (!ec && !parser.is_done()) {
      if (HasToken(Std(parser.get()[http::field::expect]), "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, 11};
        co_await http::async_write(stream, go_on, asio::redirect_error(kAwait, ec));
      }
      if (!ec) co_await http::async_read(stream, buffer, parser, asio::redirect_error(kAwait, ec));
    }
    if (ec == http::error::body_limit) {
      co_await SendErrorAndClose(*conn, http::status::payload_too_large);
      co_return;
    }
    if (ec == http::error::header_limit) {
      co_await SendErrorAndClose(*conn, http::status::request_header_fields_too_large);
      co_return;
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) co_return;
    if (ec && ec.category() == http::make_error_code(http::error::bad_method).category()) {
      co_await SendErrorAndClose(*conn, http::status::bad_request);  // malformed
      co_return;
    }
    if (ec) co_return;  // the request timeout, a reset, Stop()
    if (self->stopped_) co_return;

    auto& req = parser.get();
    bool keep_alive = req.keep_alive();
    ServerRequest request;
    request.method = Std(req.method_string());
    request.target = Std(req.target());
    for (const auto& field : req) {
      request.headers.emplace_back(Std(field.name_string()), Std(field.value()));
    }
    request.body = std::move(req.body());
    request.remote = conn->remote();
    const std::string request_method = request.method;
    const std::string request_path(request.Path());

    HttpResponse response;
    if (websocket::is_upgrade(req)) {
      if (self->on_upgrade_) {
        co_await self->Upgrade(std::move(conn), req, std::move(request));
        co_return;
      }
      response.status = 404;
      response.body = "no WebSocket endpoint here\n";
    } else {
      response = co_await self->CallHandler(std::move(request));
    }
    if (self->stopped_) co_return;

    http::response<http::string_body> res;
    res.version(11);
    res.result(static_cast<unsigned>(response.status));
    for (auto& [name, value] : response.headers) {
      if (IEquals(name, "Connection")) {
        if (HasToken(value, "close")) keep_alive = false;
        continue;
      }
      if (IEquals(name, "Content-Length") || IEquals(name, "Transfer-Encoding")) continue;
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) {
        spdlog::error("http server: {} {}: dropped the invalid response header \"{}\"",
                      request_method, request_path, name);
        continue;
      }
      res.insert(name, value);
    }
    const int status = response.status;
    if (status != 204 && status != 304) {
      res.body() = std::move(response.body);
      res.prepare_payload();
      if (req.method() == http::verb::head) res.body().clear();  // Content-Length stays
    }
    res.keep_alive(keep_alive);
    stream.expires_after(options.request_timeout);
    co_await http::async_write(stream, res, asio::redirect_error(kAwait, ec));
    if (ec) co_return;
    if (!keep_alive) {
      co_await Linger(*conn);
      co_return;
    }
  }
}

asio::awaitable<HttpResponse> Core::CallHandler(ServerRequest request) {
  const std::string method = request.method;
  const std::string path(request.Path());
  const std::string remote = request.remote;
  std::string failure;
  try {
    HttpResponse response = co_await on_request_(std::move(request));
    if (response.status >= 200 && response.status <= 999) co_return response;
    failure = fmt::format("the handler answered with status {}", response.status);
  } catch (const std::exception& e) {
    failure = fmt::format("the handler threw: {}", e.what());
  } catch (...) {
    failure = "the handler threw a non-standard exception";
  }
  spdlog::error("http server: {} {} from {}: {}", method, path, remote, failure);
  HttpResponse error;
  error.status = 500;
  error.headers = {{"Content-Type", "text/plain"}};
  error.body = "internal server error\n";
  co_return error;
}

asio::awaitable<void> Core::Upgrade(std::shared_ptr<Connection> conn,
                                    const http::request<http::string_body>& req,
                                    ServerRequest request) {
  auto& ws = conn->ws();
  conn->tcp().expires_never();  // the WebSocket's own timeouts take over
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = options_.ws_close_timeout;
  // The gateway's heartbeats decide whether a connection is alive; no idle timeout here.
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws.set_option(timeouts);
  ws.set_option(websocket::permessage_deflate{});  // off: the gateway compresses on its own
  ws.read_message_max(options_.max_ws_message);
  ws.auto_fragment(false);
  beast::error_code ec;
  co_await ws.async_accept(req, asio::redirect_error(kAwait, ec));
  if (ec || stopped_) co_return;  // Beast answered a bad handshake (400, 426) itself
  const std::string path(request.Path());
  const std::string remote = request.remote;
  try {
    std::unique_ptr<ServerWebSocket> socket = std::make_unique<Socket>(std::move(conn));
    co_await on_upgrade_(std::move(request), std::move(socket));
  } catch (const std::exception& e) {
    spdlog::error("http server: WebSocket {} from {}: the handler threw: {}", path, remote,
                  e.what());
  } catch (...) {
    spdlog::error("http server: WebSocket {} from {}: the handler threw", path, remote);
  }
}

asio::awaitable<void> Core::SendErrorAndClose(Connection& conn, http::status status) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, "text/plain");
  res.body() = std::string(http::obsolete_reason(status)) + "\n";
  res.keep_alive(false);
  res.prepare_payload();
  beast::error_code ec;
  conn.tcp().expires_after(kLinger);
  co_await http::async_write(conn.tcp(), res, asio::redirect_error(kAwait, ec));
  if (ec) co_return;
  co_await Linger(conn);
}

// Half-closes and discards what the client still sends (a body refused with 413, pipelined
// requests) until it closes or kLinger passes: closing with unread data would reset the
// connection, and the client could lose the response.
asio::awaitable<void> Core::Linger(Connection& conn) {
  beast::error_code ec;
  conn.tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
  conn.tcp().expires_after(kLinger);
  std::array<char, 4096> sink{};
  while (!ec) {
    co_await conn.tcp().async_read_some(asio::buffer(sink), asio::redirect_error(kAwait, ec));
  }
  conn.tcp().close();
}

}  // namespace

std::string ServerRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (IEquals(key, name)) return value;
  }
  return {};
}

std::string_view ServerRequest::Path() const {
  const std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::optional<std::string> ServerRequest::Query(std::string_view key) const {
  const std::string_view t = target;
  const auto mark = t.find('?');
  if (mark == std::string_view::npos) return std::nullopt;
  std::string_view query = t.substr(mark + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (UrlDecode(pair.substr(0, eq)) == key) {
      return eq == std::string_view::npos ? std::string() : UrlDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

struct HttpServer::Impl {
  std::shared_ptr<Core> core;
};

HttpServer::HttpServer(asio::any_io_executor executor, HttpServerOptions options,
                       RequestHandler on_request, UpgradeHandler on_upgrade)
    : impl_(std::make_unique<Impl>(
          Impl{std::make_shared<Core>(std::move(executor), std::move(options),
                                      std::move(on_request), std::move(on_upgrade))})) {}

HttpServer::~HttpServer() { Stop(); }

core::Result<void> HttpServer::Listen() { return impl_->core->Listen(); }

std::uint16_t HttpServer::port() const { return impl_->core->port(); }

void HttpServer::Stop() { impl_->core->Stop(); }

std::size_t HttpServer::connections_accepted() const { return impl_->core->accepted(); }

}  // namespace net

// An HTTP/1.1 and WebSocket server over Boost.Beast, plain TCP (put TLS in front of it if it ever
// faces the Internet). One port serves both: a request carrying `Upgrade: websocket` goes to the
// upgrade handler with the accepted socket, anything else to the request handler. It serves the
// Discord simulator (REST and the gateway on one port, as Discord's gateway URL is
// ws://host:port/?v=10&encoding=json), the HTTP interactions endpoint and the dashboard.
//
// Coroutine-based, single executor: every connection, handler and ServerWebSocket runs on the
// executor given to the constructor (one thread running its io_context). HTTP/1.1 keep-alive: a
// connection serves requests one after another (pipelined requests are answered in order) until
// the client says `Connection: close`, the handler does, the connection idles past idle_timeout or
// Stop() is called. Errors on the wire are answered, not thrown: a malformed request is a 400 and
// the connection closes, a body over max_body is a 413 and the connection closes, a handler that
// throws is a 500 (logged) and the connection carries on.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "net/http_client.h"
#include "net/websocket.h"

namespace net {

struct ServerRequest {
  std::string method;                                        // "GET", as sent
  std::string target;                                        // as sent: "/api/v10/guilds/1?x=y"
  std::vector<std::pair<std::string, std::string>> headers;  // in the order sent
  std::string body;
  std::string remote;  // the peer: "127.0.0.1:54321", "[::1]:54321"

  // The first header of that name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
  // The target without its query: "/api/v10/guilds/1".
  std::string_view Path() const;
  // The first value of `key` in the query, URL-decoded (`+` is a space); a key without `=` has
  // the value "". nullopt when absent.
  std::optional<std::string> Query(std::string_view key) const;
};

// The server side of an upgraded WebSocket connection. One Read and one Write may be outstanding
// at the same time (like the client); the owner serialises writes. Use and destroy it on the
// server's executor; destroying it closes the TCP connection if it is still open. Stop() closes it
// (the TCP connection, no close frame): outstanding and later operations then fail.
class ServerWebSocket {
 public:
  virtual ~ServerWebSocket() = default;
  // The next message. A close frame from the client is kUnavailable, with its code in
  // close_code(); a connection that broke (reset, closed without a close frame, Drop(), Stop(),
  // a message over the size limit) is kConnectionLost.
  virtual boost::asio::awaitable<core::Result<WebSocketMessage>> Read() = 0;
  // Sends one message, a text frame or a binary one. A broken connection is kConnectionLost.
  virtual boost::asio::awaitable<core::Result<void>> Write(std::string_view data, bool binary) = 0;
  // Sends a close frame with `code` (the reason is cut to 120 bytes) and waits, at most
  // HttpServerOptions::ws_close_timeout, for the client's; then closes the TCP connection.
  virtual boost::asio::awaitable<void> Close(int code, std::string_view reason) = 0;
  // Closes the TCP connection at once, without a close frame (fault injection: the client sees
  // a broken connection, no close code).
  virtual void Drop() = 0;
  // The close code the client sent, once a Read has seen its close frame.
  virtual std::optional<int> close_code() const = 0;
};

struct HttpServerOptions {
  std::string address = "127.0.0.1";         // an IPv4 or IPv6 address to bind, not a host name
  std::uint16_t port = 0;                    // 0: an ephemeral port (see HttpServer::port())
  std::size_t max_body = 8u << 20;           // bytes; a larger request body is answered 413
  std::size_t max_header = 64u << 10;        // bytes of request line and headers; larger: 431
  std::chrono::seconds idle_timeout{60};     // a keep-alive connection with no request is closed
  std::chrono::seconds request_timeout{30};  // from its first byte, a request (headers and body)
                                             // must arrive, and its response be written, within
  std::size_t max_ws_message = 1u << 20;     // bytes; a larger WebSocket message breaks the
                                             // connection (close code 1009)
  std::chrono::seconds ws_close_timeout{5};  // WebSocket opening and closing handshakes
};

class HttpServer {
 public:
  // Answers one request. The server sets Content-Length from the body (none for 1xx, 204 and
  // 304, whose body is dropped) and copies the other headers; a `Connection: close` header closes
  // the connection after the response. A status outside 200..999 or an exception is a 500.
  using RequestHandler = std::function<boost::asio::awaitable<HttpResponse>(ServerRequest)>;
  // Serves one upgraded connection: the request (path and query: v=10, encoding, compress) and
  // the accepted socket, whose lifetime the handler now owns. No permessage-deflate (Discord's
  // gateway compresses with its own zlib-stream, in binary frames).
  using UpgradeHandler =
      std::function<boost::asio::awaitable<void>(ServerRequest, std::unique_ptr<ServerWebSocket>)>;

  // Without `on_upgrade`, upgrade requests are answered 404. The handlers are called on
  // `executor`, never after Stop() (handlers already running finish; their I/O fails).
  // The executor's execution context must outlive the server.
  HttpServer(boost::asio::any_io_executor executor, HttpServerOptions options,
             RequestHandler on_request, UpgradeHandler on_upgrade = {});
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts accepting (on the executor). A bad address is kInvalidArgument; a
  // port taken or a bind refused is kUnavailable with the reason; a second call, or one after
  // Stop(), is kFailedPrecondition. Call it before the executor runs or on its thread.
  [[nodiscard]] core::Result<void> Listen();
  // The bound port (the ephemeral one with port 0), once Listen() succeeded; otherwise 0.
  // Thread-safe.
  std::uint16_t port() const;
  // Stops accepting and closes every connection, HTTP and WebSocket (their TCP connections, no
  // close frames). Thread-safe and idempotent: from another thread it posts the work to the
  // executor and returns; no handler starts after it returns.
  void Stop();
  // Connections accepted since Listen(). Thread-safe.
  std::size_t connections_accepted() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;  // its state is shared with the coroutines, which may outlive it
};

}  // namespace net

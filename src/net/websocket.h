// A WebSocket client over Boost.Beast: `wss://` with TLS (peer and host name verified against the
// system's CA store) and `ws://` for loopback servers (the Discord simulator, tests). For the
// gateway: one connection per shard, text frames out, text or binary (zlib-stream) frames in.
//
// Coroutine-based. Read and Write may be outstanding at the same time (one of each); Close ends
// both. Errors: a bad URL is kInvalidArgument; connect, TLS or handshake failures are
// kUnavailable; a deadline passed is kTimeout; a close by the server is kUnavailable with its close
// code in close_code().
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace net {

struct WebSocketMessage {
  std::string data;
  bool binary = false;
};

class WebSocket {
 public:
  // Connects and performs the opening handshake within `timeout`. `url`:
  // ws://host[:port]/path?query or wss://...
  static boost::asio::awaitable<core::Result<std::unique_ptr<WebSocket>>> Connect(
      boost::asio::any_io_executor executor, std::string url, std::chrono::milliseconds timeout);

  virtual ~WebSocket() = default;

  // The next message. Messages larger than `max_message` (default 64 MiB) are an error.
  virtual boost::asio::awaitable<core::Result<WebSocketMessage>> Read() = 0;
  virtual boost::asio::awaitable<core::Result<void>> Write(std::string_view text) = 0;
  // Sends a close frame with `code` and waits (briefly) for the server's.
  virtual boost::asio::awaitable<void> Close(int code, std::string_view reason) = 0;
  // The close code the server sent, once the connection has been closed by it.
  virtual std::optional<int> close_code() const = 0;

  static constexpr std::size_t kMaxMessage = 64u << 20;
};

}  // namespace net

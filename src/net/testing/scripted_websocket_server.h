// A real WebSocket server on 127.0.0.1 (an ephemeral port) whose side of each connection a test
// writes as a coroutine: read what the client sent, send text or binary frames, close with any
// code, or drop the TCP connection. It runs on its own thread and stops (dropping every
// connection) when destroyed.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace net::testing {

// The server's side of one connection.
class ServerSide {
 public:
  virtual ~ServerSide() = default;
  virtual const std::string& target() const = 0;  // the path and query the client asked for
  // The client's next message, or nullopt when the client closed or the connection dropped.
  virtual boost::asio::awaitable<std::optional<std::string>> Read() = 0;
  virtual boost::asio::awaitable<void> SendText(std::string text) = 0;
  virtual boost::asio::awaitable<void> SendBinary(std::string bytes) = 0;
  virtual boost::asio::awaitable<void> Close(int code, std::string reason = {}) = 0;
  virtual void Drop() = 0;  // close the TCP connection without a close frame
};

class ScriptedWebSocketServer {
 public:
  using Script = std::function<boost::asio::awaitable<void>(ServerSide&)>;
  explicit ScriptedWebSocketServer(Script script);
  ~ScriptedWebSocketServer();
  ScriptedWebSocketServer(const ScriptedWebSocketServer&) = delete;
  ScriptedWebSocketServer& operator=(const ScriptedWebSocketServer&) = delete;

  std::string url() const;  // "ws://127.0.0.1:<port>"
  int connections() const { return connections_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<int> connections_{0};
};

}  // namespace net::testing

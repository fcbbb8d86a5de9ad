#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "net/http_client.h"
#include "net/testing/scripted_http_server.h"
#include "net/testing/scripted_websocket_server.h"
#include "net/websocket.h"
#include "net/zlib_stream.h"

namespace net {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedWebSocketServer;
using testing::ServerSide;
namespace asio = boost::asio;

// Runs a client coroutine to completion on a private io_context.
template <typename F>
auto RunClient(F body) {
  asio::io_context io;
  auto fut = asio::co_spawn(io, body(io.get_executor()), asio::use_future);
  io.run();
  return fut.get();
}

TEST(WebSocketTest, ConnectsWithTheQueryAndExchangesTextAndBinary) {
  std::string target;
  ScriptedWebSocketServer server([&](ServerSide& s) -> asio::awaitable<void> {
    target = s.target();
    auto hello = co_await s.Read();
    co_await s.SendText("echo:" + hello.value_or("?"));
    co_await s.SendBinary(std::string("\x78\x9c\x00\xff", 4));
    co_await s.Close(1000, "bye");
  });
  struct Seen {
    std::vector<WebSocketMessage> messages;
    std::optional<int> close_code;
    std::string error;
  };
  const Seen seen = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<Seen> {
    Seen out;
    auto ws = co_await WebSocket::Connect(
        ex, server.url() + "/?v=10&encoding=json&compress=zlib-stream", 2s);
    if (!ws) {
      out.error = ws.error().message;
      co_return out;
    }
    auto sent = co_await (*ws)->Write(R"({"op":2})");
    if (!sent) out.error = sent.error().message;
    for (int i = 0; i < 3; ++i) {
      auto m = co_await (*ws)->Read();
      if (!m) {
        out.error = m.error().message;
        break;
      }
      out.messages.push_back(std::move(*m));
    }
    out.close_code = (*ws)->close_code();
    co_return out;
  });
  EXPECT_EQ(target, "/?v=10&encoding=json&compress=zlib-stream");
  ASSERT_EQ(seen.messages.size(), 2u) << seen.error;
  EXPECT_EQ(seen.messages[0].data, R"(echo:{"op":2})");
  EXPECT_FALSE(seen.messages[0].binary);
  EXPECT_EQ(seen.messages[1].data, std::string("\x78\x9c\x00\xff", 4));
  EXPECT_TRUE(seen.messages[1].binary);
  EXPECT_EQ(seen.close_code, 1000);
  EXPECT_NE(seen.error.find("closed the WebSocket with code 1000: bye"), std::string::npos)
      << seen.error;
}

TEST(WebSocketTest, AGatewayCloseCodeReachesTheClient) {
  ScriptedWebSocketServer server([](ServerSide& s) -> asio::awaitable<void> {
    co_await s.Close(4004, "Authentication failed.");
  });
  const auto code = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<std::optional<int>> {
    auto ws = co_await WebSocket::Connect(ex, server.url(), 2s);
    if (!ws) co_return std::nullopt;
    auto m = co_await (*ws)->Read();
    EXPECT_FALSE(m.has_value());
    co_return (*ws)->close_code();
  });
  EXPECT_EQ(code, 4004);
}

TEST(WebSocketTest, ADroppedConnectionIsAnErrorWithoutACloseCode) {
  ScriptedWebSocketServer server([](ServerSide& s) -> asio::awaitable<void> {
    s.Drop();
    co_return;
  });
  const auto result = RunClient(
      [&](asio::any_io_executor ex) -> asio::awaitable<std::pair<bool, std::optional<int>>> {
        auto ws = co_await WebSocket::Connect(ex, server.url(), 2s);
        if (!ws) co_return std::pair{false, std::optional<int>()};
        auto m = co_await (*ws)->Read();
        co_return std::pair{m.has_value(), (*ws)->close_code()};
      });
  EXPECT_FALSE(result.first);
  EXPECT_FALSE(result.second.has_value());  // resumable: no close code
}

TEST(WebSocketTest, ZlibStreamFramesInflateAfterTheTrip) {
  // Discord's transport compression over a real socket: one payload split into two frames.
  ScriptedWebSocketServer server([](ServerSide& s) -> asio::awaitable<void> {
    // zlib.compressobj().compress(b'{"op":10}') + flush(Z_SYNC_FLUSH), precomputed
    const std::string chunk("\x78\x9c\xaa\x56\xca\x2f\x50\xb2\x32\x34\xa8\x05\x00\x00\x00\xff\xff",
                            17);
    co_await s.SendBinary(chunk.substr(0, 7));
    co_await s.SendBinary(chunk.substr(7));
    co_await s.Close(1000);
  });
  const std::string payload =
      RunClient([&](asio::any_io_executor ex) -> asio::awaitable<std::string> {
        auto ws = co_await WebSocket::Connect(ex, server.url() + "/?compress=zlib-stream", 2s);
        if (!ws) co_return "connect failed: " + ws.error().message;
        ZlibStream z;
        while (true) {
          auto m = co_await (*ws)->Read();
          if (!m) co_return "read failed: " + m.error().message;
          auto p = z.Feed(m->data);
          if (!p) co_return "inflate failed: " + p.error().message;
          if (*p) co_return std::string(**p);
        }
      });
  EXPECT_EQ(payload, R"({"op":10})");
}

TEST(WebSocketTest, AServerThatNeverUpgradesIsATimeout) {
  // Accepts the TCP connection, then answers the upgrade request only after 3 s.
  testing::ScriptedHttpServer slow([](const testing::ScriptedRequest&) {
    return testing::ScriptedReply{101, {}, "", 3s};
  });
  const std::string url = "ws://" + slow.base_url().substr(std::string("http://").size());
  const auto t0 = std::chrono::steady_clock::now();
  const auto code = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<core::ErrorCode> {
    auto ws = co_await WebSocket::Connect(ex, url, 300ms);
    co_return ws ? core::ErrorCode::kInternal : ws.error().code;
  });
  EXPECT_EQ(code, core::ErrorCode::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST(WebSocketTest, BadUrlsAndDeadPortsAreClearErrors) {
  const auto bad = RunClient([](asio::any_io_executor ex) -> asio::awaitable<core::ErrorCode> {
    auto ws = co_await WebSocket::Connect(ex, "https://gateway.discord.gg", 1s);
    co_return ws ? core::ErrorCode::kInternal : ws.error().code;
  });
  EXPECT_EQ(bad, core::ErrorCode::kInvalidArgument);
  // A port nothing listens on (the server is gone once destroyed).
  std::string dead;
  {
    ScriptedWebSocketServer gone([](ServerSide&) -> asio::awaitable<void> { co_return; });
    dead = gone.url();
  }
  const auto refused = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<core::ErrorCode> {
    auto ws = co_await WebSocket::Connect(ex, dead, 1s);
    co_return ws ? core::ErrorCode::kInternal : ws.error().code;
  });
  EXPECT_EQ(refused, core::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace net

namespace net {
namespace {

TEST(WebSocketUrlTest, ParsesGatewayUrls) {
  auto u = Url::Parse("wss://gateway.discord.gg?v=10&encoding=json&compress=zlib-stream", true);
  ASSERT_TRUE(u.has_value()) << u.error().message;
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "gateway.discord.gg");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->target, "/?v=10&encoding=json&compress=zlib-stream");
  auto local = Url::Parse("ws://127.0.0.1:9000/gateway", true);
  ASSERT_TRUE(local.has_value());
  EXPECT_FALSE(local->tls);
  EXPECT_EQ(local->port, "9000");
  EXPECT_FALSE(Url::Parse("ws://127.0.0.1:9000", false).has_value());  // HTTP wants http(s)
  EXPECT_FALSE(Url::Parse("https://gateway.discord.gg", true).has_value());
  EXPECT_FALSE(Url::Parse("wss://user@gateway.discord.gg", true).has_value());
}

}  // namespace
}  // namespace net

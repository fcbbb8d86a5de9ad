#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "net/http_client.h"
#include "net/http_server.h"
#include "net/websocket.h"

namespace net {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
constexpr auto kAwait = asio::use_awaitable;

// An HttpServer listening on 127.0.0.1, its io_context run by a thread of its own.
class RunningServer {
 public:
  explicit RunningServer(HttpServer::RequestHandler on_request,
                         HttpServer::UpgradeHandler on_upgrade = {}, HttpServerOptions options = {})
      : server_(std::make_unique<HttpServer>(io_.get_executor(), std::move(options),
                                             std::move(on_request), std::move(on_upgrade))) {
    auto listening = server_->Listen();
    EXPECT_TRUE(listening.has_value()) << listening.error().ToString();
    thread_ = std::thread([this] {
      io_.run();
      ended_.set_value();
    });
  }
  ~RunningServer() { StopAndWait(); }

  HttpServer& server() { return *server_; }
  std::uint16_t port() const { return server_->port(); }
  std::string http_url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(port()); }

  // Stop()s the server; true if its run loop then ended within `limit` (otherwise the loop is
  // stopped by force, so that the test ends).
  bool StopAndWait(std::chrono::milliseconds limit = 3s) {
    if (!thread_.joinable()) return ended_in_time_;
    server_->Stop();
    ended_in_time_ = run_ended_.wait_for(limit) == std::future_status::ready;
    if (!ended_in_time_) io_.stop();
    thread_.join();
    return ended_in_time_;
  }
  // Whether the run loop ended within `limit`, without stopping anything.
  bool WaitEnded(std::chrono::milliseconds limit) {
    return run_ended_.wait_for(limit) == std::future_status::ready;
  }

 private:
  asio::io_context io_;
  std::unique_ptr<HttpServer> server_;
  std::promise<void> ended_;
  std::shared_future<void> run_ended_ = ended_.get_future().share();
  std::thread thread_;
  bool ended_in_time_ = false;
};

// Runs a client coroutine on a private io_context for at most `limit`; nullopt (and a test
// failure) if it did not finish by then.
template <typename F>
auto RunClient(F body, std::chrono::seconds limit = 5s)
    -> std::optional<typename decltype(body(std::declval<asio::any_io_executor>()))::value_type> {
  asio::io_context io;
  auto fut = asio::co_spawn(io, body(io.get_executor()), asio::use_future);
  io.run_for(limit);
  if (fut.wait_for(0s) != std::future_status::ready) {
    ADD_FAILURE() << "the client did not finish within " << limit.count() << "s";
    return std::nullopt;
  }
  return fut.get();
}

HttpResponse Reply(int status, std::string body,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

asio::awaitable<beast::tcp_stream> ConnectRaw(asio::any_io_executor ex, std::uint16_t port) {
  beast::tcp_stream stream(ex);
  stream.expires_after(3s);
  co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kAwait);
  co_return stream;
}

http::request<http::string_body> Get(std::string target) {
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  return req;
}

asio::awaitable<http::response<http::string_body>> ReadResponse(beast::tcp_stream& stream,
                                                                beast::flat_buffer& buffer) {
  http::response<http::string_body> res;
  stream.expires_after(3s);
  co_await http::async_read(stream, buffer, res, kAwait);
  co_return res;
}

asio::awaitable<http::response<http::string_body>> Exchange(beast::tcp_stream& stream,
                                                            beast::flat_buffer& buffer,
                                                            http::request<http::string_body> req) {
  req.prepare_payload();
  stream.expires_after(3s);
  co_await http::async_write(stream, req, kAwait);
  co_return co_await ReadResponse(stream, buffer);
}

// What the next read on a connection the server should have closed returns: "eof" or an error.
asio::awaitable<std::string> ReadUntilClosed(beast::tcp_stream& stream,
                                             beast::flat_buffer& buffer) {
  http::response<http::string_body> res;
  beast::error_code ec;
  stream.expires_after(3s);
  co_await http::async_read(stream, buffer, res, asio::redirect_error(kAwait, ec));
  if (ec == http::error::end_of_stream) co_return "eof";
  if (!ec) co_return "a response: " + std::to_string(res.result_int());
  co_return ec.message();
}

TEST(HttpServerTest, AnswersGetAndPostWithHeadersQueryAndBody) {
  std::mutex mu;
  std::vector<ServerRequest> seen;
  RunningServer running([&](ServerRequest req) -> asio::awaitable<HttpResponse> {
    std::string body = req.method == "POST" ? "echo:" + req.body : R"({"ok":true})";
    {
      std::lock_guard lock(mu);
      seen.push_back(req);
    }
    co_return Reply(req.method == "POST" ? 200 : 201, std::move(body),
                    {{"X-Reply", "yes"}, {"Content-Type", "application/json"}});
  });
  auto results = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<std::string> {
    HttpClient client(ex);
    HttpRequest get;
    get.method = "GET";
    get.url = running.http_url() + "/api/v10/guilds/1?name=a%20b&x=1+2&name=second&flag&e=%zz";
    get.headers = {{"X-Audit-Log-Reason", "spam"}};
    auto got = co_await client.Send(get, 2s);
    if (!got) co_return got.error().ToString();
    EXPECT_EQ(got->status, 201);
    EXPECT_EQ(got->body, R"({"ok":true})");
    EXPECT_EQ(got->Header("x-reply"), "yes");
    EXPECT_EQ(got->Header("content-type"), "application/json");
    EXPECT_EQ(got->Header("content-length"), "11");

    HttpRequest post;
    post.url = running.http_url() + "/echo";
    post.headers = {{"Content-Type", "text/plain"}};
    post.body = std::string("hello\0world", 11);
    auto posted = co_await client.Send(post, 2s);
    if (!posted) co_return posted.error().ToString();
    EXPECT_EQ(posted->status, 200);
    EXPECT_EQ(posted->body, "echo:" + post.body);
    co_return "ok";
  });
  EXPECT_EQ(results, "ok");
  ASSERT_TRUE(running.StopAndWait());
  ASSERT_EQ(seen.size(), 2u);
  const ServerRequest& get = seen[0];
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.target, "/api/v10/guilds/1?name=a%20b&x=1+2&name=second&flag&e=%zz");
  EXPECT_EQ(get.Path(), "/api/v10/guilds/1");
  EXPECT_EQ(get.Query("name"), "a b");
  EXPECT_EQ(get.Query("x"), "1 2");
  EXPECT_EQ(get.Query("flag"), "");
  EXPECT_EQ(get.Query("e"), "%zz");
  EXPECT_EQ(get.Query("missing"), std::nullopt);
  EXPECT_EQ(get.Header("x-audit-log-reason"), "spam");
  EXPECT_EQ(get.Header("X-AUDIT-LOG-REASON"), "spam");
  EXPECT_EQ(get.Header("absent"), "");
  EXPECT_TRUE(get.body.empty());
  EXPECT_EQ(get.remote.rfind("127.0.0.1:", 0), 0u) << get.remote;
  const ServerRequest& post = seen[1];
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.Path(), "/echo");
  EXPECT_EQ(post.Query("x"), std::nullopt);
  EXPECT_EQ(post.body, std::string("hello\0world", 11));
  EXPECT_EQ(post.Header("content-type"), "text/plain");
}

TEST(HttpServerTest, KeepsTheConnectionAliveAcrossRequestsAndPipelines) {
  RunningServer running([](ServerRequest req) -> asio::awaitable<HttpResponse> {
    co_return Reply(200, "got " + std::string(req.Path()));
  });
  auto result = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<std::string> {
    auto stream = co_await ConnectRaw(ex, running.port());
    beast::flat_buffer buffer;
    for (int i = 1; i <= 3; ++i) {
      auto res = co_await Exchange(stream, buffer, Get("/n" + std::to_string(i)));
      EXPECT_EQ(res.result_int(), 200u);
      EXPECT_EQ(res.body(), "got /n" + std::to_string(i));
      EXPECT_TRUE(res.keep_alive());
    }
    // Two requests in one write: answered in order.
    const std::string two =
        "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: "
        "3\r\n\r\nabc";
    co_await asio::async_write(stream, asio::buffer(two), kAwait);
    EXPECT_EQ((co_await ReadResponse(stream, buffer)).body(), "got /a");
    EXPECT_EQ((co_await ReadResponse(stream, buffer)).body(), "got /b");
    // The client asks to close: the answer, then the end of the connection.
    auto last = Get("/last");
    last.keep_alive(false);
    auto res = co_await Exchange(stream, buffer, last);
    EXPECT_EQ(res.body(), "got /last");
    EXPECT_FALSE(res.keep_alive());
    co_return co_await ReadUntilClosed(stream, buffer);
  });
  EXPECT_EQ(result, "eof");
  EXPECT_EQ(running.server().connections_accepted(), 1u);
}

TEST(HttpServerTest, AHandlersConnectionCloseClosesAfterTheResponse) {
  RunningServer running([](ServerRequest) -> asio::awaitable<HttpResponse> {
    co_return Reply(200, "bye", {{"Connection", "close"}});
  });
  auto result = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<std::string> {
    auto stream = co_await ConnectRaw(ex, running.port());
    beast::flat_buffer buffer;
    auto res = co_await Exchange(stream, buffer, Get("/"));
    EXPECT_EQ(res.body(), "bye");
    EXPECT_FALSE(res.keep_alive());
    co_return co_await ReadUntilClosed(stream, buffer);
  });
  EXPECT_EQ(result, "eof");
}

TEST(HttpServerTest, GarbageIsA400AndTheConnectionCloses) {
  std::atomic<int> calls = 0;
  RunningServer running([&](ServerRequest) -> asio::awaitable<HttpResponse> {
    ++calls;
    co_return Reply(200, "");
  });
  auto result = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<std::string> {
    auto stream = co_await ConnectRaw(ex, running.port());
    beast::flat_buffer buffer;
    co_await asio::async_write(stream, asio::buffer(std::string("\x01\x02 garbage\r\n\r\n")),
                               kAwait);
    auto res = co_await ReadResponse(stream, buffer);
    EXPECT_EQ(res.result_int(), 400u);
    EXPECT_FALSE(res.keep_alive());
    co_return co_await ReadUntilClosed(stream, buffer);
  });
  EXPECT_EQ(result, "eof");
  EXPECT_EQ(calls, 0);
}

TEST(HttpServerTest, ABodyOverTheLimitIsA413) {
  std::atomic<int> calls = 0;
  RunningServer running(
      [&](ServerRequest) -> asio::awaitable<HttpResponse> {
        ++calls;
        co_return Reply(200, "");
      },
      {}, {.max_body = 1024});
  auto result = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<std::string> {
    HttpClient client(ex);
    HttpRequest post;
    post.url = running.http_url() + "/upload";
    post.body = std::string(200 * 1024, 'x');  // sent in full: the server must drain it
    auto res = co_await client.Send(post, 3s);
    if (!res) co_return res.error().ToString();
    EXPECT_EQ(res->status, 413);

    // Refused on the header alone: the client never sends the body.
    auto stream = co_await ConnectRaw(ex, running.port());
    beast::flat_buffer buffer;
    const std::string head = "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n";
    co_await asio::async_write(stream, asio::buffer(head), kAwait);
    auto refused = co_await ReadResponse(stream, buffer);
    EXPECT_EQ(refused.result_int(), 413u);
    co_return co_await ReadUntilClosed(stream, buffer);
  });
  EXPECT_EQ(result, "eof");
  EXPECT_EQ(calls, 0);

  // At the limit exactly: served.
  auto at_limit = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<int> {
    HttpClient client(ex);
    HttpRequest post;
    post.url = running.http_url() + "/upload";
    post.body = std::string(1024, 'x');
    auto res = co_await client.Send(post, 3s);
    co_return res ? res->status : -1;
  });
  EXPECT_EQ(at_limit, 200);
}

TEST(HttpServerTest, AHandlerThatThrowsIsA500AndTheConnectionCarriesOn) {
  RunningServer running([](ServerRequest req) -> asio::awaitable<HttpResponse> {
    if (req.Path() == "/throw") throw std::runtime_error("boom");
    if (req.Path() == "/bad-status") co_return Reply(42, "");
    co_return Reply(200, "fine");
  });
  auto result = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<std::string> {
    auto stream = co_await ConnectRaw(ex, running.port());
    beast::flat_buffer buffer;
    auto thrown = co_await Exchange(stream, buffer, Get("/throw"));
    EXPECT_EQ(thrown.result_int(), 500u);
    EXPECT_TRUE(thrown.keep_alive());
    auto bad = co_await Exchange(stream, buffer, Get("/bad-status"));
    EXPECT_EQ(bad.result_int(), 500u);
    auto fine = co_await Exchange(stream, buffer, Get("/ok"));
    EXPECT_EQ(fine.result_int(), 200u);
    co_return fine.body();
  });
  EXPECT_EQ(result, "fine");
  EXPECT_EQ(running.server().connections_accepted(), 1u);
}

TEST(HttpServerTest, AnswersExpect100Continue) {
  RunningServer running([](ServerRequest req) -> asio::awaitable<HttpResponse> {
    co_return Reply(200, "got " + req.body);
  });
  auto result = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<std::string> {
    auto stream = co_await ConnectRaw(ex, running.port());
    beast::flat_buffer buffer;
    const std::string head =
        "POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
    co_await asio::async_write(stream, asio::buffer(head), kAwait);
    auto go_on = co_await ReadResponse(stream, buffer);
    EXPECT_EQ(go_on.result_int(), 100u);
    co_await asio::async_write(stream, asio::buffer(std::string("hello")), kAwait);
    co_return (co_await ReadResponse(stream, buffer)).body();
  });
  EXPECT_EQ(result, "got hello");
}

TEST(HttpServerTest, ClosesIdleAndSlowConnections) {
  RunningServer running(
      [](ServerRequest) -> asio::awaitable<HttpResponse> { co_return Reply(200, ""); }, {},
      {.idle_timeout = 1s, .request_timeout = 1s});
  const auto t0 = std::chrono::steady_clock::now();
  auto result = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<std::string> {
    auto idle = co_await ConnectRaw(ex, running.port());
    auto slow = co_await ConnectRaw(ex, running.port());
    beast::flat_buffer idle_buffer;
    beast::flat_buffer slow_buffer;
    co_await Exchange(idle, idle_buffer, Get("/"));
    co_await asio::async_write(slow, asio::buffer(std::string("GET / HTTP/1.1\r\nHost:")), kAwait);
    const std::string idle_end = co_await ReadUntilClosed(idle, idle_buffer);
    const std::string slow_end = co_await ReadUntilClosed(slow, slow_buffer);
    co_return idle_end + "," + slow_end;
  });
  EXPECT_EQ(result, "eof,eof");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2500ms);
}

struct ServerSeen {
  std::mutex mu;
  std::optional<std::string> v, encoding, path;
  std::vector<WebSocketMessage> messages;
  std::optional<core::Error> read_error;
  std::optional<int> close_code;
};

TEST(HttpServerTest, UpgradesToAWebSocketAndExchangesTextAndBinary) {
  ServerSeen seen;
  RunningServer running(
      [](ServerRequest) -> asio::awaitable<HttpResponse> { co_return Reply(200, "http"); },
      [&](ServerRequest req, std::unique_ptr<ServerWebSocket> ws) -> asio::awaitable<void> {
        {
          std::lock_guard lock(seen.mu);
          seen.v = req.Query("v");
          seen.encoding = req.Query("encoding");
          seen.path = std::string(req.Path());
        }
        while (true) {
          auto m = co_await ws->Read();
          if (!m) {
            std::lock_guard lock(seen.mu);
            seen.read_error = m.error();
            seen.close_code = ws->close_code();
            co_return;
          }
          {
            std::lock_guard lock(seen.mu);
            seen.messages.push_back(*m);
          }
          // Text is echoed as text, binary is answered with its bytes reversed, as binary.
          std::string reply =
              m->binary ? std::string(m->data.rbegin(), m->data.rend()) : "echo:" + m->data;
          auto written = co_await ws->Write(reply, m->binary);
          EXPECT_TRUE(written.has_value());
        }
      });
  struct ClientSeen {
    std::vector<std::pair<std::string, bool>> replies;  // data, binary
    std::string http_body;
  };
  auto client = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<ClientSeen> {
    ClientSeen out;
    websocket::stream<beast::tcp_stream> ws(co_await ConnectRaw(ex, running.port()));
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    co_await ws.async_handshake("127.0.0.1", "/?v=10&encoding=json&compress=zlib-stream", kAwait);
    std::vector<std::pair<std::string, bool>> outgoing;
    outgoing.emplace_back(R"({"op":2})", false);
    outgoing.emplace_back(std::string("\x78\x9c\x00\xff", 4), true);
    for (const auto& [data, is_binary] : outgoing) {
      ws.binary(is_binary);
      co_await ws.async_write(asio::buffer(data), kAwait);
      beast::flat_buffer buffer;
      co_await ws.async_read(buffer, kAwait);
      out.replies.emplace_back(beast::buffers_to_string(buffer.data()), ws.got_binary());
    }
    co_await ws.async_close(
        websocket::close_reason(static_cast<websocket::close_code>(4000), "bye"), kAwait);
    // The same port still serves plain HTTP.
    HttpClient http(ex);
    HttpRequest get;  // named: GCC 12 double-destroys aggregate temporaries across co_await
    get.method = "GET";
    get.url = running.http_url() + "/";
    auto res = co_await http.Send(get, 2s);
    out.http_body = res ? res->body : res.error().ToString();
    co_return out;
  });
  ASSERT_TRUE(client.has_value());
  ASSERT_EQ(client->replies.size(), 2u);
  EXPECT_EQ(client->replies[0], std::make_pair(std::string(R"(echo:{"op":2})"), false));
  EXPECT_EQ(client->replies[1], std::make_pair(std::string("\xff\x00\x9c\x78", 4), true));
  EXPECT_EQ(client->http_body, "http");
  ASSERT_TRUE(running.StopAndWait());
  EXPECT_EQ(seen.v, "10");
  EXPECT_EQ(seen.encoding, "json");
  EXPECT_EQ(seen.path, "/");
  ASSERT_EQ(seen.messages.size(), 2u);
  EXPECT_FALSE(seen.messages[0].binary);
  EXPECT_TRUE(seen.messages[1].binary);
  EXPECT_EQ(seen.messages[1].data, std::string("\x78\x9c\x00\xff", 4));
  ASSERT_TRUE(seen.read_error.has_value());
  EXPECT_EQ(seen.read_error->code, core::ErrorCode::kUnavailable) << seen.read_error->ToString();
  EXPECT_EQ(seen.close_code, 4000);
}

// What a net::WebSocket client sees after sending `hello` and reading until an error.
struct ClientEnd {
  std::vector<std::string> messages;
  std::string error;
  std::optional<int> close_code;
};

ClientEnd ConnectAndReadToTheEnd(const std::string& url) {
  auto end = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<ClientEnd> {
    ClientEnd out;
    auto ws = co_await WebSocket::Connect(ex, url, 2s);
    if (!ws) {
      out.error = "connect: " + ws.error().ToString();
      co_return out;
    }
    auto sent = co_await (*ws)->Write("hello");
    EXPECT_TRUE(sent.has_value());
    while (true) {
      auto m = co_await (*ws)->Read();
      if (!m) {
        out.error = m.error().ToString();
        break;
      }
      out.messages.push_back(m->data);
    }
    out.close_code = (*ws)->close_code();
    co_return out;
  });
  return end.value_or(ClientEnd{.error = "timed out"});
}

TEST(HttpServerTest, AServerCloseReachesTheClientWithItsCode) {
  std::optional<core::Error> read_after_close;
  RunningServer running(
      [](ServerRequest) -> asio::awaitable<HttpResponse> { co_return Reply(200, ""); },
      [&](ServerRequest, std::unique_ptr<ServerWebSocket> ws) -> asio::awaitable<void> {
        auto hello = co_await ws->Read();
        // Named: GCC 12 mishandles a conditional's temporary across co_await.
        const std::string reply = hello ? "hi " + hello->data : "?";
        co_await ws->Write(reply, false);
        co_await ws->Close(4004, "Authentication failed.");
        co_await ws->Close(4004, "twice is harmless");
        auto after = co_await ws->Read();
        if (!after) read_after_close = after.error();
      });
  const ClientEnd end = ConnectAndReadToTheEnd(running.ws_url() + "/?v=10");
  EXPECT_EQ(end.messages, std::vector<std::string>{"hi hello"});
  EXPECT_EQ(end.close_code, 4004) << end.error;
  EXPECT_NE(end.error.find("4004"), std::string::npos) << end.error;
  ASSERT_TRUE(running.StopAndWait());
  EXPECT_TRUE(read_after_close.has_value());
}

TEST(HttpServerTest, ADroppedWebSocketIsAnErrorWithoutACloseCode) {
  RunningServer running(
      [](ServerRequest) -> asio::awaitable<HttpResponse> { co_return Reply(200, ""); },
      [&](ServerRequest, std::unique_ptr<ServerWebSocket> ws) -> asio::awaitable<void> {
        auto hello = co_await ws->Read();
        co_await ws->Write("before the drop", false);
        ws->Drop();
        auto after = co_await ws->Write("after the drop", false);
        EXPECT_FALSE(after.has_value());
      });
  const ClientEnd end = ConnectAndReadToTheEnd(running.ws_url() + "/");
  EXPECT_EQ(end.messages, std::vector<std::string>{"before the drop"});
  EXPECT_FALSE(end.error.empty());
  EXPECT_EQ(end.close_code, std::nullopt) << end.error;
}

TEST(HttpServerTest, TheClientsCloseCodeReachesTheServer) {
  ServerSeen seen;
  RunningServer running(
      [](ServerRequest) -> asio::awaitable<HttpResponse> { co_return Reply(200, ""); },
      [&](ServerRequest, std::unique_ptr<ServerWebSocket> ws) -> asio::awaitable<void> {
        auto m = co_await ws->Read();
        std::lock_guard lock(seen.mu);
        if (!m) seen.read_error = m.error();
        seen.close_code = ws->close_code();
      });
  auto closed = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<bool> {
    auto ws = co_await WebSocket::Connect(ex, running.ws_url() + "/", 2s);
    if (!ws) co_return false;
    co_await (*ws)->Close(4000, "resuming");
    co_return true;
  });
  EXPECT_EQ(closed, true);
  ASSERT_TRUE(running.StopAndWait());
  ASSERT_TRUE(seen.read_error.has_value());
  EXPECT_EQ(seen.read_error->code, core::ErrorCode::kUnavailable);
  EXPECT_NE(seen.read_error->message.find("resuming"), std::string::npos);
  EXPECT_EQ(seen.close_code, 4000);
}

TEST(HttpServerTest, AnUpgradeWithoutAHandlerIsA404) {
  RunningServer running(
      [](ServerRequest) -> asio::awaitable<HttpResponse> { co_return Reply(200, ""); });
  auto status = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<unsigned> {
    websocket::stream<beast::tcp_stream> ws(co_await ConnectRaw(ex, running.port()));
    websocket::response_type res;
    beast::error_code ec;
    co_await ws.async_handshake(res, "127.0.0.1", "/?v=10", asio::redirect_error(kAwait, ec));
    EXPECT_TRUE(ec);
    co_return res.result_int();
  });
  EXPECT_EQ(status, 404u);
}

TEST(HttpServerTest, StopClosesOpenHttpAndWebSocketConnectionsPromptly) {
  ServerSeen seen;
  RunningServer running(
      [](ServerRequest) -> asio::awaitable<HttpResponse> { co_return Reply(200, "up"); },
      [&](ServerRequest, std::unique_ptr<ServerWebSocket> ws) -> asio::awaitable<void> {
        while (true) {
          auto m = co_await ws->Read();
          if (!m) {
            std::lock_guard lock(seen.mu);
            seen.read_error = m.error();
            co_return;
          }
          co_await ws->Write("echo:" + m->data, false);
        }
      });
  auto result = RunClient([&](asio::any_io_executor ex) -> asio::awaitable<std::string> {
    auto stream = co_await ConnectRaw(ex, running.port());
    beast::flat_buffer buffer;
    EXPECT_EQ((co_await Exchange(stream, buffer, Get("/"))).body(), "up");
    auto ws = co_await WebSocket::Connect(ex, running.ws_url() + "/", 2s);
    if (!ws) co_return ws.error().ToString();
    co_await (*ws)->Write("ping");
    auto echo = co_await (*ws)->Read();
    EXPECT_EQ(echo ? echo->data : echo.error().ToString(), "echo:ping");

    const auto t0 = std::chrono::steady_clock::now();
    running.server().Stop();  // from another thread than the server's
    const std::string http_end = co_await ReadUntilClosed(stream, buffer);
    auto ws_end = co_await (*ws)->Read();
    EXPECT_FALSE(ws_end.has_value());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
    co_return http_end;
  });
  EXPECT_EQ(result, "eof");
  EXPECT_TRUE(running.WaitEnded(2s)) << "the server's run loop did not end after Stop()";
  EXPECT_TRUE(running.StopAndWait());  // a second Stop() is harmless
  std::lock_guard lock(seen.mu);
  EXPECT_TRUE(seen.read_error.has_value());
}

TEST(HttpServerTest, ListenReportsATakenPortABadAddressAndASecondCall) {
  asio::io_context io;
  const auto ok = [](ServerRequest) -> asio::awaitable<HttpResponse> { co_return Reply(200, ""); };
  HttpServer first(io.get_executor(), {}, ok);
  ASSERT_TRUE(first.Listen().has_value());
  ASSERT_NE(first.port(), 0);
  auto again = first.Listen();
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, core::ErrorCode::kFailedPrecondition);

  HttpServer second(io.get_executor(), {.port = first.port()}, ok);
  auto taken = second.Listen();
  ASSERT_FALSE(taken.has_value());
  EXPECT_EQ(taken.error().code, core::ErrorCode::kUnavailable) << taken.error().ToString();
  EXPECT_EQ(second.port(), 0);

  HttpServer third(io.get_executor(), {.address = "localhost"}, ok);
  auto bad = third.Listen();
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidArgument);

  first.Stop();
  io.run_for(2s);
  EXPECT_TRUE(io.stopped()) << "the accept loop did not end after Stop()";
}

}  // namespace
}  // namespace net

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "net/http_client.h"
#include "net/testing/scripted_http_server.h"

namespace net {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedHttpServer;
using testing::ScriptedReply;
using testing::ScriptedRequest;

// Runs one Send to completion on a private io_context.
core::Result<HttpResponse> SendNow(HttpRequest req, std::chrono::milliseconds timeout = 2s) {
  boost::asio::io_context io;
  HttpClient client(io.get_executor());
  auto fut =
      boost::asio::co_spawn(io, client.Send(std::move(req), timeout), boost::asio::use_future);
  io.run();
  return fut.get();
}

TEST(HttpClientTest, PostsAndReadsTheResponse) {
  ScriptedRequest seen;
  ScriptedHttpServer server([&](const ScriptedRequest& r) {
    seen = r;
    return ScriptedReply{
        201, {{"Retry-After", "3"}, {"Content-Type", "application/json"}}, R"({"ok":true})"};
  });
  HttpRequest req;
  req.url = server.base_url() + "/v1/chat/completions";
  req.headers = {{"Authorization", "Bearer k"}, {"Content-Type", "application/json"}};
  req.body = R"({"x":1})";
  auto res = SendNow(req);
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, R"({"ok":true})");
  EXPECT_EQ(res->Header("retry-after"), "3");
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/v1/chat/completions");
  EXPECT_EQ(seen.Header("authorization"), "Bearer k");
  EXPECT_EQ(seen.body, R"({"x":1})");
}

TEST(HttpClientTest, AStalledServerIsATimeout) {
  ScriptedHttpServer server([](const ScriptedRequest&) {
    return ScriptedReply{200, {}, "late", 3s};
  });
  HttpRequest req;
  req.url = server.base_url() + "/";
  const auto t0 = std::chrono::steady_clock::now();
  auto res = SendNow(req, 300ms);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::ErrorCode::kTimeout) << res.error().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST(HttpClientTest, HangUpAndRefusedConnectionsAreUnavailable) {
  ScriptedHttpServer server([](const ScriptedRequest&) {
    ScriptedReply r;
    r.hang_up = true;
    return r;
  });
  HttpRequest req;
  req.url = server.base_url() + "/";
  auto res = SendNow(req);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::ErrorCode::kUnavailable) << res.error().ToString();

  std::string closed_url;
  {
    ScriptedHttpServer gone([](const ScriptedRequest&) { return ScriptedReply{}; });
    closed_url = gone.base_url();
  }
  req.url = closed_url + "/";
  res = SendNow(req);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::ErrorCode::kUnavailable);
}

TEST(HttpClientTest, TlsToAPlainServerFailsClosed) {
  ScriptedHttpServer server([](const ScriptedRequest&) { return ScriptedReply{}; });
  HttpRequest req;
  req.url = "https://" + server.base_url().substr(7) + "/";
  auto res = SendNow(req);
  ASSERT_FALSE(res.has_value());
  EXPECT_NE(res.error().code, core::ErrorCode::kInternal);
}

TEST(UrlTest, ParsesAndRefuses) {
  auto u = Url::Parse("https://api.openai.com/v1/chat/completions");
  ASSERT_TRUE(u.has_value());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "api.openai.com");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->target, "/v1/chat/completions");
  auto local = Url::Parse("http://127.0.0.1:8080");
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(local->port, "8080");
  EXPECT_EQ(local->target, "/");
  for (const char* bad : {"ftp://x", "http://", "http://user:pw@host/", "http://host:99999/",
                          "http://host:x/", "http://ho st/", ""}) {
    EXPECT_FALSE(Url::Parse(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace net

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <vector>

#include "core/testing/manual_clock.h"
#include "net/http_client.h"
#include "net/testing/scripted_http_server.h"

namespace net {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedHttpServer;
using testing::ScriptedHttpServerOptions;
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

// One client whose pool lives across requests, on an io_context run by the test thread.
class PooledHttpClientTest : public ::testing::Test {
 protected:
  core::Result<HttpResponse> Get(const std::string& url, std::chrono::milliseconds timeout = 2s) {
    return Concurrently(url, 1, timeout).front();
  }

  // `n` requests started together, run to completion.
  std::vector<core::Result<HttpResponse>> Concurrently(const std::string& url, int n,
                                                       std::chrono::milliseconds timeout = 2s) {
    std::vector<std::future<core::Result<HttpResponse>>> futures;
    for (int i = 0; i < n; ++i) {
      HttpRequest req;
      req.method = "GET";
      req.url = url;
      futures.push_back(
          boost::asio::co_spawn(io_, client_->Send(req, timeout), boost::asio::use_future));
    }
    io_.restart();
    io_.run();
    std::vector<core::Result<HttpResponse>> out;
    for (auto& f : futures) out.push_back(f.get());
    return out;
  }

  void Recreate(HttpClientOptions options) {
    client_ = std::make_unique<HttpClient>(io_.get_executor(), std::move(options), clock_);
  }

  core::testing::ManualClock clock_;
  boost::asio::io_context io_;
  std::unique_ptr<HttpClient> client_ =
      std::make_unique<HttpClient>(io_.get_executor(), HttpClientOptions{}, clock_);
};

TEST_F(PooledHttpClientTest, SequentialRequestsShareOneConnection) {
  ScriptedHttpServer server([](const ScriptedRequest&) { return ScriptedReply{200, {}, "ok"}; });
  for (int i = 0; i < 20; ++i) {
    auto res = Get(server.base_url() + "/n");
    ASSERT_TRUE(res.has_value()) << i << ": " << res.error().ToString();
    EXPECT_EQ(res->body, "ok");
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(server.requests(), 20);
  const HttpClientStats stats = client_->stats();
  EXPECT_EQ(stats.connections_opened, 1u);
  EXPECT_EQ(stats.requests_sent, 20u);
  EXPECT_EQ(stats.reuses, 19u);
  EXPECT_EQ(stats.retries, 0u);
  EXPECT_EQ(client_->idle_connections(), 1u);
}

// The measurement hook sees every request once as it is written, with its method and target.
TEST_F(PooledHttpClientTest, TheWrittenHookSeesEveryRequest) {
  std::vector<std::string> seen;
  ScriptedHttpServer server([](const ScriptedRequest&) { return ScriptedReply{200, {}, "ok"}; });
  HttpClientOptions o;
  const auto start = std::chrono::steady_clock::now();
  o.on_written = [&](std::string_view method, std::string_view target,
                     std::chrono::steady_clock::time_point at) {
    EXPECT_GE(at, start);
    seen.push_back(std::string(method) + " " + std::string(target));
  };
  Recreate(std::move(o));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Get(server.base_url() + "/n?i=" + std::to_string(i)));
  EXPECT_EQ(seen, (std::vector<std::string>{"GET /n?i=0", "GET /n?i=1", "GET /n?i=2"}));
}

TEST_F(PooledHttpClientTest, ConnectionCloseAndHttp10ResponsesAreNotReused) {
  ScriptedHttpServer server([](const ScriptedRequest& r) {
    ScriptedReply reply{200, {}, "bye"};
    reply.close = r.target == "/close";
    reply.http10 = r.target == "/old";
    return reply;
  });
  for (const char* target : {"/close", "/close", "/old", "/old"}) {
    auto res = Get(server.base_url() + target);
    ASSERT_TRUE(res.has_value()) << target << ": " << res.error().ToString();
    EXPECT_EQ(res->body, "bye");
  }
  EXPECT_EQ(server.connections(), 4);
  EXPECT_EQ(client_->stats().connections_opened, 4u);
  EXPECT_EQ(client_->stats().reuses, 0u);
  EXPECT_EQ(client_->idle_connections(), 0u);
}

TEST_F(PooledHttpClientTest, AConnectionTheServerDroppedSilentlyIsRetriedOnce) {
  ScriptedHttpServer server([](const ScriptedRequest&) {
    ScriptedReply reply{200, {}, "ok"};
    reply.drop_after = true;
    return reply;
  });
  for (int i = 0; i < 3; ++i) {
    auto res = Get(server.base_url() + "/");
    ASSERT_TRUE(res.has_value()) << i << ": " << res.error().ToString();
    EXPECT_EQ(res->body, "ok");
  }
  EXPECT_EQ(server.requests(), 3);  // the stale attempts never reached the handler
  EXPECT_EQ(server.connections(), 3);
  const HttpClientStats stats = client_->stats();
  EXPECT_EQ(stats.connections_opened, 3u);
  EXPECT_EQ(stats.requests_sent, 5u);
  EXPECT_EQ(stats.reuses, 2u);
  EXPECT_EQ(stats.retries, 2u);
}

TEST_F(PooledHttpClientTest, AServerClosingAfterNRequestsCostsOneRetryPerConnection) {
  ScriptedHttpServer server(
      [](const ScriptedRequest&) {
        return ScriptedReply{200, {}, "ok"};
      },
      ScriptedHttpServerOptions{.max_requests_per_connection = 3});
  for (int i = 0; i < 6; ++i) {
    auto res = Get(server.base_url() + "/");
    ASSERT_TRUE(res.has_value()) << i << ": " << res.error().ToString();
  }
  EXPECT_EQ(server.requests(), 6);
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(client_->stats().connections_opened, 2u);
  EXPECT_EQ(client_->stats().retries, 1u);
}

TEST_F(PooledHttpClientTest, ConcurrentRequestsOpenTheirOwnConnectionsThenReuseThem) {
  ScriptedHttpServer server([](const ScriptedRequest&) {
    return ScriptedReply{200, {}, "ok", 100ms};  // long enough for all five to overlap
  });
  for (const auto& res : Concurrently(server.base_url() + "/", 5)) {
    ASSERT_TRUE(res.has_value()) << res.error().ToString();
  }
  const int opened = server.connections();
  EXPECT_LE(opened, 5);
  EXPECT_EQ(client_->stats().connections_opened, static_cast<std::uint64_t>(opened));
  EXPECT_EQ(client_->idle_connections(), static_cast<std::size_t>(opened));

  for (const auto& res : Concurrently(server.base_url() + "/", 5)) {
    ASSERT_TRUE(res.has_value()) << res.error().ToString();
  }
  EXPECT_EQ(server.connections(), opened);
  EXPECT_EQ(server.requests(), 10);
  EXPECT_EQ(client_->stats().reuses, static_cast<std::uint64_t>(opened));
  EXPECT_EQ(client_->stats().retries, 0u);
}

TEST_F(PooledHttpClientTest, IdleConnectionsBeyondTheLimitAreClosed) {
  Recreate({.max_idle_per_host = 2});
  ScriptedHttpServer server([](const ScriptedRequest&) {
    return ScriptedReply{200, {}, "ok", 100ms};
  });
  for (const auto& res : Concurrently(server.base_url() + "/", 4)) {
    ASSERT_TRUE(res.has_value()) << res.error().ToString();
  }
  EXPECT_EQ(client_->idle_connections(), 2u);
}

TEST_F(PooledHttpClientTest, ConnectionsIdlePastTheIdleTimeoutAreNotReused) {
  Recreate({.idle_timeout = 30s});
  ScriptedHttpServer server([](const ScriptedRequest&) { return ScriptedReply{200, {}, "ok"}; });
  ASSERT_TRUE(Get(server.base_url() + "/").has_value());
  clock_.Advance(29s);
  ASSERT_TRUE(Get(server.base_url() + "/").has_value());
  EXPECT_EQ(client_->stats().reuses, 1u);
  clock_.Advance(30s);
  ASSERT_TRUE(Get(server.base_url() + "/").has_value());
  EXPECT_EQ(client_->stats().reuses, 1u);
  EXPECT_EQ(client_->stats().connections_opened, 2u);
  EXPECT_EQ(server.connections(), 2);
}

TEST_F(PooledHttpClientTest, AStallOnAReusedConnectionIsATimeoutNotARetry) {
  int seen = 0;
  ScriptedHttpServer server([&](const ScriptedRequest&) {
    return ScriptedReply{200, {}, "ok", ++seen == 2 ? 3000ms : 0ms};
  });
  ASSERT_TRUE(Get(server.base_url() + "/").has_value());
  const auto t0 = std::chrono::steady_clock::now();
  auto res = Get(server.base_url() + "/", 300ms);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::ErrorCode::kTimeout) << res.error().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(server.requests(), 2);
  EXPECT_EQ(client_->stats().retries, 0u);
  EXPECT_EQ(client_->idle_connections(), 0u);
}

TEST_F(PooledHttpClientTest, AResponseCutMidBodyIsAnErrorAndNotRetried) {
  ScriptedHttpServer fresh([](const ScriptedRequest&) {
    ScriptedReply reply{200, {}, std::string(1000, 'x')};
    reply.cut_body = true;
    return reply;
  });
  auto res = Get(fresh.base_url() + "/");
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::ErrorCode::kUnavailable) << res.error().ToString();
  EXPECT_EQ(fresh.requests(), 1);

  int seen = 0;
  ScriptedHttpServer reused([&](const ScriptedRequest&) {
    ScriptedReply reply{200, {}, std::string(1000, 'x')};
    reply.cut_body = ++seen == 2;
    return reply;
  });
  ASSERT_TRUE(Get(reused.base_url() + "/").has_value());
  res = Get(reused.base_url() + "/");
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::ErrorCode::kUnavailable) << res.error().ToString();
  EXPECT_EQ(reused.requests(), 2);
  EXPECT_EQ(client_->stats().retries, 0u);
  EXPECT_EQ(client_->idle_connections(), 0u);
}

TEST_F(PooledHttpClientTest, UserAgentDefaultsFromOptionsAndARequestHeaderOverridesIt) {
  Recreate({.user_agent = "antispam-test"});
  std::vector<std::string> agents;
  ScriptedHttpServer server([&](const ScriptedRequest& r) {
    agents.push_back(r.Header("user-agent"));
    return ScriptedReply{};
  });
  ASSERT_TRUE(Get(server.base_url() + "/").has_value());
  HttpRequest req;
  req.method = "GET";
  req.url = server.base_url() + "/";
  req.headers = {{"User-Agent", "DiscordBot (https://example.org, 1.0)"}};
  auto fut = boost::asio::co_spawn(io_, client_->Send(req, 2s), boost::asio::use_future);
  io_.restart();
  io_.run();
  ASSERT_TRUE(fut.get().has_value());
  EXPECT_EQ(agents,
            (std::vector<std::string>{"antispam-test", "DiscordBot (https://example.org, 1.0)"}));
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

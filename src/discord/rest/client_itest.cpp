// The REST client over real HTTP against a scripted server on 127.0.0.1: headers, retries, 429s,
// typed errors. (The simulator tests in src/sim cover buckets under load.)
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <mutex>
#include <vector>

#include "discord/rest/client.h"
#include "net/http_client.h"
#include "net/testing/scripted_http_server.h"

namespace discord::rest {
namespace {

using namespace std::chrono_literals;
using net::testing::ScriptedHttpServer;
using net::testing::ScriptedReply;
using net::testing::ScriptedRequest;

const std::string kGuild = "1390000000000000000";
const std::string kUser = "1390000000000000001";
const std::string kRole = "1390000000000000002";

struct Fixture {
  explicit Fixture(const ScriptedHttpServer& server, ClientOptions options = {}) {
    options.api_base_url = server.base_url() + "/api/v10/";
    options.token = "secret-token";
    options.retry_backoff = 10ms;
    client = std::make_unique<Client>(io.get_executor(), http, core::DefaultClock(), options);
  }
  core::Result<Response> Call(std::string_view method, std::string path, std::string body = {},
                              std::string reason = {}) {
    auto fut =
        boost::asio::co_spawn(io, client->Call(method, std::move(path), std::move(body), reason),
                              boost::asio::use_future);
    io.restart();
    io.run();
    return fut.get();
  }
  boost::asio::io_context io;
  net::HttpClient http{io.get_executor()};
  std::unique_ptr<Client> client;
};

TEST(RestClientTest, SendsTheBotTokenUserAgentAndReason) {
  ScriptedRequest seen;
  ScriptedHttpServer server([&](const ScriptedRequest& r) {
    seen = r;
    return ScriptedReply{204, {}, ""};
  });
  Fixture f(server);
  auto res = f.Call("PUT", "/guilds/" + kGuild + "/members/" + kUser + "/roles/" + kRole, "",
                    "flagged: scam link");
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.target, "/api/v10/guilds/" + kGuild + "/members/" + kUser + "/roles/" + kRole);
  EXPECT_EQ(seen.Header("Authorization"), "Bot secret-token");
  EXPECT_TRUE(seen.Header("User-Agent").starts_with("DiscordBot ("));
  EXPECT_EQ(seen.Header("X-Audit-Log-Reason"), "flagged%3A%20scam%20link");
  EXPECT_EQ(seen.Header("Content-Type"), "");  // no body, no content type
}

TEST(RestClientTest, PostsJsonWithItsContentType) {
  ScriptedRequest seen;
  ScriptedHttpServer server([&](const ScriptedRequest& r) {
    seen = r;
    return ScriptedReply{200, {}, R"({"id":"1"})"};
  });
  Fixture f(server);
  auto res = f.Call("POST", "/channels/" + kGuild + "/messages", R"({"content":"hi"})");
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(res->body, R"({"id":"1"})");
  EXPECT_EQ(seen.Header("Content-Type"), "application/json");
  EXPECT_EQ(seen.body, R"({"content":"hi"})");
}

TEST(RestClientTest, A429IsRetriedAfterRetryAfter) {
  std::mutex mu;
  std::vector<std::chrono::steady_clock::time_point> at;
  ScriptedHttpServer server([&](const ScriptedRequest&) {
    std::lock_guard lock(mu);
    at.push_back(std::chrono::steady_clock::now());
    if (at.size() == 1) {
      return ScriptedReply{
          429,
          {{"X-RateLimit-Limit", "5"},
           {"X-RateLimit-Remaining", "0"},
           {"X-RateLimit-Reset-After", "0.3"},
           {"X-RateLimit-Bucket", "abc"},
           {"X-RateLimit-Scope", "user"},
           {"Retry-After", "1"}},
          R"({"message":"You are being rate limited.","retry_after":0.3,"global":false})"};
    }
    return ScriptedReply{204, {}, ""};
  });
  Fixture f(server);
  auto res = f.Call("DELETE", "/guilds/" + kGuild + "/members/" + kUser);
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  ASSERT_EQ(at.size(), 2u);
  EXPECT_GE(at[1] - at[0], 290ms);  // the body's 0.3 s, not the header's rounded 1 s...
  EXPECT_LT(at[1] - at[0], 950ms);  // ...was honoured
  EXPECT_EQ(f.client->stats().rate_limited, 1u);
  EXPECT_EQ(f.client->stats().invalid_requests, 1u);
  EXPECT_EQ(f.client->stats().requests, 2u);
}

TEST(RestClientTest, ServerErrorsAreRetriedABoundedNumberOfTimes) {
  std::atomic<int> n{0};
  ScriptedHttpServer server([&](const ScriptedRequest&) {
    return ++n <= 2 ? ScriptedReply{502, {}, "bad gateway"} : ScriptedReply{200, {}, "{}"};
  });
  Fixture f(server);
  auto res = f.Call("GET", "/users/" + kUser);
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(n.load(), 3);

  std::atomic<int> m{0};
  ScriptedHttpServer down([&](const ScriptedRequest&) {
    ++m;
    return ScriptedReply{503, {}, ""};
  });
  Fixture g(down, ClientOptions{.max_attempts = 3});
  auto failed = g.Call("GET", "/users/" + kUser);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, core::ErrorCode::kUnavailable) << failed.error().ToString();
  EXPECT_EQ(m.load(), 3);
}

TEST(RestClientTest, APostThatMayHaveArrivedIsNotRepeated) {
  std::atomic<int> n{0};
  ScriptedHttpServer server([&](const ScriptedRequest&) {
    ++n;
    ScriptedReply r;
    r.hang_up = true;
    return r;
  });
  Fixture f(server);
  auto res = f.Call("POST", "/channels/" + kGuild + "/messages", R"({"content":"x"})");
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::ErrorCode::kUnavailable) << res.error().ToString();
  EXPECT_EQ(n.load(), 1);

  n = 0;  // a GET is safe to repeat
  auto get = f.Call("GET", "/users/" + kUser);
  ASSERT_FALSE(get.has_value());
  EXPECT_EQ(n.load(), 5);
}

TEST(RestClientTest, UnknownMemberAndMissingPermissionsAreTypedOutcomes) {
  ScriptedHttpServer server([&](const ScriptedRequest& r) {
    if (r.method == "GET") {
      return ScriptedReply{404, {}, R"({"message":"Unknown Member","code":10007})"};
    }
    return ScriptedReply{403, {}, R"({"message":"Missing Permissions","code":50013})"};
  });
  Fixture f(server);
  auto member = f.Call("GET", "/guilds/" + kGuild + "/members/" + kUser);
  ASSERT_FALSE(member.has_value());
  EXPECT_EQ(member.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(ApiCode(member.error()), api_code::kUnknownMember);
  auto ban =
      f.Call("PUT", "/guilds/" + kGuild + "/bans/" + kUser, R"({"delete_message_seconds":0})");
  ASSERT_FALSE(ban.has_value());
  EXPECT_EQ(ban.error().code, core::ErrorCode::kPermissionDenied);
  EXPECT_EQ(ApiCode(ban.error()), api_code::kMissingPermissions);
  EXPECT_EQ(server.requests(), 2);  // neither was retried
}

TEST(RestClientTest, After401NothingMoreIsSent) {
  ScriptedHttpServer server([&](const ScriptedRequest&) {
    return ScriptedReply{401, {}, R"({"message":"401: Unauthorized","code":0})"};
  });
  Fixture f(server);
  auto first = f.Call("GET", "/users/@me");
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code, core::ErrorCode::kPermissionDenied);
  EXPECT_EQ(first.error().message.find("secret-token"), std::string::npos);
  auto second = f.Call("GET", "/users/@me");
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, core::ErrorCode::kPermissionDenied);
  EXPECT_EQ(server.requests(), 1);
}

}  // namespace
}  // namespace discord::rest

// The HTTP interactions endpoint on a real net::HttpServer, with requests signed in the test by a
// libsodium key pair as Discord signs them: PING gets PONG, a signed command gets the handler's
// reply as the HTTP answer, and every bad signature, missing header or stale timestamp is a 401
// that never reaches a handler.
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "discord/interactions/http_endpoint.h"
#include "discord/interactions/testing/fake_responder.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "sim/interactions_http.h"

namespace discord::interactions {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using nlohmann::json;
using Task = asio::awaitable<core::Result<void>>;

// Discord's side of the signature: the simulator's signer (a fresh Ed25519 key pair).
using KeyPair = sim::InteractionSigner;

std::string Now() {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                            core::DefaultClock().Now().time_since_epoch())
                            .count());
}

std::string CommandJson(std::string name) {
  Interaction i;
  i.id = InteractionId(1400000000000000001ULL);
  i.application_id = ApplicationId(1400000000000000002ULL);
  i.type = InteractionType::kApplicationCommand;
  i.token = "secret-token";
  i.guild_id = core::GuildId(1400000000000000003ULL);
  i.channel_id = core::ChannelId(1400000000000000004ULL);
  i.member = Member{.user = User{.id = core::UserId(1400000000000000005ULL), .username = "mod"},
                    .roles = {},
                    .joined_at = core::DefaultClock().Now(),
                    .permissions = permission::kModerateMembers};
  i.data = CommandData{.id = CommandId(1400000000000000006ULL), .name = std::move(name)};
  return ToJson(i).dump();
}

Task Pong(Context& c, int& calls) {
  ++calls;
  const CreateMessage message{.content = "all quiet", .flags = message_flag::kEphemeral};
  co_return co_await c.Reply(message);
}

class HttpEndpointTest : public ::testing::Test {
 protected:
  HttpEndpointTest() {
    rest_.webhooks_need_callback = false;  // Discord had the callback as the HTTP answer
    router_.OnCommand("status", [this](Context& c) { return Pong(c, calls_); });
    router_.OnCommand("report", [this](Context& c) { return Pong(c, calls_); }, {.slow = true});
    auto listening = server_.Listen();
    EXPECT_TRUE(listening.has_value()) << listening.error().ToString();
  }

  // POSTs `body` with `headers` to the endpoint; runs the one io_context until the answer is in.
  net::HttpResponse Post(std::string body, std::vector<std::pair<std::string, std::string>> headers,
                         std::string method = "POST") {
    net::HttpRequest request{
        .method = std::move(method),
        .url = "http://127.0.0.1:" + std::to_string(server_.port()) + "/interactions",
        .headers = std::move(headers),
        .body = std::move(body)};
    auto done = asio::co_spawn(io_, http_.Send(std::move(request), 5s), asio::use_future);
    RunUntil([&] { return done.wait_for(0s) == std::future_status::ready; });
    auto response = done.get();
    EXPECT_TRUE(response.has_value()) << response.error().ToString();
    return response ? *response : net::HttpResponse{};
  }
  net::HttpResponse Signed(const std::string& body, const KeyPair& keys,
                           const std::string& timestamp) {
    return Post(body, {{"X-Signature-Ed25519", keys.Sign(timestamp, body)},
                       {"X-Signature-Timestamp", timestamp},
                       {"Content-Type", "application/json"}});
  }
  template <class F>
  void RunUntil(F done) {
    const auto limit = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < limit) {
      io_.restart();
      io_.run_one_for(20ms);
    }
    EXPECT_TRUE(done()) << "timed out";
  }

  KeyPair keys_;
  asio::io_context io_;
  testing::FakeResponder rest_;  // the calls after the HTTP answer
  Router router_{rest_, core::DefaultClock()};
  int calls_ = 0;
  HttpEndpoint endpoint_{
      router_, rest_, core::DefaultClock(), {.public_key = keys_.public_key_hex()}};
  net::HttpServer server_{io_.get_executor(), {}, endpoint_.Handler()};
  net::HttpClient http_{io_.get_executor()};
};

TEST_F(HttpEndpointTest, APingIsAnsweredPong) {
  const std::string ping = R"({"id":"1","application_id":"2","type":1,"token":"t","version":1})";
  const net::HttpResponse r = Signed(ping, keys_, Now());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json({{"type", 1}}));
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(endpoint_.stats().pings, 1u);
}

TEST_F(HttpEndpointTest, ASignedCommandGetsTheHandlersReplyAsTheAnswer) {
  const net::HttpResponse r = Signed(CommandJson("status"), keys_, Now());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  const json answer = json::parse(r.body);
  EXPECT_EQ(answer["type"], 4);
  EXPECT_EQ(answer["data"]["content"], "all quiet");
  EXPECT_EQ(answer["data"]["flags"], 64);
  EXPECT_EQ(calls_, 1);
  RunUntil([&] { return io_.stopped() || rest_.calls.empty(); });
  EXPECT_TRUE(rest_.calls.empty()) << "the answer went over REST as well";
}

TEST_F(HttpEndpointTest, ASlowCommandIsAnsweredDeferredAndEditedOverRest) {
  const net::HttpResponse r = Signed(CommandJson("report"), keys_, Now());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["type"], 5);
  RunUntil([&] { return !rest_.calls.empty(); });
  ASSERT_EQ(rest_.calls.size(), 1u);
  EXPECT_EQ(rest_.calls[0].kind, testing::FakeResponder::Call::Kind::kEditOriginal);
  EXPECT_EQ(rest_.calls[0].edit.content, "all quiet");
}

TEST_F(HttpEndpointTest, BadSignaturesMissingHeadersAndStaleTimestampsAre401) {
  const std::string body = CommandJson("status");
  const std::string now = Now();
  const std::string good = keys_.Sign(now, body);
  std::string flipped = good;
  flipped[0] = flipped[0] == 'a' ? 'b' : 'a';
  KeyPair stranger;
  const std::string stale = std::to_string(std::stoll(now) - 600);  // 10 minutes old: a replay
  const std::string future = std::to_string(std::stoll(now) + 600);

  std::vector<std::pair<std::string, net::HttpResponse>> answers;
  answers.emplace_back("flipped byte", Post(body, {{"X-Signature-Ed25519", flipped},
                                                   {"X-Signature-Timestamp", now}}));
  answers.emplace_back("wrong key", Post(body, {{"X-Signature-Ed25519", stranger.Sign(now, body)},
                                                {"X-Signature-Timestamp", now}}));
  answers.emplace_back("no signature", Post(body, {{"X-Signature-Timestamp", now}}));
  answers.emplace_back("no timestamp", Post(body, {{"X-Signature-Ed25519", good}}));
  answers.emplace_back("other timestamp", Post(body, {{"X-Signature-Ed25519", good},
                                                      {"X-Signature-Timestamp", stale}}));
  answers.emplace_back("body changed", Post(body + " ", {{"X-Signature-Ed25519", good},
                                                         {"X-Signature-Timestamp", now}}));
  answers.emplace_back(
      "not hex", Post(body, {{"X-Signature-Ed25519", "nothex"}, {"X-Signature-Timestamp", now}}));
  answers.emplace_back("stale, well signed", Signed(body, keys_, stale));
  answers.emplace_back("future, well signed", Signed(body, keys_, future));
  for (const auto& [what, r] : answers) {
    EXPECT_EQ(r.status, 401) << what;
    EXPECT_FALSE(r.body.empty()) << what;
  }
  EXPECT_EQ(endpoint_.stats().unauthorized, answers.size());
  EXPECT_EQ(endpoint_.stats().dispatched, 0u);
  EXPECT_EQ(calls_, 0);
  EXPECT_TRUE(rest_.calls.empty());

  // The same request, well signed, is accepted: the 401s were for the faults alone.
  EXPECT_EQ(Signed(body, keys_, now).status, 200);
  EXPECT_EQ(calls_, 1);
}

TEST_F(HttpEndpointTest, OtherMethodsAndMalformedBodiesAreRefused) {
  EXPECT_EQ(Post("", {}, "GET").status, 405);
  const net::HttpResponse garbage = Signed("not json", keys_, Now());
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(calls_, 0);
}

TEST(HttpEndpointConfigTest, AMalformedPublicKeyFailsAtConstruction) {
  testing::FakeResponder rest;
  Router router(rest, core::DefaultClock());
  EXPECT_THROW(HttpEndpoint(router, rest, core::DefaultClock(), {.public_key = "abc"}),
               std::invalid_argument);
  EXPECT_THROW(
      HttpEndpoint(router, rest, core::DefaultClock(), {.public_key = std::string(64, 'z')}),
      std::invalid_argument);
}

}  // namespace
}  // namespace discord::interactions

// The HTTP interactions endpoint against the simulator in its HTTP mode, over real sockets: the
// simulator signs interactions with its own Ed25519 key pair and POSTs them to the endpoint, the
// endpoint checks the signature with the public key it was configured with, the router answers in
// the HTTP response, and the simulator applies that answer as the interaction's callback. PING
// gets PONG; a deliberately bad signature gets 401 and reaches no handler.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/testing/wait_for.h"
#include "discord/interactions/http_endpoint.h"
#include "discord/interactions/responder.h"
#include "discord/interactions/router.h"
#include "discord/rest/client.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "sim/simulator.h"

namespace discord::interactions {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using nlohmann::json;
using Task = asio::awaitable<core::Result<void>>;

std::atomic<int> history_calls{0};

Task History(Context& c) {
  ++history_calls;
  const CreateMessage reply{.content = "no detections", .flags = 64};
  co_return co_await c.Reply(reply);
}

Task Verify(Context& c) {
  const CreateMessage update{.content = "verified " + std::string(c.argument())};
  co_return co_await c.Update(update);
}

using core::testing::WaitFor;

TEST(HttpEndpointSimTest, SignedInteractionsAreAnsweredAndBadSignaturesRefused) {
  history_calls = 0;
  asio::io_context io;
  std::unique_ptr<HttpEndpoint> endpoint;
  net::HttpServer server(io.get_executor(), {}, [&endpoint](net::ServerRequest r) {
    return endpoint->Handle(std::move(r));
  });
  ASSERT_TRUE(server.Listen().has_value());

  sim::SimulatorOptions options;
  options.interactions_url = "http://127.0.0.1:" + std::to_string(server.port()) + "/interactions";
  sim::Simulator simulator(options);
  ASSERT_TRUE(simulator.Start().has_value());
  const sim::StandardGuild g = simulator.AddStandardGuild("g");
  const core::UserId moderator = simulator.AddUser("mod");
  simulator.Join(g.guild, moderator, {g.moderator_role});

  net::HttpClient http(io.get_executor());
  rest::ClientOptions ro;
  ro.api_base_url = simulator.api_base_url();
  ro.token = simulator.token();
  ro.application_id = std::to_string(simulator.application_id());
  rest::Client client(io.get_executor(), http, core::DefaultClock(), ro);
  RestResponder responder(client);
  Router router(responder, core::DefaultClock(), {});
  router.OnCommand("history", &History);
  router.OnComponent("as:verify:", &Verify);
  endpoint = std::make_unique<HttpEndpoint>(
      router, responder, core::DefaultClock(),
      HttpEndpointOptions{.public_key = simulator.interactions_public_key()});
  std::thread thread([&io] { io.run_for(30s); });

  const sim::EndpointAnswer pong = simulator.PingEndpoint();
  EXPECT_EQ(pong.status, 200);
  EXPECT_EQ(json::parse(pong.body, nullptr, false), json({{"type", 1}})) << pong.body;

  // A command: answered in the HTTP response, applied by the simulator as the callback.
  const std::uint64_t command = simulator.RunCommand(g.admin, moderator, {{"name", "history"}});
  ASSERT_NE(command, 0u);
  ASSERT_TRUE(WaitFor([&] { return simulator.EndpointAnswers().size() == 1; }));
  const sim::EndpointAnswer answered = simulator.EndpointAnswers()[0];
  EXPECT_EQ(answered.status, 200) << answered.body;
  const auto state = simulator.Interaction(command);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->callback_type, 4);
  EXPECT_EQ(state->response.value("content", ""), "no detections");
  EXPECT_EQ(history_calls.load(), 1);

  // A button on a message of the bot's: the answer updates that message (type 7).
  std::optional<core::MessageId> alert;
  const json body = json::parse(R"({"content":"suspect","components":[{"type":1,"components":[
      {"type":2,"style":3,"label":"Verify","custom_id":"as:verify:42"}]}]})");
  simulator.Act([&](sim::World& w) {
    sim::Answer a = w.CreateMessage(g.admin.ToString(), body);
    alert = core::MessageId(std::stoull(json::parse(a.body)["id"].get<std::string>()));
    return a;
  });
  ASSERT_TRUE(alert.has_value());
  const std::uint64_t click = simulator.ClickButton(g.admin, *alert, moderator, "as:verify:42");
  ASSERT_NE(click, 0u);
  ASSERT_TRUE(WaitFor([&] { return simulator.EndpointAnswers().size() == 2; }));
  EXPECT_EQ(simulator.Interaction(click)->callback_type, 7);
  std::string content;
  simulator.With([&](sim::World& w) { content = w.FindMessage(alert->value())->content; });
  EXPECT_EQ(content, "verified 42");

  // A forged request: 401, and no handler runs.
  const json forged{{"id", "1"},
                    {"application_id", std::to_string(simulator.application_id())},
                    {"type", 2},
                    {"token", "t"},
                    {"version", 1},
                    {"data", {{"id", "1"}, {"name", "history"}, {"type", 1}}},
                    {"guild_id", g.guild.ToString()}};
  const sim::EndpointAnswer refused = simulator.SendWithBadSignature(forged.dump());
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(history_calls.load(), 1);
  EXPECT_EQ(endpoint->stats().unauthorized, 1u);

  simulator.Stop();
  asio::post(io, [&server] { server.Stop(); });
  io.stop();
  thread.join();
}

}  // namespace
}  // namespace discord::interactions

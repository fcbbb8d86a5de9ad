// The REST client against the Discord simulator over real sockets (issue 4 acceptance): a burst of
// 500 role changes on one guild stays inside the bucket and honours injected 429s of every scope;
// Unknown Member and Missing Permissions come back as typed outcomes.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include "discord/rest/client.h"
#include "net/http_client.h"
#include "sim/simulator.h"

namespace discord::rest {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

struct Bot {
  explicit Bot(const sim::Simulator& simulator, int global_per_second = 50) {
    ClientOptions o;
    o.api_base_url = simulator.api_base_url();
    o.token = simulator.token();
    o.application_id = std::to_string(simulator.application_id());
    o.global_per_second = global_per_second;
    o.retry_backoff = 20ms;
    client = std::make_unique<Client>(io.get_executor(), http, core::DefaultClock(), o);
  }
  core::Result<Response> Call(std::string_view method, std::string path, std::string body = {},
                              std::string reason = {}) {
    auto fut = asio::co_spawn(io, client->Call(method, std::move(path), std::move(body), reason),
                              asio::use_future);
    io.restart();
    io.run_for(20s);
    return fut.get();
  }
  asio::io_context io;
  net::HttpClient http{io.get_executor()};
  std::unique_ptr<Client> client;
};

std::string MemberPath(const sim::StandardGuild& g, core::UserId u) {
  return "/guilds/" + g.guild.ToString() + "/members/" + u.ToString();
}

TEST(RestSimTest, FiveHundredRoleChangesStayInTheBucketAndHonourInjected429s) {
  sim::SimulatorOptions options;
  options.rate_limits = {.route_limit = 40, .route_window = 250ms, .global_per_second = 400};
  sim::Simulator simulator(options);
  ASSERT_TRUE(simulator.Start().has_value());
  const sim::StandardGuild g = simulator.AddStandardGuild("raided");
  std::vector<core::UserId> users;
  for (int i = 0; i < 25; ++i) {
    users.push_back(simulator.AddUser("raider" + std::to_string(i)));
    simulator.Join(g.guild, users.back());
  }
  const std::string roles = "/roles/" + g.restricted_role.ToString();
  // Discord answers some requests with 429 whatever the client does: a route 429, a global one
  // and a shared-resource one (a sub-limit).
  simulator.Inject429({.method = "PUT",
                       .route = "/guilds/:id/members/:id/roles/:id",
                       .count = 2,
                       .retry_after = 0.3,
                       .scope = "user"});
  simulator.Inject429(
      {.method = "DELETE", .route = "", .count = 1, .retry_after = 0.2, .scope = "global"});
  simulator.Inject429(
      {.method = "PUT", .route = "", .count = 1, .retry_after = 0.1, .scope = "shared"});

  Bot bot(simulator, options.rate_limits.global_per_second);
  constexpr int kChanges = 500;
  int ok = 0;
  std::vector<std::string> failures;
  for (int i = 0; i < kChanges; ++i) {
    // Add, then remove, the restricted role, over and over, all at once.
    const core::UserId u = users[static_cast<std::size_t>(i / 2) % users.size()];
    asio::co_spawn(
        bot.io,
        [&, i, u]() -> asio::awaitable<void> {
          // Named values, not temporaries, in the co_await (GCC 12 mishandles those).
          const std::string_view method = i % 2 == 0 ? "PUT" : "DELETE";
          std::string path = MemberPath(g, u) + roles;
          auto r =
              co_await bot.client->Call(method, std::move(path), std::string(), "raid response");
          if (r) {
            ++ok;
          } else {
            failures.push_back(r.error().ToString());
          }
        },
        asio::detached);
  }
  bot.io.run_for(60s);
  EXPECT_EQ(ok, kChanges) << (failures.empty() ? "" : failures.front());

  EXPECT_EQ(simulator.earned_429s(), 0) << "the client sent into a full bucket";
  EXPECT_EQ(simulator.injected_429s(), 4);
  EXPECT_EQ(bot.client->stats().rate_limited, 4u);
  const auto calls = simulator.Calls();
  ASSERT_EQ(calls.size(), static_cast<std::size_t>(kChanges + 4));
  for (const auto& c : calls) {
    ASSERT_TRUE(c.status == 204 || (c.status == 429 && c.injected_429)) << c.status;
    EXPECT_EQ(c.reason, "raid response");
  }
}

// When the global limit binds, a request that acts on a member goes before the ordinary requests
// queued ahead of it: during a raid the members are restricted before the paperwork is done.
TEST(RestSimTest, AnUrgentRequestOvertakesOrdinaryOnesWhenTheGlobalLimitBinds) {
  sim::SimulatorOptions options;
  options.rate_limits = {.route_limit = 1000, .route_window = 1000ms, .global_per_second = 50};
  sim::Simulator simulator(options);
  ASSERT_TRUE(simulator.Start().has_value());
  const sim::StandardGuild g = simulator.AddStandardGuild("raided");
  const core::UserId raider = simulator.AddUser("raider");
  simulator.Join(g.guild, raider);

  Bot bot(simulator, /*global_per_second=*/10);
  constexpr int kOrdinary = 30;  // three seconds of the client's global limit
  int ordinary_done = 0;
  int ordinary_before_urgent = -1;
  bool urgent_ok = false;
  // Each on a bucket of its own (a channel each, as the threads of many cases are), so that
  // bucket queues do not space them out: only the global limit does. The channels do not exist:
  // Discord answers 404, which is as good a request for the limiter.
  for (int i = 0; i < kOrdinary; ++i) {
    asio::co_spawn(
        bot.io,
        [&, i]() -> asio::awaitable<void> {
          std::string path = "/channels/13900000000000" + std::to_string(20000 + i);
          auto r = co_await bot.client->Call("GET", std::move(path));
          (void)r;
          ++ordinary_done;
        },
        asio::detached);
  }
  asio::steady_timer later(bot.io, 50ms);
  later.async_wait([&](boost::system::error_code) {
    asio::co_spawn(
        bot.io,
        [&]() -> asio::awaitable<void> {
          std::string path = MemberPath(g, raider) + "/roles/" + g.restricted_role.ToString();
          auto r = co_await bot.client->Call("PUT", std::move(path));
          urgent_ok = r.has_value();
          ordinary_before_urgent = ordinary_done;
        },
        asio::detached);
  });
  bot.io.run_for(20s);
  EXPECT_TRUE(urgent_ok);
  EXPECT_EQ(ordinary_done, kOrdinary);
  // The first second's ten went at once; the role change took the next place, not the 31st.
  EXPECT_GE(ordinary_before_urgent, 10);
  EXPECT_LE(ordinary_before_urgent, 19);
  EXPECT_GT(bot.client->stats().held_back, 0u);
  EXPECT_EQ(simulator.earned_429s(), 0);
}

TEST(RestSimTest, UnknownMemberAndMissingPermissionsAreTypedOutcomes) {
  sim::Simulator simulator;
  ASSERT_TRUE(simulator.Start().has_value());
  const sim::StandardGuild g = simulator.AddStandardGuild("g");
  const core::UserId stranger = simulator.AddUser("never-joined");
  const core::UserId admin = simulator.AddUser("admin");
  simulator.Join(g.guild, admin, {g.above_bot_role});
  Bot bot(simulator);

  auto member = bot.Call("GET", MemberPath(g, stranger));
  ASSERT_FALSE(member.has_value());
  EXPECT_EQ(member.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(ApiCode(member.error()), api_code::kUnknownMember);

  auto kick = bot.Call("DELETE", MemberPath(g, admin), {}, "spam");  // above the bot's role
  ASSERT_FALSE(kick.has_value());
  EXPECT_EQ(kick.error().code, core::ErrorCode::kPermissionDenied);
  EXPECT_EQ(ApiCode(kick.error()), api_code::kMissingPermissions);

  auto owner = bot.Call("PUT", "/guilds/" + g.guild.ToString() + "/bans/" + g.owner.ToString(),
                        R"({"delete_message_seconds":0})");
  ASSERT_FALSE(owner.has_value());
  EXPECT_EQ(ApiCode(owner.error()), api_code::kMissingPermissions);

  auto message = bot.Call("DELETE", "/channels/" + g.general.ToString() + "/messages/" +
                                        std::to_string(1400000000000000000ULL));
  ASSERT_FALSE(message.has_value());
  EXPECT_EQ(ApiCode(message.error()), api_code::kUnknownMessage);
  EXPECT_EQ(simulator.earned_429s(), 0);
}

TEST(RestSimTest, AWrongTokenIs401AndStopsTheClient) {
  sim::Simulator simulator;
  ASSERT_TRUE(simulator.Start().has_value());
  ClientOptions o;
  o.api_base_url = simulator.api_base_url();
  o.token = "wrong";
  asio::io_context io;
  net::HttpClient http(io.get_executor());
  Client client(io.get_executor(), http, core::DefaultClock(), o);
  for (int i = 0; i < 2; ++i) {
    auto fut = asio::co_spawn(io, client.Call("GET", "/users/@me"), asio::use_future);
    io.restart();
    io.run_for(5s);
    auto r = fut.get();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, core::ErrorCode::kPermissionDenied);
  }
  EXPECT_EQ(simulator.Calls().size(), 1u);
  EXPECT_EQ(simulator.invalid_requests(), 1);
}

}  // namespace
}  // namespace discord::rest

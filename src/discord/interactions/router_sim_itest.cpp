// The router with the real REST client against the Discord simulator, over real sockets: the
// simulator refuses a callback after 3 s (10062) or a second one (40060), so these tests see that
// each interaction gets exactly one callback in time, deferred when the handler is slow.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <nlohmann/json.hpp>

#include "discord/interactions/responder.h"
#include "discord/interactions/router.h"
#include "discord/rest/client.h"
#include "discord/rest/errors.h"
#include "net/http_client.h"
#include "sim/simulator.h"

namespace discord::interactions {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using nlohmann::json;
using Task = asio::awaitable<core::Result<void>>;

// Sleeps `delay` (an asio timer), then replies or updates with `text`.
Task SleepThen(Context& c, std::chrono::milliseconds delay, std::string text, bool update,
               int& calls) {
  ++calls;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
  const CreateMessage message{.content = text};
  if (update) co_return co_await c.Update(message);
  co_return co_await c.Reply(message);
}

Task ReplyWithMinutes(Context& c, int& calls) {
  ++calls;
  const CommandOption* minutes = c.Option("minutes");
  if (minutes == nullptr || !minutes->AsInteger()) {
    co_return core::Fail(core::ErrorCode::kInvalidArgument, "minutes missing");
  }
  const CreateMessage message{.content =
                                  "quarantined for " + std::to_string(*minutes->AsInteger())};
  co_return co_await c.Reply(message);
}

class RouterSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(simulator_.Start().has_value());
    g_ = simulator_.AddStandardGuild("g");
    moderator_ = simulator_.AddUser("mod");
    simulator_.Join(g_.guild, moderator_, {g_.moderator_role});
    rest::ClientOptions o;
    o.api_base_url = simulator_.api_base_url();
    o.token = simulator_.token();
    o.application_id = std::to_string(simulator_.application_id());
    client_ = std::make_unique<rest::Client>(io_.get_executor(), http_, core::DefaultClock(), o);
    responder_ = std::make_unique<RestResponder>(*client_);
  }

  // The interaction the simulator sends as INTERACTION_CREATE: a moderator in #admin.
  Interaction Create(int type, json data, std::optional<core::MessageId> message = {}) {
    const sim::Answer a = simulator_.Act([&](sim::World& w) {
      return w.CreateInteraction(g_.admin, moderator_, type, data, message);
    });
    EXPECT_EQ(a.status, 200) << a.body;
    auto interaction = DecodeInteraction(a.body);
    EXPECT_TRUE(interaction.has_value()) << interaction.error().ToString();
    return *interaction;
  }
  Interaction Command(json data) { return Create(2, std::move(data)); }
  Interaction Click(core::MessageId message, std::string custom_id) {
    return Create(3, json{{"custom_id", std::move(custom_id)}, {"component_type", 2}}, message);
  }

  // Dispatches all of `interactions` at once; their outcomes.
  std::vector<Outcome> DispatchAll(Router& router, std::vector<Interaction> interactions) {
    std::vector<std::future<Outcome>> done;
    for (Interaction& i : interactions) {
      const auto arrival = core::DefaultClock().Steady();
      done.push_back(asio::co_spawn(io_, router.Dispatch(std::move(i), arrival), asio::use_future));
    }
    std::vector<Outcome> outcomes;
    const auto limit = std::chrono::steady_clock::now() + 20s;
    for (auto& f : done) {
      while (f.wait_for(0s) != std::future_status::ready &&
             std::chrono::steady_clock::now() < limit) {
        io_.restart();
        io_.run_one_for(50ms);
      }
      EXPECT_EQ(f.wait_for(0s), std::future_status::ready) << "the dispatch did not finish";
      outcomes.push_back(f.get());
    }
    return outcomes;
  }
  Outcome Dispatch(Router& router, Interaction interaction) {
    std::vector<Interaction> one;
    one.push_back(std::move(interaction));
    return DispatchAll(router, std::move(one)).front();
  }

  // Callback calls the simulator recorded for `interaction`; and whether any call anywhere was
  // refused as already acknowledged (40060) or too late (10062).
  int Callbacks(InteractionId interaction) {
    int n = 0;
    for (const auto& c : simulator_.Calls()) {
      if (c.path.starts_with("/interactions/" + interaction.ToString() + "/")) ++n;
    }
    return n;
  }
  int Refusals() {
    int n = 0;
    for (const auto& c : simulator_.Calls()) {
      if (c.code == rest::api_code::kAlreadyAcknowledged ||
          c.code == rest::api_code::kUnknownInteraction) {
        ++n;
      }
    }
    return n;
  }
  std::string Content(core::MessageId id) {
    std::string content = "<no such message>";
    simulator_.With([&](sim::World& w) {
      if (const sim::Message* m = w.FindMessage(id.value())) content = m->content;
    });
    return content;
  }
  // What the invoker sees: the type-4 reply, or the original message (made by the edit).
  std::string Shown(InteractionId id) {
    const auto state = simulator_.Interaction(id.value());
    if (!state) return "<no such interaction>";
    if (state->callback_type == 4) return state->response.value("content", "");
    return state->original ? Content(*state->original) : "<nothing>";
  }

  sim::Simulator simulator_;
  sim::StandardGuild g_;
  core::UserId moderator_;
  asio::io_context io_;
  net::HttpClient http_{io_.get_executor()};
  std::unique_ptr<rest::Client> client_;
  std::unique_ptr<RestResponder> responder_;
};

TEST_F(RouterSimTest, AModeratorsCommandGetsExactlyOneCallback) {
  Router router(*responder_, core::DefaultClock());
  int calls = 0;
  router.OnCommand("antispam quarantine",
                   [&calls](Context& c) { return ReplyWithMinutes(c, calls); },
                   {.required = permission::kModerateMembers});
  const core::UserId target = simulator_.AddUser("spammer");
  json data = json::parse(R"({"id":"1400000000000000001","name":"antispam","type":1,
      "options":[{"type":1,"name":"quarantine","options":[
        {"type":6,"name":"user","value":"0"},{"type":4,"name":"minutes","value":60}]}]})");
  data["options"][0]["options"][0]["value"] = target.ToString();
  const Interaction i = Command(std::move(data));
  const Outcome o = Dispatch(router, i);
  EXPECT_EQ(o.status, Outcome::Status::kHandled) << (o.error ? o.error->ToString() : "");
  EXPECT_FALSE(o.response_error) << o.response_error->ToString();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(simulator_.Interaction(i.id.value())->callback_type, 4);
  EXPECT_EQ(Shown(i.id), "quarantined for 60");
  EXPECT_EQ(Callbacks(i.id), 1);
  EXPECT_EQ(Refusals(), 0);
}

TEST_F(RouterSimTest, ASlowCommandIsDeferredAndItsReplyEditsTheOriginal) {
  Router router(*responder_, core::DefaultClock(), {.defer_after = 300ms});
  int calls = 0;
  router.OnCommand("scan", [&calls](Context& c) {
    return SleepThen(c, 800ms, "scan done", /*update=*/false, calls);
  });
  const Interaction i = Command({{"id", "1400000000000000002"}, {"name", "scan"}, {"type", 1}});
  const Outcome o = Dispatch(router, i);
  EXPECT_EQ(o.status, Outcome::Status::kHandled);
  EXPECT_TRUE(o.auto_deferred);
  EXPECT_FALSE(o.response_error) << o.response_error->ToString();
  EXPECT_EQ(simulator_.Interaction(i.id.value())->callback_type, 5);
  EXPECT_EQ(Shown(i.id), "scan done");
  EXPECT_EQ(Callbacks(i.id), 1);
  EXPECT_EQ(Refusals(), 0);
}

TEST_F(RouterSimTest, TheDefaultDeadlineDefersWithinDiscordsThreeSeconds) {
  Router router(*responder_, core::DefaultClock());  // defers after 2 s
  int calls = 0;
  router.OnCommand("report", [&calls](Context& c) {
    return SleepThen(c, 2'400ms, "report ready", /*update=*/false, calls);
  });
  const Interaction i = Command({{"id", "1400000000000000003"}, {"name", "report"}, {"type", 1}});
  const Outcome o = Dispatch(router, i);
  EXPECT_TRUE(o.auto_deferred);
  EXPECT_FALSE(o.response_error) << o.response_error->ToString();  // no 10062
  EXPECT_EQ(simulator_.Interaction(i.id.value())->callback_type, 5);
  EXPECT_EQ(Shown(i.id), "report ready");
  EXPECT_EQ(Refusals(), 0);
}

TEST_F(RouterSimTest, AButtonClickUpdatesTheMessageItIsOn) {
  const auto posted = simulator_.Post(g_.admin, moderator_, "user flagged");
  ASSERT_TRUE(posted.has_value());
  Router router(*responder_, core::DefaultClock());
  int fast = 0, slow = 0;
  router.OnComponent(
      "as:ban:", [&fast](Context& c) { return SleepThen(c, 0ms, "banned", /*update=*/true, fast); },
      {.required = permission::kBanMembers});
  router.OnComponent(
      "as:kick:",
      [&slow](Context& c) { return SleepThen(c, 200ms, "kicked", /*update=*/true, slow); },
      {.required = permission::kKickMembers, .slow = true});

  const Interaction ban = Click(*posted, "as:ban:" + moderator_.ToString());
  EXPECT_EQ(Dispatch(router, ban).status, Outcome::Status::kHandled);
  EXPECT_EQ(simulator_.Interaction(ban.id.value())->callback_type, 7);
  EXPECT_EQ(Content(*posted), "banned");

  const Interaction kick = Click(*posted, "as:kick:" + moderator_.ToString());
  const Outcome o = Dispatch(router, kick);
  EXPECT_EQ(o.status, Outcome::Status::kHandled);
  EXPECT_FALSE(o.response_error) << o.response_error->ToString();
  EXPECT_EQ(simulator_.Interaction(kick.id.value())->callback_type, 6);
  EXPECT_EQ(Content(*posted), "kicked");  // the deferred update edited the clicked message
  EXPECT_EQ(Callbacks(ban.id) + Callbacks(kick.id), 2);
  EXPECT_EQ(fast + slow, 2);
  EXPECT_EQ(Refusals(), 0);
}

TEST_F(RouterSimTest, RepliesRacingTheDeadlineStillMakeOneCallbackEach) {
  Router router(*responder_, core::DefaultClock(), {.defer_after = 150ms});
  int calls = 0;
  std::vector<Interaction> interactions;
  for (int k = 0; k < 9; ++k) {
    const std::string name = "race" + std::to_string(k);
    const auto delay = std::chrono::milliseconds(110 + 10 * k);  // 110 to 190 ms
    router.OnCommand(name, [&calls, delay](Context& c) {
      return SleepThen(c, delay, "answered", /*update=*/false, calls);
    });
    interactions.push_back(
        Command({{"id", std::to_string(1400000000000000100ULL + k)}, {"name", name}, {"type", 1}}));
  }
  const auto ids = [&] {
    std::vector<InteractionId> out;
    for (const auto& i : interactions) out.push_back(i.id);
    return out;
  }();
  const auto outcomes = DispatchAll(router, std::move(interactions));
  EXPECT_EQ(calls, 9);
  for (std::size_t k = 0; k < ids.size(); ++k) {
    EXPECT_EQ(outcomes[k].status, Outcome::Status::kHandled);
    EXPECT_FALSE(outcomes[k].response_error) << outcomes[k].response_error->ToString();
    EXPECT_EQ(Callbacks(ids[k]), 1) << k;
    EXPECT_EQ(Shown(ids[k]), "answered") << k;
  }
  EXPECT_EQ(Refusals(), 0);
}

TEST_F(RouterSimTest, AMemberWithoutThePermissionIsRefusedEphemerally) {
  Router router(*responder_, core::DefaultClock());
  int calls = 0;
  router.OnCommand("config", [&calls](Context& c) { return ReplyWithMinutes(c, calls); },
                   {.required = permission::kManageGuild});  // moderators lack it
  const Interaction i = Command({{"id", "1400000000000000004"}, {"name", "config"}, {"type", 1}});
  const Outcome o = Dispatch(router, i);
  EXPECT_EQ(o.status, Outcome::Status::kRefused);
  EXPECT_EQ(calls, 0);
  const auto state = simulator_.Interaction(i.id.value());
  EXPECT_EQ(state->callback_type, 4);
  EXPECT_EQ(state->response.value("flags", 0), 64);
  EXPECT_EQ(Callbacks(i.id), 1);
}

}  // namespace
}  // namespace discord::interactions

// The router against the in-memory responder: routing by command path and custom_id prefix,
// options, permission refusals, unknown routes, and the one-callback rule with deferral (the
// deadline from a manual clock, so no test waits for it).
#include "discord/interactions/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <stdexcept>

#include "core/testing/manual_clock.h"
#include "discord/interactions/testing/fake_responder.h"

namespace discord::interactions {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using Kind = testing::FakeResponder::Call::Kind;
using Task = asio::awaitable<core::Result<void>>;

CommandOption Sub(std::string name, OptionType type, std::vector<CommandOption> options) {
  return CommandOption{.name = std::move(name), .type = type, .options = std::move(options)};
}

Interaction InGuild(InteractionType type, Permissions permissions) {
  static std::uint64_t next = 1000;
  Interaction i;
  i.id = InteractionId(++next);
  i.application_id = ApplicationId(7);
  i.type = type;
  i.token = "token-" + std::to_string(next);
  i.guild_id = core::GuildId(1);
  i.channel_id = core::ChannelId(2);
  i.member = Member{.user = User{.id = core::UserId(3)}, .permissions = permissions};
  return i;
}

Interaction Command(std::string name, std::vector<CommandOption> options = {},
                    Permissions permissions = permission::kModerateMembers) {
  Interaction i = InGuild(InteractionType::kApplicationCommand, permissions);
  i.data = CommandData{.id = CommandId(9), .name = std::move(name), .options = std::move(options)};
  return i;
}

Interaction Click(std::string custom_id, Permissions permissions = permission::kModerateMembers) {
  Interaction i = InGuild(InteractionType::kMessageComponent, permissions);
  i.data = ComponentData{.custom_id = std::move(custom_id)};
  i.message = Message{.id = core::MessageId(55), .channel_id = core::ChannelId(2)};
  return i;
}

// What a handler saw.
struct Seen {
  int calls = 0;
  std::string route;
  std::string argument;
  std::optional<std::int64_t> minutes;
  std::optional<Snowflake> user;
  bool acknowledged_at_start = false;
};

Task Record(Context& c, Seen& seen, std::string reply) {
  ++seen.calls;
  seen.route = c.route();
  seen.argument = std::string(c.argument());
  if (const CommandOption* m = c.Option("minutes")) seen.minutes = m->AsInteger();
  if (const CommandOption* u = c.Option("user")) seen.user = u->AsId();
  seen.acknowledged_at_start = c.acknowledged();
  if (reply.empty()) co_return core::Result<void>();
  const CreateMessage message{.content = reply};
  co_return co_await c.Reply(message);
}

Handler Recording(Seen& seen, std::string reply = "ok") {
  return [&seen, reply](Context& c) { return Record(c, seen, reply); };
}

class RouterTest : public ::testing::Test {
 protected:
  Outcome Run(Interaction interaction, std::chrono::steady_clock::time_point arrival) {
    auto done =
        asio::co_spawn(io_, router_.Dispatch(std::move(interaction), arrival), asio::use_future);
    io_.restart();
    io_.run();
    return done.get();
  }
  Outcome Run(Interaction interaction) { return Run(std::move(interaction), clock_.Steady()); }

  asio::io_context io_;
  core::testing::ManualClock clock_;
  testing::FakeResponder discord_;
  Router router_{discord_, clock_};
};

TEST_F(RouterTest, RoutesByCommandGroupAndSubcommandWithFallbackToShorterPaths) {
  Seen config, view, rules_set;
  router_.OnCommand("config", Recording(config));
  router_.OnCommand("config view", Recording(view));
  router_.OnCommand("config rules set", Recording(rules_set));

  EXPECT_EQ(Run(Command("config", {Sub("view", OptionType::kSubCommand, {})})).route,
            "config view");
  EXPECT_EQ(view.calls, 1);
  const auto set = Command("config", {Sub("rules", OptionType::kSubCommandGroup,
                                          {Sub("set", OptionType::kSubCommand, {})})});
  EXPECT_EQ(Run(set).route, "config rules set");
  EXPECT_EQ(rules_set.calls, 1);
  const auto list = Command("config", {Sub("rules", OptionType::kSubCommandGroup,
                                           {Sub("list", OptionType::kSubCommand, {})})});
  EXPECT_EQ(Run(list).route, "config");  // no "config rules list" nor "config rules"
  EXPECT_EQ(Run(Command("config")).route, "config");
  EXPECT_EQ(config.calls, 2);
  EXPECT_EQ(view.calls, 1);
  EXPECT_EQ(discord_.double_acks, 0);
}

TEST_F(RouterTest, TheLeafOptionsReachTheHandler) {
  Seen seen;
  router_.OnCommand("antispam quarantine", Recording(seen));
  const auto quarantine = Command(
      "antispam",
      {Sub("quarantine", OptionType::kSubCommand,
           {CommandOption{.name = "user", .type = OptionType::kUser, .value = Snowflake(42)},
            CommandOption{
                .name = "minutes", .type = OptionType::kInteger, .value = std::int64_t{60}}})});
  const Outcome o = Run(quarantine);
  EXPECT_EQ(o.status, Outcome::Status::kHandled);
  EXPECT_EQ(seen.minutes, 60);
  EXPECT_EQ(seen.user, Snowflake(42));
  EXPECT_EQ(seen.argument, "");
}

TEST_F(RouterTest, TheLongestCustomIdPrefixWins) {
  Seen any, ban;
  router_.OnComponent("as:", Recording(any));
  router_.OnComponent("as:ban:", Recording(ban));
  EXPECT_EQ(Run(Click("as:ban:42")).route, "as:ban:");
  EXPECT_EQ(ban.argument, "42");
  EXPECT_EQ(Run(Click("as:kick:7")).route, "as:");
  EXPECT_EQ(any.argument, "kick:7");
  EXPECT_EQ(ban.calls, 1);
  EXPECT_EQ(any.calls, 1);
}

TEST_F(RouterTest, AMissingPermissionIsRefusedEphemerallyWithoutCallingTheHandler) {
  Seen seen;
  router_.OnCommand("config view", Recording(seen), {.required = permission::kManageGuild});
  const Outcome o =
      Run(Command("config", {Sub("view", OptionType::kSubCommand, {})}, permission::kBanMembers));
  EXPECT_EQ(o.status, Outcome::Status::kRefused);
  EXPECT_EQ(o.missing, permission::kManageGuild);
  EXPECT_EQ(seen.calls, 0);
  ASSERT_EQ(discord_.calls.size(), 1u);
  const InteractionResponse& r = discord_.calls[0].response;
  EXPECT_EQ(r.type, ResponseType::kChannelMessage);
  ASSERT_TRUE(r.message);
  EXPECT_EQ(r.message->flags, message_flag::kEphemeral);
  EXPECT_EQ(r.message->content, router_.options().refused_text);

  // Administrators hold every permission; outside a guild there are none.
  EXPECT_EQ(
      Run(Command("config", {Sub("view", OptionType::kSubCommand, {})}, permission::kAdministrator))
          .status,
      Outcome::Status::kHandled);
  Interaction dm = Command("config", {Sub("view", OptionType::kSubCommand, {})});
  dm.member.reset();
  dm.user = User{.id = core::UserId(3)};
  EXPECT_EQ(Run(dm).status, Outcome::Status::kRefused);
  EXPECT_EQ(seen.calls, 1);
}

TEST_F(RouterTest, UnknownCommandsAndComponentsAreAnsweredNotIgnored) {
  Seen seen;
  router_.OnComponent("as:ban:", Recording(seen));
  EXPECT_EQ(Run(Command("nope")).status, Outcome::Status::kUnknownRoute);
  EXPECT_EQ(Run(Click("as:ba")).status, Outcome::Status::kUnknownRoute);  // shorter than a prefix
  ASSERT_EQ(discord_.calls.size(), 2u);
  for (const auto& call : discord_.calls) {
    EXPECT_EQ(call.response.type, ResponseType::kChannelMessage);
    EXPECT_EQ(call.response.message->content, "Unknown command.");
    EXPECT_EQ(call.response.message->flags, message_flag::kEphemeral);
  }
  EXPECT_EQ(seen.calls, 0);
}

TEST_F(RouterTest, AFastHandlerSendsOneType4Callback) {
  Seen seen;
  router_.OnCommand("ping", Recording(seen, "pong"));
  const Outcome o = Run(Command("ping"));
  EXPECT_EQ(o.status, Outcome::Status::kHandled);
  EXPECT_FALSE(o.deferred);
  EXPECT_FALSE(o.auto_deferred);
  EXPECT_EQ(o.callback, ResponseType::kChannelMessage);
  ASSERT_EQ(discord_.calls.size(), 1u);
  EXPECT_EQ(discord_.calls[0].kind, Kind::kRespond);
  EXPECT_EQ(discord_.calls[0].response.message->content, "pong");
  EXPECT_EQ(discord_.calls[0].response.message->flags, 0u);
}

// A handler that waits until `gate` is cancelled, then replies.
Task WaitThenReply(Context& c, asio::steady_timer& gate, std::string text) {
  boost::system::error_code ec;
  co_await gate.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  const CreateMessage message{.content = text};
  co_return co_await c.Reply(message);
}

TEST_F(RouterTest, AHandlerStillRunningAtTheDeadlineIsDeferredAndItsReplyEditsTheOriginal) {
  asio::steady_timer gate(io_, 10s);  // bounded: a router that never defers fails, not hangs
  router_.OnCommand("scan", [&gate](Context& c) { return WaitThenReply(c, gate, "clean"); });
  // The handler goes on only once the router has deferred.
  discord_.on_call = [&gate](const testing::FakeResponder::Call& call) {
    if (call.kind == Kind::kRespond) gate.cancel();
  };
  // It arrived 2 s ago (the default deadline): the deferral is due now.
  const auto arrival = clock_.Steady();
  clock_.Advance(2s);
  const Outcome o = Run(Command("scan"), arrival);
  EXPECT_EQ(o.status, Outcome::Status::kHandled);
  EXPECT_TRUE(o.auto_deferred);
  EXPECT_EQ(o.callback, ResponseType::kDeferredChannelMessage);
  ASSERT_EQ(discord_.calls.size(), 2u);
  EXPECT_EQ(discord_.calls[0].response.type, ResponseType::kDeferredChannelMessage);
  EXPECT_EQ(discord_.calls[1].kind, Kind::kEditOriginal);
  EXPECT_EQ(discord_.calls[1].edit.content, "clean");
  EXPECT_EQ(discord_.double_acks, 0);
  EXPECT_FALSE(o.response_error) << o.response_error->ToString();
}

TEST_F(RouterTest, AReplyWhileTheDeferralIsInFlightWaitsForItAndEditsTheOriginal) {
  asio::steady_timer gate(io_, 10s);  // bounded: a router that never defers fails, not hangs
  router_.OnCommand("scan", [&gate](Context& c) { return WaitThenReply(c, gate, "clean"); });
  discord_.yield_in_respond = true;  // the handler replies before the deferral's answer
  discord_.on_call = [&gate](const testing::FakeResponder::Call& call) {
    if (call.kind == Kind::kRespond) gate.cancel();
  };
  const auto arrival = clock_.Steady();
  clock_.Advance(5s);
  const Outcome o = Run(Command("scan"), arrival);
  ASSERT_EQ(discord_.calls.size(), 2u);
  EXPECT_EQ(discord_.calls[0].response.type, ResponseType::kDeferredChannelMessage);
  EXPECT_EQ(discord_.calls[1].kind, Kind::kEditOriginal);
  EXPECT_EQ(discord_.double_acks, 0);
  EXPECT_EQ(o.status, Outcome::Status::kHandled);
}

TEST_F(RouterTest, ASlowRouteIsDeferredAtOnceEphemerallyWhenAsked) {
  Seen seen;
  router_.OnCommand("report", Recording(seen, "report ready"), {.slow = true, .ephemeral = true});
  const Outcome o = Run(Command("report"));
  EXPECT_TRUE(seen.acknowledged_at_start);
  EXPECT_TRUE(o.deferred);
  EXPECT_FALSE(o.auto_deferred);
  ASSERT_EQ(discord_.calls.size(), 2u);
  EXPECT_EQ(discord_.calls[0].response.type, ResponseType::kDeferredChannelMessage);
  ASSERT_TRUE(discord_.calls[0].response.message);
  EXPECT_EQ(discord_.calls[0].response.message->flags, message_flag::kEphemeral);
  EXPECT_EQ(discord_.calls[1].edit.content, "report ready");
}

Task UpdateThenReply(Context& c) {
  const CreateMessage updated{.content = "banned by a moderator"};
  auto u = co_await c.Update(updated);
  if (!u) co_return u;
  const CreateMessage note{.content = "done", .flags = message_flag::kEphemeral};
  co_return co_await c.Reply(note);
}

TEST_F(RouterTest, AComponentUpdatesItsMessageThenFollowsUp) {
  router_.OnComponent("as:ban:", [](Context& c) { return UpdateThenReply(c); });
  EXPECT_EQ(Run(Click("as:ban:1")).status, Outcome::Status::kHandled);
  ASSERT_EQ(discord_.calls.size(), 2u);
  EXPECT_EQ(discord_.calls[0].response.type, ResponseType::kUpdateMessage);
  EXPECT_EQ(discord_.calls[0].response.message->content, "banned by a moderator");
  EXPECT_EQ(discord_.calls[1].kind, Kind::kFollowup);
  EXPECT_EQ(discord_.calls[1].message.flags, message_flag::kEphemeral);
}

TEST_F(RouterTest, ASlowComponentIsDeferredAsType6AndUpdatesByEditingTheOriginal) {
  router_.OnComponent("as:ban:", [](Context& c) { return UpdateThenReply(c); }, {.slow = true});
  EXPECT_EQ(Run(Click("as:ban:1")).status, Outcome::Status::kHandled);
  ASSERT_EQ(discord_.calls.size(), 3u);
  EXPECT_EQ(discord_.calls[0].response.type, ResponseType::kDeferredUpdate);
  EXPECT_EQ(discord_.calls[1].kind, Kind::kEditOriginal);
  EXPECT_EQ(discord_.calls[1].edit.content, "banned by a moderator");
  EXPECT_EQ(discord_.calls[2].kind, Kind::kFollowup);
}

Task Fails(Context&) { co_return core::Fail(core::ErrorCode::kNotFound, "the user left"); }
Task Throws(Context&) {
  throw std::runtime_error("bug");
  co_return core::Result<void>();
}

TEST_F(RouterTest, AHandlerErrorOrExceptionBecomesAnEphemeralErrorReply) {
  router_.OnCommand("fails", [](Context& c) { return Fails(c); });
  router_.OnCommand("throws", [](Context& c) { return Throws(c); });
  Outcome failed = Run(Command("fails"));
  EXPECT_EQ(failed.status, Outcome::Status::kHandlerFailed);
  ASSERT_TRUE(failed.error);
  EXPECT_EQ(failed.error->code, core::ErrorCode::kNotFound);
  Outcome thrown = Run(Command("throws"));
  EXPECT_EQ(thrown.status, Outcome::Status::kHandlerFailed);
  EXPECT_THAT(thrown.error->message, ::testing::HasSubstr("bug"));
  ASSERT_EQ(discord_.calls.size(), 2u);
  EXPECT_EQ(discord_.calls[0].response.message->content, "That did not work: the user left");
  EXPECT_EQ(discord_.calls[0].response.message->flags, message_flag::kEphemeral);
  EXPECT_EQ(discord_.calls[1].response.message->content, "That did not work: internal error");
}

TEST_F(RouterTest, AnErrorAfterADeferralReplacesTheThinkingMessage) {
  router_.OnCommand("fails", [](Context& c) { return Fails(c); }, {.slow = true});
  EXPECT_EQ(Run(Command("fails")).status, Outcome::Status::kHandlerFailed);
  ASSERT_EQ(discord_.calls.size(), 2u);
  EXPECT_EQ(discord_.calls[1].kind, Kind::kEditOriginal);
  EXPECT_EQ(discord_.calls[1].edit.content, "That did not work: the user left");
}

TEST_F(RouterTest, AHandlerThatSendsNothingIsStillAcknowledged) {
  Seen command, button, slow;
  router_.OnCommand("quiet", Recording(command, ""));
  router_.OnCommand("quiet-slow", Recording(slow, ""), {.slow = true});
  router_.OnComponent("as:noop", Recording(button, ""));
  Run(Command("quiet"));
  Run(Click("as:noop"));
  Run(Command("quiet-slow"));
  ASSERT_EQ(discord_.calls.size(), 4u);
  EXPECT_EQ(discord_.calls[0].response.type, ResponseType::kChannelMessage);
  EXPECT_EQ(discord_.calls[0].response.message->content, "Done.");
  EXPECT_EQ(discord_.calls[1].response.type, ResponseType::kDeferredUpdate);
  EXPECT_EQ(discord_.calls[2].response.type, ResponseType::kDeferredChannelMessage);
  EXPECT_EQ(discord_.calls[3].kind, Kind::kEditOriginal);  // no "thinking…" left behind
  EXPECT_EQ(discord_.calls[3].edit.content, "Done.");
}

Task ReplyTwice(Context& c) {
  const CreateMessage first{.content = "one"};
  auto r = co_await c.Reply(first);
  if (!r) co_return r;
  const CreateMessage second{.content = "two"};
  co_return co_await c.Reply(second);
}

TEST_F(RouterTest, ASecondReplyIsAFollowupNeverASecondCallback) {
  router_.OnCommand("twice", [](Context& c) { return ReplyTwice(c); });
  EXPECT_EQ(Run(Command("twice")).status, Outcome::Status::kHandled);
  ASSERT_EQ(discord_.calls.size(), 2u);
  EXPECT_EQ(discord_.calls[0].kind, Kind::kRespond);
  EXPECT_EQ(discord_.calls[1].kind, Kind::kFollowup);
  EXPECT_EQ(discord_.calls[1].message.content, "two");
  EXPECT_EQ(discord_.double_acks, 0);
}

Task ModalTwice(Context& c, core::Result<void>& second) {
  const Modal modal{.custom_id = "as:appeal:1",
                    .title = "Appeal",
                    .inputs = {TextInput{.custom_id = "text", .label = "Why?"}}};
  auto first = co_await c.ShowModal(modal);
  second = co_await c.ShowModal(modal);
  co_return first;
}

TEST_F(RouterTest, AModalIsOnlyTheFirstResponse) {
  core::Result<void> second;
  router_.OnComponent("as:appeal", [&second](Context& c) { return ModalTwice(c, second); });
  EXPECT_EQ(Run(Click("as:appeal")).status, Outcome::Status::kHandled);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, core::ErrorCode::kFailedPrecondition);
  ASSERT_EQ(discord_.calls.size(), 1u);
  EXPECT_EQ(discord_.calls[0].response.type, ResponseType::kModal);
}

TEST_F(RouterTest, ACallbackRefusedAsMalformedLeavesRoomForTheErrorReply) {
  Seen seen;
  router_.OnCommand("bad", Recording(seen, "x"));
  discord_.fail_next_respond =
      core::Error{core::ErrorCode::kInvalidArgument, "Invalid Form Body (50035)", "50035"};
  const Outcome o = Run(Command("bad"));
  EXPECT_EQ(o.status, Outcome::Status::kHandlerFailed);
  ASSERT_EQ(discord_.calls.size(), 2u);
  EXPECT_EQ(discord_.calls[1].response.type, ResponseType::kChannelMessage);
  EXPECT_EQ(discord_.calls[1].response.message->flags, message_flag::kEphemeral);
  EXPECT_EQ(discord_.double_acks, 0);
}

TEST_F(RouterTest, AnAutocompleteGetsNoChoicesRatherThanSilence) {
  Interaction i = InGuild(InteractionType::kAutocomplete, 0);
  i.data = CommandData{.id = CommandId(9), .name = "config"};
  EXPECT_EQ(Run(i).status, Outcome::Status::kUnsupported);
  ASSERT_EQ(discord_.calls.size(), 1u);
  EXPECT_EQ(discord_.calls[0].response.type, ResponseType::kAutocompleteResult);
}

TEST_F(RouterTest, BadRegistrationsThrowAtStartUp) {
  Seen seen;
  router_.OnCommand("config view", Recording(seen));
  EXPECT_THROW(router_.OnCommand("config view", Recording(seen)), std::invalid_argument);
  EXPECT_THROW(router_.OnCommand("config  view", Recording(seen)), std::invalid_argument);
  EXPECT_THROW(router_.OnCommand(" config", Recording(seen)), std::invalid_argument);
  EXPECT_THROW(router_.OnCommand("", Recording(seen)), std::invalid_argument);
  EXPECT_THROW(router_.OnComponent("", Recording(seen)), std::invalid_argument);
  EXPECT_THROW(router_.OnComponent(std::string(101, 'x'), Recording(seen)), std::invalid_argument);
  EXPECT_THROW(router_.OnComponent("as:", Handler()), std::invalid_argument);
}

TEST(MissingPermissionsTest, AdministratorHoldsEverything) {
  EXPECT_EQ(MissingPermissions(permission::kBanMembers, permission::kBanMembers), 0u);
  EXPECT_EQ(MissingPermissions(permission::kKickMembers,
                               permission::kBanMembers | permission::kKickMembers),
            permission::kBanMembers);
  EXPECT_EQ(MissingPermissions(permission::kAdministrator, permission::kManageGuild), 0u);
}

}  // namespace
}  // namespace discord::interactions

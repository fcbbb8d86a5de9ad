// The interaction router (issue 4 item 5, PROTOCOL.md §5): slash commands by path (command, then
// subcommand group and subcommand), components and modal submits by custom_id prefix (the longest
// registered prefix wins), a required permission per route checked against the invoker's
// `member.permissions` before the handler runs, and automatic deferral, so that every interaction
// gets exactly one callback within Discord's 3 s
// (https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction).
//
//   Router router(responder, clock);
//   router.OnCommand("config view", ShowConfig, {.required = permission::kManageGuild});
//   router.OnComponent("as:ban:", Ban, {.required = permission::kBanMembers, .slow = true});
//   Outcome o = co_await router.Dispatch(std::move(interaction), arrival);
//
// Deferral: a deadline (RouterOptions::defer_after, below Discord's 3 s) runs from the
// interaction's arrival. If the handler has sent nothing by then, the router sends the deferral
// (type 5 for commands, 6 for components and modal submits from a message, unless the route says
// otherwise); the handler's replies then become an edit of @original or follow-ups. Slow routes
// defer at once.
//
// Thread-safety: register routes before the first Dispatch; Dispatch and the Context run on one
// executor (the responder's).
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "discord/interactions/responder.h"
#include "discord/model/interaction.h"
#include "discord/model/interaction_response.h"
#include "discord/model/message_body.h"
#include "discord/model/permissions.h"

namespace discord::interactions {

namespace detail {
class Exchange;
}

// What a handler gets: the interaction, its route and arguments, and the ways to answer it. Valid
// while the handler runs. Pass messages as named objects (not temporaries built in the co_await:
// GCC 12 miscompiles those) that live until the co_await completes.
class Context {
 public:
  const Interaction& interaction() const;
  // The registered path ("config view") or custom_id prefix ("as:ban:") that matched.
  const std::string& route() const { return route_; }
  // Commands: the options of the invoked leaf (the subcommand's); empty for other interactions.
  const std::vector<CommandOption>& options() const;
  // The leaf option called `name`, or nullptr.
  const CommandOption* Option(std::string_view name) const;
  // Components and modal submits: the custom_id after the matched prefix ("123" for "as:ban:123").
  std::string_view argument() const;

  // A message in answer: the callback (type 4) while nothing was sent; after a type-5 deferral,
  // the edit of its "thinking…" placeholder (whose ephemerality was fixed by the deferral); after
  // that, a follow-up.
  [[nodiscard]] boost::asio::awaitable<core::Result<void>> Reply(const CreateMessage& message);
  // Replaces the original message's content, embeds and components: for a component (or a modal
  // submitted from one) not yet answered, the UPDATE_MESSAGE callback (type 7) on its message;
  // once answered, an edit of @original (the component's message after 6/7, the reply after
  // 4/5). A command not yet answered is kFailedPrecondition.
  [[nodiscard]] boost::asio::awaitable<core::Result<void>> Update(const CreateMessage& message);
  // Acknowledges now with the route's deferral if nothing was sent; otherwise does nothing.
  [[nodiscard]] boost::asio::awaitable<core::Result<void>> Defer();
  // The MODAL callback (type 9): only as the first response, never to a modal submit
  // (kFailedPrecondition). Register the route `slow = false` (a deferral would come first).
  [[nodiscard]] boost::asio::awaitable<core::Result<void>> ShowModal(const Modal& modal);
  // Whether the callback has been sent.
  bool acknowledged() const;

 private:
  friend class Router;
  Context(std::shared_ptr<detail::Exchange> exchange, std::string route, std::size_t prefix);

  std::shared_ptr<detail::Exchange> exchange_;
  std::string route_;
  std::size_t prefix_ = 0;  // characters of custom_id the route matched
};

// A handler answers through the Context; an error it returns (or an exception it throws) is
// reported to the invoker as an ephemeral message and in the Outcome, never a crash. Coroutine
// lambdas must not capture (captures do not live in the coroutine frame): to bind state, wrap a
// coroutine function, e.g. `[this](Context& c) { return Handle(c); }`.
using Handler = std::function<boost::asio::awaitable<core::Result<void>>(Context&)>;

enum class DeferStyle {
  kAuto,     // commands 5; components 6; modal submits 6 from a message, else 5
  kMessage,  // 5: "thinking…", then the reply replaces it
  kUpdate,   // 6: no loading state, then edits of the component's message (components only)
};

struct RouteOptions {
  Permissions required = 0;  // all these bits, in the invoker's member.permissions (ADMINISTRATOR
                             // passes); outside a guild a route that requires any is refused
  bool slow = false;         // defer as soon as the interaction arrives
  bool ephemeral = false;    // a type-5 deferral is ephemeral (only the invoker sees the reply)
  DeferStyle defer = DeferStyle::kAuto;
};

struct RouterOptions {
  // From the interaction's arrival to the automatic deferral; Discord's limit is 3 s, and the
  // rest is for the trip to Discord.
  std::chrono::milliseconds defer_after{2'000};
  // Ephemeral answers of the router itself.
  std::string unknown_text = "Unknown command.";
  std::string refused_text = "You do not have the permissions this needs.";
  std::string failed_text = "That did not work";  // followed by ": " and the error's message
  std::string done_text = "Done.";  // for a command handler that finished without replying
};

// What became of one interaction, for the caller to log or count.
struct Outcome {
  enum class Status {
    kHandled,        // the handler ran and succeeded
    kHandlerFailed,  // it returned an error or threw: `error`
    kRefused,        // the invoker lacks `missing`; the handler did not run
    kUnknownRoute,   // nothing registered matched
    kUnsupported,    // PING or autocomplete (answered with no choices)
  };
  Status status = Status::kHandled;
  std::string route;                          // the matched path or prefix; "" when none matched
  Permissions missing = 0;                    // kRefused
  std::optional<core::Error> error;           // kHandlerFailed
  std::optional<core::Error> response_error;  // the first call to Discord that failed
  std::optional<ResponseType> callback;       // the callback sent; nullopt if none was
  bool deferred = false;                      // by the handler, the route or the router
  bool auto_deferred = false;                 // by the router's deadline
};

class Router {
 public:
  // `responder` and `clock` must outlive the router.
  Router(Responder& responder, const core::Clock& clock, RouterOptions options = {});
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // `path`: the command's name, then its subcommand group and subcommand if any, separated by
  // single spaces ("antispam", "config view", "config rules set"; context-menu names as they
  // are). A path that does not match exactly falls back to its shorter ones, so "config" may
  // handle every subcommand of /config. Throws std::invalid_argument for an empty or badly spaced
  // path or one registered twice (start-up errors).
  void OnCommand(std::string_view path, Handler handler, RouteOptions options = {});
  // Components (buttons, selects) whose custom_id starts with `prefix` (1-100 characters; the
  // longest matching prefix wins). Throws std::invalid_argument as OnCommand.
  void OnComponent(std::string_view prefix, Handler handler, RouteOptions options = {});
  // Modal submits by custom_id prefix, as OnComponent.
  void OnModal(std::string_view prefix, Handler handler, RouteOptions options = {});

  // Routes `interaction` (which arrived at `arrival`, by the clock's Steady()), runs its handler
  // and sees it answered exactly once: unknown routes and refusals get an ephemeral message,
  // handler errors an ephemeral message with the error's text, a command handler that sent nothing
  // an ephemeral done_text, a component handler that sent nothing a DEFERRED_UPDATE (type 6).
  // Completes when the handler has finished and every answer has been sent. Never throws.
  [[nodiscard]] boost::asio::awaitable<Outcome> Dispatch(
      Interaction interaction, std::chrono::steady_clock::time_point arrival);
  // The same through another responder for this interaction (the HTTP endpoint's inline one),
  // which must outlive the dispatch.
  [[nodiscard]] boost::asio::awaitable<Outcome> Dispatch(
      Interaction interaction, std::chrono::steady_clock::time_point arrival, Responder& responder);

  const RouterOptions& options() const { return options_; }

 private:
  struct Route {
    Handler handler;
    RouteOptions options;
  };
  // The route for `interaction` and the key it matched (path or prefix); nullptr when none.
  const Route* Find(const Interaction& interaction, std::string* key) const;
  static void AddPrefix(std::map<std::string, Route, std::less<>>& table, std::string_view prefix,
                        Handler handler, RouteOptions options, std::string_view what);

  Responder& responder_;
  const core::Clock& clock_;
  RouterOptions options_;
  std::map<std::string, Route, std::less<>> commands_;
  std::map<std::string, Route, std::less<>> components_;
  std::map<std::string, Route, std::less<>> modals_;
};

// Whether `granted` holds every bit of `required` (ADMINISTRATOR holds them all); the bits missing
// otherwise.
Permissions MissingPermissions(Permissions granted, Permissions required);

}  // namespace discord::interactions

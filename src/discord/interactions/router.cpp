#include "discord/interactions/router.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <exception>
#include <stdexcept>

#include "discord/interactions/detail/exchange.h"

namespace discord::interactions {

namespace asio = boost::asio;

// --- Context ---

Context::Context(std::shared_ptr<detail::Exchange> exchange, std::string route, std::size_t prefix)
    : exchange_(std::move(exchange)), route_(std::move(route)), prefix_(prefix) {}

const Interaction& Context::interaction() const { return exchange_->interaction(); }

const std::vector<CommandOption>& Context::options() const {
  static const std::vector<CommandOption> kNone;
  if (const auto* command = std::get_if<CommandData>(&interaction().data)) {
    return *command->Leaf().options;
  }
  return kNone;
}

const CommandOption* Context::Option(std::string_view name) const {
  for (const CommandOption& option : options()) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

std::string_view Context::argument() const {
  std::string_view id;
  if (const auto* component = std::get_if<ComponentData>(&interaction().data)) {
    id = component->custom_id;
  } else if (const auto* modal = std::get_if<ModalData>(&interaction().data)) {
    id = modal->custom_id;
  }
  return prefix_ <= id.size() ? id.substr(prefix_) : std::string_view();
}

asio::awaitable<core::Result<void>> Context::Reply(const CreateMessage& message) {
  return exchange_->Reply(message);
}
asio::awaitable<core::Result<void>> Context::Update(const CreateMessage& message) {
  return exchange_->Update(message);
}
asio::awaitable<core::Result<void>> Context::Defer() { return exchange_->Defer(); }
asio::awaitable<core::Result<void>> Context::ShowModal(const Modal& modal) {
  return exchange_->ShowModal(modal);
}
bool Context::acknowledged() const { return exchange_->acknowledged(); }

// --- Router ---

Permissions MissingPermissions(Permissions granted, Permissions required) {
  if ((granted & permission::kAdministrator) != 0) return 0;
  return required & ~granted;
}

Router::Router(Responder& responder, const core::Clock& clock, RouterOptions options)
    : responder_(responder), clock_(clock), options_(std::move(options)) {}

Router::~Router() = default;

void Router::AddPrefix(std::map<std::string, Route, std::less<>>& table, std::string_view prefix,
                       Handler handler, RouteOptions options, std::string_view what) {
  if (!handler) throw std::invalid_argument(std::string(what) + " route without a handler");
  if (!table.emplace(std::string(prefix), Route{std::move(handler), options}).second) {
    throw std::invalid_argument(std::string(what) +
                                " route registered twice: " + std::string(prefix));
  }
}

void Router::OnCommand(std::string_view path, Handler handler, RouteOptions options) {
  if (path.empty() || path.front() == ' ' || path.back() == ' ' ||
      path.find("  ") != std::string_view::npos) {
    throw std::invalid_argument("command path must be words separated by single spaces: '" +
                                std::string(path) + "'");
  }
  AddPrefix(commands_, path, std::move(handler), options, "command");
}

void Router::OnComponent(std::string_view prefix, Handler handler, RouteOptions options) {
  if (prefix.empty() || prefix.size() > 100) {
    throw std::invalid_argument("a custom_id prefix has 1 to 100 characters");
  }
  AddPrefix(components_, prefix, std::move(handler), options, "component");
}

void Router::OnModal(std::string_view prefix, Handler handler, RouteOptions options) {
  if (prefix.empty() || prefix.size() > 100) {
    throw std::invalid_argument("a custom_id prefix has 1 to 100 characters");
  }
  AddPrefix(modals_, prefix, std::move(handler), options, "modal");
}

namespace {

template <class Table>
auto LongestPrefix(const Table& table, std::string_view id, std::string* key)
    -> decltype(&table.begin()->second) {
  for (std::size_t n = id.size(); n > 0; --n) {
    auto it = table.find(id.substr(0, n));
    if (it != table.end()) {
      *key = it->first;
      return &it->second;
    }
  }
  return nullptr;
}

}  // namespace

const Router::Route* Router::Find(const Interaction& interaction, std::string* key) const {
  if (const auto* command = std::get_if<CommandData>(&interaction.data)) {
    if (interaction.type != InteractionType::kApplicationCommand) return nullptr;
    const CommandData::Route leaf = command->Leaf();
    std::vector<std::string> candidates{command->name};
    if (!leaf.group.empty())
      candidates.push_back(candidates.back() + " " + std::string(leaf.group));
    if (!leaf.subcommand.empty()) {
      candidates.push_back(candidates.back() + " " + std::string(leaf.subcommand));
    }
    for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {  // the longest first
      auto found = commands_.find(*it);
      if (found != commands_.end()) {
        *key = found->first;
        return &found->second;
      }
    }
    return nullptr;
  }
  if (const auto* component = std::get_if<ComponentData>(&interaction.data)) {
    return LongestPrefix(components_, component->custom_id, key);
  }
  if (const auto* modal = std::get_if<ModalData>(&interaction.data)) {
    return LongestPrefix(modals_, modal->custom_id, key);
  }
  return nullptr;
}

asio::awaitable<Outcome> Router::Dispatch(Interaction interaction,
                                          std::chrono::steady_clock::time_point arrival) {
  return Dispatch(std::move(interaction), arrival, responder_);
}

asio::awaitable<Outcome> Router::Dispatch(Interaction interaction,
                                          std::chrono::steady_clock::time_point arrival,
                                          Responder& responder) {
  const auto executor = co_await asio::this_coro::executor;
  Outcome outcome;
  std::string key;
  const Route* route = Find(interaction, &key);
  const RouteOptions route_options = route != nullptr ? route->options : RouteOptions{};

  // The deferral this interaction would get.
  const bool on_message =
      interaction.type != InteractionType::kApplicationCommand && interaction.message.has_value();
  DeferStyle style = route_options.defer;
  if (style == DeferStyle::kAuto || (style == DeferStyle::kUpdate && !on_message)) {
    style = on_message ? DeferStyle::kUpdate : DeferStyle::kMessage;
  }
  InteractionResponse deferral{.type = ResponseType::kDeferredUpdate};
  if (style == DeferStyle::kMessage) {
    deferral.type = ResponseType::kDeferredChannelMessage;
    if (route_options.ephemeral)
      deferral.message = CreateMessage{.flags = message_flag::kEphemeral};
  }
  auto exchange = std::make_shared<detail::Exchange>(executor, responder, std::move(interaction),
                                                     std::move(deferral));
  const Interaction& in = exchange->interaction();
  auto finish = [&] {
    outcome.callback = exchange->callback();
    outcome.deferred = exchange->deferred();
    outcome.auto_deferred = exchange->auto_deferred();
    outcome.response_error = exchange->response_error();
  };

  if (in.type == InteractionType::kPing || in.type == InteractionType::kAutocomplete) {
    outcome.status = Outcome::Status::kUnsupported;
    if (in.type == InteractionType::kAutocomplete) {
      const InteractionResponse none{.type = ResponseType::kAutocompleteResult};
      auto sent = co_await exchange->AcknowledgeOnce(none);
      (void)sent;  // in response_error
    }
    finish();
    co_return outcome;
  }
  if (route == nullptr) {
    outcome.status = Outcome::Status::kUnknownRoute;
    auto sent = co_await exchange->ReplyEphemeral(options_.unknown_text);
    (void)sent;
    finish();
    co_return outcome;
  }
  outcome.route = key;
  if (route_options.required != 0) {
    const Permissions granted =
        in.member && in.member->permissions ? *in.member->permissions : Permissions{0};
    outcome.missing = MissingPermissions(granted, route_options.required);
    if (outcome.missing != 0) {
      outcome.status = Outcome::Status::kRefused;
      auto sent = co_await exchange->ReplyEphemeral(options_.refused_text);
      (void)sent;
      finish();
      co_return outcome;
    }
  }

  if (route_options.slow) {
    auto deferred = co_await exchange->Defer();
    (void)deferred;
  } else {
    const auto elapsed = clock_.Steady() - arrival;
    const auto remaining =
        std::max<std::chrono::steady_clock::duration>(options_.defer_after - elapsed, {});
    asio::co_spawn(executor, detail::Exchange::Watch(exchange, remaining), asio::detached);
  }

  const Handler handler = route->handler;  // the table may not change, but the copy is cheap
  const std::size_t prefix = in.type == InteractionType::kApplicationCommand ? 0 : key.size();
  Context context(exchange, key, prefix);
  std::optional<core::Error> failure;
  std::string shown;  // what the invoker is told
  try {
    auto result = co_await handler(context);
    if (!result) {
      failure = std::move(result.error());
      shown = failure->message;
    }
  } catch (const std::exception& e) {
    failure = core::Error{core::ErrorCode::kInternal, std::string("the handler threw: ") + e.what(),
                          "exception"};
    shown = "internal error";
  } catch (...) {
    failure = core::Error{core::ErrorCode::kInternal, "the handler threw", "exception"};
    shown = "internal error";
  }
  exchange->Finish();
  if (failure) {
    outcome.status = Outcome::Status::kHandlerFailed;
    outcome.error = std::move(failure);
    const std::string text = options_.failed_text + ": " + shown;
    auto sent = co_await exchange->ReplyEphemeral(text);
    (void)sent;
  } else {
    co_await exchange->Complete(options_.done_text);
  }
  finish();
  co_return outcome;
}

}  // namespace discord::interactions

// One interaction in flight: the state machine that makes sure exactly one callback is sent and
// turns later replies into webhook calls (edit @original, follow-ups). Internal to the router.
//
// Thread-safety: none. Use it from coroutines on one executor (the router's). It is shared
// (shared_ptr) by the dispatch, the deadline watchdog and the handler's Context.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "discord/interactions/responder.h"
#include "discord/model/interaction.h"
#include "discord/model/interaction_response.h"
#include "discord/model/message_body.h"

namespace discord::interactions::detail {

class Exchange {
 public:
  // `deferral` is the callback a deferral sends (type 5 with its flags, or 6). `responder` must
  // outlive the exchange.
  Exchange(boost::asio::any_io_executor executor, Responder& responder, Interaction interaction,
           InteractionResponse deferral);

  const Interaction& interaction() const { return interaction_; }

  // The Context API (router.h documents the contracts).
  boost::asio::awaitable<core::Result<void>> Reply(const CreateMessage& message);
  boost::asio::awaitable<core::Result<void>> Update(const CreateMessage& message);
  boost::asio::awaitable<core::Result<void>> Defer();
  boost::asio::awaitable<core::Result<void>> ShowModal(const Modal& modal);
  // Sends `response` as the callback if none has been sent (nor is being sent); otherwise
  // kFailedPrecondition and nothing is sent.
  boost::asio::awaitable<core::Result<void>> AcknowledgeOnce(const InteractionResponse& response);

  // After the handler: acknowledges an interaction the handler left unanswered (components: type
  // 6; commands: an ephemeral `done_text`) and fills a deferred reply's "thinking…" placeholder.
  boost::asio::awaitable<void> Complete(const std::string& done_text);
  // An ephemeral message with `text`, by whichever way is still open.
  boost::asio::awaitable<core::Result<void>> ReplyEphemeral(const std::string& text);

  // Sends the deferral at `deadline` unless something was sent (or is being sent) by then or
  // Finish() was called. Run it co_spawned, holding the exchange.
  static boost::asio::awaitable<void> Watch(std::shared_ptr<Exchange> self,
                                            std::chrono::steady_clock::duration remaining);
  // Stops the watchdog.
  void Finish();

  bool acknowledged() const { return state_ == State::kAcknowledged; }
  bool deferred() const { return deferred_; }
  bool auto_deferred() const { return auto_deferred_; }
  std::optional<ResponseType> callback() const { return callback_; }
  // The first failure of a call to Discord, if any.
  const std::optional<core::Error>& response_error() const { return response_error_; }

 private:
  enum class State { kOpen, kSending, kAcknowledged };

  // Waits while a callback is in flight.
  boost::asio::awaitable<void> Settle();
  boost::asio::awaitable<core::Result<void>> Edit(const CreateMessage& message);
  boost::asio::awaitable<core::Result<void>> Follow(const CreateMessage& message);
  core::Result<void> Note(core::Result<void> result);

  Responder& responder_;
  Interaction interaction_;
  InteractionResponse deferral_;
  State state_ = State::kOpen;
  std::optional<ResponseType> callback_;  // the type sent (or attempted, when the outcome is
                                          // unknown)
  bool deferred_ = false;
  bool auto_deferred_ = false;
  bool placeholder_ = false;  // a type-5 "thinking…" message not yet replaced by a reply
  bool finished_ = false;
  std::optional<core::Error> response_error_;
  boost::asio::steady_timer settled_;   // never expires: cancel() wakes Settle()'s waiters
  boost::asio::steady_timer watchdog_;  // the deferral deadline
};

// The edit that replaces a message's content, embeds and components with `message`'s (flags other
// than SUPPRESS_EMBEDS cannot change on an edit: an ephemeral reply stays as deferred).
EditMessage ReplacingEdit(const CreateMessage& message);

}  // namespace discord::interactions::detail

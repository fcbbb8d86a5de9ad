// The responder of one HTTP interactions request: its first callback becomes the HTTP answer's
// body (PROTOCOL.md §5.4: "respond inline"); edits, follow-ups and any callback after the answer
// has gone use the REST responder. Internal to the HTTP endpoint.
//
// Thread-safety: none; use it on one executor, shared (shared_ptr) by the request and the
// dispatch.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "discord/interactions/responder.h"

namespace discord::interactions::detail {

class InlineResponder final : public Responder {
 public:
  // `rest` must outlive it.
  InlineResponder(boost::asio::any_io_executor executor, Responder& rest);

  // Until the HTTP answer is taken: encodes `response` as that answer (kInvalidArgument if it
  // does not encode, and nothing is answered) and completes once Take() has it, so that edits
  // and follow-ups over REST come after the answer. Afterwards: over REST.
  boost::asio::awaitable<core::Result<void>> Respond(const Interaction& interaction,
                                                     const InteractionResponse& response) override;
  boost::asio::awaitable<core::Result<void>> EditOriginal(const Interaction& interaction,
                                                          const EditMessage& edit) override;
  boost::asio::awaitable<core::Result<void>> Followup(const Interaction& interaction,
                                                      const CreateMessage& message) override;

  // Waits, at most `limit`, for the first callback or Finish(); returns the callback's JSON, or
  // nullopt if there was none (later callbacks then go over REST). Call once.
  boost::asio::awaitable<std::optional<std::string>> Take(
      std::chrono::steady_clock::duration limit);
  // The dispatch is over: Take() stops waiting.
  void Finish();

 private:
  Responder& rest_;
  boost::asio::steady_timer ready_;         // Take() waits on it
  boost::asio::steady_timer taken_signal_;  // Respond() waits on it
  std::optional<std::string> body_;
  bool taken_ = false;
  bool finished_ = false;
};

}  // namespace discord::interactions::detail

// How the interaction router talks to Discord: the one callback of an interaction and the webhook
// calls on its token afterwards (PROTOCOL.md §5.2, §5.3,
// https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction).
// A narrow interface so the router can be tested with the in-memory fake of
// testing/fake_responder.h, run over REST (RestResponder) or answer an HTTP interactions request
// inline (http_endpoint.h).
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "discord/model/interaction.h"
#include "discord/model/interaction_response.h"
#include "discord/model/message_body.h"

namespace discord::rest {
class Client;
}

namespace discord::interactions {

// Arguments are passed by reference: name them in the caller, and keep them (and `interaction`)
// alive until the co_await completes. Call on the executor the implementation runs on.
class Responder {
 public:
  virtual ~Responder() = default;
  // The interaction's callback (types 4, 5, 6, 7, 8, 9). Discord accepts exactly one per
  // interaction, within 3 s of its creation: the router makes sure it sends one.
  // kInvalidArgument: refused as malformed (validation or HTTP 400), so nothing was acknowledged.
  [[nodiscard]] virtual boost::asio::awaitable<core::Result<void>> Respond(
      const Interaction& interaction, const InteractionResponse& response) = 0;
  // PATCH /webhooks/{application}/{token}/messages/@original, once acknowledged (15 minutes).
  [[nodiscard]] virtual boost::asio::awaitable<core::Result<void>> EditOriginal(
      const Interaction& interaction, const EditMessage& edit) = 0;
  // POST /webhooks/{application}/{token}: a new message, once acknowledged (15 minutes).
  [[nodiscard]] virtual boost::asio::awaitable<core::Result<void>> Followup(
      const Interaction& interaction, const CreateMessage& message) = 0;
};

// Over the REST client (errors as discord/rest/errors.h: 10062 is kNotFound, 40060 kConflict).
// The client must outlive it; use it on the client's executor.
class RestResponder final : public Responder {
 public:
  explicit RestResponder(rest::Client& client) : client_(client) {}

  boost::asio::awaitable<core::Result<void>> Respond(const Interaction& interaction,
                                                     const InteractionResponse& response) override;
  boost::asio::awaitable<core::Result<void>> EditOriginal(const Interaction& interaction,
                                                          const EditMessage& edit) override;
  boost::asio::awaitable<core::Result<void>> Followup(const Interaction& interaction,
                                                      const CreateMessage& message) override;

 private:
  rest::Client& client_;
};

}  // namespace discord::interactions

#include "discord/interactions/responder.h"

#include "discord/rest/client.h"

namespace discord::interactions {

boost::asio::awaitable<core::Result<void>> RestResponder::Respond(
    const Interaction& interaction, const InteractionResponse& response) {
  co_return co_await client_.CreateInteractionResponse(interaction.id, interaction.token, response);
}

boost::asio::awaitable<core::Result<void>> RestResponder::EditOriginal(
    const Interaction& interaction, const EditMessage& edit) {
  auto message = co_await client_.EditOriginalResponse(interaction.token, edit);
  if (!message) co_return std::unexpected(std::move(message.error()));
  co_return core::Result<void>();
}

boost::asio::awaitable<core::Result<void>> RestResponder::Followup(const Interaction& interaction,
                                                                   const CreateMessage& message) {
  auto created = co_await client_.CreateFollowupMessage(interaction.token, message);
  if (!created) co_return std::unexpected(std::move(created.error()));
  co_return core::Result<void>();
}

}  // namespace discord::interactions

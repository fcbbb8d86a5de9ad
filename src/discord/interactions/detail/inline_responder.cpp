#include "discord/interactions/detail/inline_responder.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace discord::interactions::detail {

namespace asio = boost::asio;

InlineResponder::InlineResponder(asio::any_io_executor executor, Responder& rest)
    : rest_(rest), ready_(executor), taken_signal_(executor) {}

asio::awaitable<core::Result<void>> InlineResponder::Respond(const Interaction& interaction,
                                                             const InteractionResponse& response) {
  if (taken_ || body_) co_return co_await rest_.Respond(interaction, response);
  auto body = EncodeInteractionResponse(response);
  if (!body) co_return std::unexpected(std::move(body.error()));
  body_ = std::move(*body);
  ready_.cancel();
  if (!taken_) {  // bounded, should the request be gone
    taken_signal_.expires_after(std::chrono::seconds(3));
    boost::system::error_code ec;
    co_await taken_signal_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return core::Result<void>();
}

asio::awaitable<core::Result<void>> InlineResponder::EditOriginal(const Interaction& interaction,
                                                                  const EditMessage& edit) {
  co_return co_await rest_.EditOriginal(interaction, edit);
}

asio::awaitable<core::Result<void>> InlineResponder::Followup(const Interaction& interaction,
                                                              const CreateMessage& message) {
  co_return co_await rest_.Followup(interaction, message);
}

asio::awaitable<std::optional<std::string>> InlineResponder::Take(
    std::chrono::steady_clock::duration limit) {
  if (!body_ && !finished_) {
    ready_.expires_after(limit);
    boost::system::error_code ec;
    co_await ready_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  taken_ = true;
  taken_signal_.cancel();
  co_return body_;
}

void InlineResponder::Finish() {
  finished_ = true;
  ready_.cancel();
}

}  // namespace discord::interactions::detail

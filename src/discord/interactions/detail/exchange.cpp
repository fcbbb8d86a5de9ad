#include "discord/interactions/detail/exchange.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace discord::interactions::detail {

namespace asio = boost::asio;
using core::ErrorCode;

Exchange::Exchange(asio::any_io_executor executor, Responder& responder, Interaction interaction,
                   InteractionResponse deferral)
    : responder_(responder),
      interaction_(std::move(interaction)),
      deferral_(std::move(deferral)),
      settled_(executor),
      watchdog_(executor) {
  settled_.expires_at(asio::steady_timer::time_point::max());
}

asio::awaitable<void> Exchange::Settle() {
  while (state_ == State::kSending) {
    boost::system::error_code ec;
    co_await settled_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

core::Result<void> Exchange::Note(core::Result<void> result) {
  if (!result && !response_error_) response_error_ = result.error();
  return result;
}

asio::awaitable<core::Result<void>> Exchange::AcknowledgeOnce(const InteractionResponse& response) {
  if (state_ != State::kOpen) {
    co_return core::Fail(ErrorCode::kFailedPrecondition,
                         "the interaction has already been acknowledged", "acknowledged");
  }
  state_ = State::kSending;
  callback_ = response.type;
  auto sent = co_await responder_.Respond(interaction_, response);
  if (!sent && sent.error().code == ErrorCode::kInvalidArgument) {
    // Refused as malformed: nothing was acknowledged, another callback may still go.
    state_ = State::kOpen;
    callback_.reset();
  } else {
    // Sent, or its fate unknown (a timeout, a lost connection, 10062, 40060): never send another.
    state_ = State::kAcknowledged;
    deferred_ = response.type == ResponseType::kDeferredChannelMessage ||
                response.type == ResponseType::kDeferredUpdate;
    placeholder_ = response.type == ResponseType::kDeferredChannelMessage;
  }
  settled_.cancel();
  co_return Note(std::move(sent));
}

asio::awaitable<core::Result<void>> Exchange::Edit(const CreateMessage& message) {
  const EditMessage edit = ReplacingEdit(message);
  auto edited = co_await responder_.EditOriginal(interaction_, edit);
  co_return Note(std::move(edited));
}

asio::awaitable<core::Result<void>> Exchange::Follow(const CreateMessage& message) {
  auto sent = co_await responder_.Followup(interaction_, message);
  co_return Note(std::move(sent));
}

asio::awaitable<core::Result<void>> Exchange::Reply(const CreateMessage& message) {
  co_await Settle();
  if (state_ == State::kOpen) {
    const InteractionResponse response{.type = ResponseType::kChannelMessage, .message = message};
    co_return co_await AcknowledgeOnce(response);
  }
  if (placeholder_) {  // the "thinking…" message becomes the reply
    placeholder_ = false;
    co_return co_await Edit(message);
  }
  co_return co_await Follow(message);
}

asio::awaitable<core::Result<void>> Exchange::Update(const CreateMessage& message) {
  co_await Settle();
  if (state_ == State::kOpen) {
    if (!interaction_.message) {
      co_return core::Fail(ErrorCode::kFailedPrecondition,
                           "only a component's message can be updated before a reply", "message");
    }
    const InteractionResponse response{.type = ResponseType::kUpdateMessage, .message = message};
    co_return co_await AcknowledgeOnce(response);
  }
  placeholder_ = false;
  co_return co_await Edit(message);
}

asio::awaitable<core::Result<void>> Exchange::Defer() {
  co_await Settle();
  if (state_ != State::kOpen) co_return core::Result<void>();
  co_return co_await AcknowledgeOnce(deferral_);
}

asio::awaitable<core::Result<void>> Exchange::ShowModal(const Modal& modal) {
  co_await Settle();
  if (interaction_.type == InteractionType::kModalSubmit) {
    co_return core::Fail(ErrorCode::kFailedPrecondition, "a modal cannot answer a modal submit",
                         "modal");
  }
  if (state_ != State::kOpen) {
    co_return core::Fail(ErrorCode::kFailedPrecondition,
                         "a modal must be the first response to an interaction", "acknowledged");
  }
  const InteractionResponse response{.type = ResponseType::kModal, .modal = modal};
  co_return co_await AcknowledgeOnce(response);
}

asio::awaitable<core::Result<void>> Exchange::ReplyEphemeral(const std::string& text) {
  const CreateMessage message{.content = text, .flags = message_flag::kEphemeral};
  co_return co_await Reply(message);
}

asio::awaitable<void> Exchange::Complete(const std::string& done_text) {
  co_await Settle();
  if (state_ == State::kOpen) {
    if (interaction_.type != InteractionType::kApplicationCommand && interaction_.message) {
      const InteractionResponse ack{.type = ResponseType::kDeferredUpdate};
      auto sent = co_await AcknowledgeOnce(ack);
      (void)sent;  // noted in response_error()
    } else {
      auto sent = co_await ReplyEphemeral(done_text);
      (void)sent;
    }
  } else if (placeholder_) {
    placeholder_ = false;
    const CreateMessage done{.content = done_text};
    auto edited = co_await Edit(done);
    (void)edited;
  }
}

asio::awaitable<void> Exchange::Watch(std::shared_ptr<Exchange> self,
                                      std::chrono::steady_clock::duration remaining) {
  if (self->finished_) co_return;
  self->watchdog_.expires_after(remaining);
  boost::system::error_code ec;
  co_await self->watchdog_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (ec || self->finished_ || self->state_ != State::kOpen) co_return;
  self->auto_deferred_ = true;
  auto sent = co_await self->AcknowledgeOnce(self->deferral_);
  (void)sent;
}

void Exchange::Finish() {
  finished_ = true;
  watchdog_.cancel();
}

EditMessage ReplacingEdit(const CreateMessage& message) {
  EditMessage edit{.content = message.content,
                   .embeds = message.embeds,
                   .components = message.components,
                   .allowed_mentions = message.allowed_mentions};
  if ((message.flags & message_flag::kSuppressEmbeds) != 0) {
    edit.flags = message_flag::kSuppressEmbeds;
  }
  return edit;
}

}  // namespace discord::interactions::detail

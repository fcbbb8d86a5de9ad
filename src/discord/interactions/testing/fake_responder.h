// An in-memory Responder for tests: records every call and answers as Discord does about the one
// callback per interaction (a second one is refused like 40060, counted in double_acks; a webhook
// call before any callback is refused like Unknown Webhook). Not thread-safe: one executor.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <vector>

#include "core/result.h"
#include "discord/interactions/responder.h"

namespace discord::interactions::testing {

class FakeResponder final : public Responder {
 public:
  struct Call {
    enum class Kind { kRespond, kEditOriginal, kFollowup };
    Kind kind = Kind::kRespond;
    InteractionId interaction;
    InteractionResponse response;  // kRespond
    EditMessage edit;              // kEditOriginal
    CreateMessage message;         // kFollowup
  };

  std::vector<Call> calls;  // in order, including refused ones
  int double_acks = 0;      // second callbacks for one interaction (a router bug if not 0)
  // The next Respond fails with this error, without acknowledging.
  std::optional<core::Error> fail_next_respond;
  // Called as each call arrives (before a yield), e.g. to let a waiting handler go on.
  std::function<void(const Call&)> on_call;
  // Respond lets other ready work run before it completes, as a network round trip would.
  bool yield_in_respond = false;
  // Webhook calls need a callback through this responder first (false when the callback went
  // another way, as the HTTP endpoint's inline answer).
  bool webhooks_need_callback = true;

  boost::asio::awaitable<core::Result<void>> Respond(const Interaction& interaction,
                                                     const InteractionResponse& response) override {
    Call call{.kind = Call::Kind::kRespond, .interaction = interaction.id, .response = response};
    Record(call);
    if (yield_in_respond) {
      const auto executor = co_await boost::asio::this_coro::executor;
      co_await boost::asio::post(executor, boost::asio::use_awaitable);
    }
    if (fail_next_respond) {
      core::Error error = std::move(*fail_next_respond);
      fail_next_respond.reset();
      co_return std::unexpected(std::move(error));
    }
    if (!acknowledged_.insert(interaction.id.value()).second) {
      ++double_acks;
      co_return core::Fail(core::ErrorCode::kConflict,
                           "Interaction has already been acknowledged. (40060)", "40060");
    }
    co_return core::Result<void>();
  }

  boost::asio::awaitable<core::Result<void>> EditOriginal(const Interaction& interaction,
                                                          const EditMessage& edit) override {
    Call call{.kind = Call::Kind::kEditOriginal, .interaction = interaction.id, .edit = edit};
    Record(call);
    co_return Webhook(interaction);
  }

  boost::asio::awaitable<core::Result<void>> Followup(const Interaction& interaction,
                                                      const CreateMessage& message) override {
    Call call{.kind = Call::Kind::kFollowup, .interaction = interaction.id, .message = message};
    Record(call);
    co_return Webhook(interaction);
  }

  // The callbacks sent (accepted or not).
  std::vector<InteractionResponse> responses() const {
    std::vector<InteractionResponse> out;
    for (const Call& c : calls) {
      if (c.kind == Call::Kind::kRespond) out.push_back(c.response);
    }
    return out;
  }

 private:
  void Record(const Call& call) {
    calls.push_back(call);
    if (on_call) on_call(call);
  }
  core::Result<void> Webhook(const Interaction& interaction) const {
    if (webhooks_need_callback && !acknowledged_.contains(interaction.id.value())) {
      return core::Fail(core::ErrorCode::kNotFound, "Unknown Webhook (10015)", "10015");
    }
    return {};
  }

  std::set<std::uint64_t> acknowledged_;
};

}  // namespace discord::interactions::testing

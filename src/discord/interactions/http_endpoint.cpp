#include "discord/interactions/http_endpoint.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "discord/interactions/detail/inline_responder.h"

namespace discord::interactions {

namespace asio = boost::asio;

namespace {

SignatureVerifier VerifierOrThrow(std::string_view public_key) {
  auto verifier = SignatureVerifier::FromHex(public_key);
  if (!verifier) throw std::invalid_argument(verifier.error().message);
  return *verifier;
}

net::HttpResponse Text(int status, std::string body) {
  return net::HttpResponse{.status = status,
                           .headers = {{"Content-Type", "text/plain; charset=utf-8"}},
                           .body = std::move(body)};
}

net::HttpResponse Json(std::string body) {
  return net::HttpResponse{
      .status = 200, .headers = {{"Content-Type", "application/json"}}, .body = std::move(body)};
}

std::string_view StatusName(Outcome::Status s) {
  switch (s) {
    case Outcome::Status::kHandled:
      return "handled";
    case Outcome::Status::kHandlerFailed:
      return "handler failed";
    case Outcome::Status::kRefused:
      return "refused";
    case Outcome::Status::kUnknownRoute:
      return "unknown route";
    case Outcome::Status::kUnsupported:
      return "unsupported";
  }
  return "?";
}

// Runs the dispatch after the request's answer is decided; holds the inline responder.
asio::awaitable<void> RunDispatch(Router& router, Interaction interaction,
                                  std::chrono::steady_clock::time_point arrival,
                                  std::shared_ptr<detail::InlineResponder> responder) {
  const std::uint64_t id = interaction.id.value();
  auto dispatch = router.Dispatch(std::move(interaction), arrival, *responder);
  const Outcome outcome = co_await std::move(dispatch);
  responder->Finish();
  if (outcome.status != Outcome::Status::kHandled || outcome.response_error) {
    spdlog::info("interaction {} ({}): {}{}{}", id, outcome.route, StatusName(outcome.status),
                 outcome.error ? ": " + outcome.error->ToString() : std::string(),
                 outcome.response_error
                     ? "; answering failed: " + outcome.response_error->ToString()
                     : std::string());
  }
}

}  // namespace

HttpEndpoint::HttpEndpoint(Router& router, Responder& rest, const core::Clock& clock,
                           HttpEndpointOptions options)
    : router_(router),
      rest_(rest),
      clock_(clock),
      options_(std::move(options)),
      verifier_(VerifierOrThrow(options_.public_key)) {}

net::HttpServer::RequestHandler HttpEndpoint::Handler() {
  return [this](net::ServerRequest request) { return Handle(std::move(request)); };
}

bool HttpEndpoint::Fresh(std::string_view timestamp) const {
  std::int64_t seconds = 0;
  const char* end = timestamp.data() + timestamp.size();
  auto [at, ec] = std::from_chars(timestamp.data(), end, seconds);
  if (ec != std::errc() || at != end) return false;
  const auto sent = std::chrono::sys_seconds(std::chrono::seconds(seconds));
  const auto skew = clock_.Now() - sent;
  return skew <= options_.max_skew && -skew <= options_.max_skew;
}

asio::awaitable<net::HttpResponse> HttpEndpoint::Handle(net::ServerRequest request) {
  const auto arrival = clock_.Steady();
  if (!options_.path.empty() && request.Path() != options_.path) {
    co_return Text(404, "not found\n");
  }
  if (request.method != "POST") {
    net::HttpResponse refused = Text(405, "POST only\n");
    refused.headers.emplace_back("Allow", "POST");
    co_return refused;
  }
  const std::string signature = request.Header("X-Signature-Ed25519");
  const std::string timestamp = request.Header("X-Signature-Timestamp");
  if (signature.empty() || timestamp.empty() ||
      !verifier_.Verify(signature, timestamp, request.body)) {
    ++stats_.unauthorized;
    co_return Text(401, "invalid request signature\n");
  }
  if (!Fresh(timestamp)) {
    ++stats_.unauthorized;
    co_return Text(401, "stale request timestamp\n");
  }
  const auto json = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  const auto type = json.is_object() ? json.find("type") : json.end();
  if (type != json.end() && type->is_number_integer() &&
      type->get<int>() == static_cast<int>(InteractionType::kPing)) {
    ++stats_.pings;
    co_return Json(R"({"type":1})");
  }
  auto interaction = DecodeInteraction(request.body);
  if (!interaction) {
    co_return Text(400, "malformed interaction: " + interaction.error().message + "\n");
  }
  ++stats_.dispatched;

  const auto executor = co_await asio::this_coro::executor;
  auto responder = std::make_shared<detail::InlineResponder>(executor, rest_);
  asio::co_spawn(executor, RunDispatch(router_, std::move(*interaction), arrival, responder),
                 asio::detached);
  const auto remaining = std::max<std::chrono::steady_clock::duration>(
      options_.answer_within - (clock_.Steady() - arrival), {});
  auto body = co_await responder->Take(remaining);
  if (!body) co_return net::HttpResponse{.status = 202};
  co_return Json(std::move(*body));
}

}  // namespace discord::interactions

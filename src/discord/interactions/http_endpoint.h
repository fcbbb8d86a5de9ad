// The HTTP interactions endpoint (PROTOCOL.md §5.4, the alternative to INTERACTION_CREATE;
// https://discord.com/developers/docs/interactions/overview#configuring-an-interactions-endpoint-url):
// a request handler for net::HttpServer. Every POST must carry a valid Ed25519 signature
// (signature.h) and a fresh timestamp, or it is answered 401 (Discord sends bad signatures on
// purpose and drops endpoints that accept them). PING is answered PONG; any other interaction goes
// to the Router, whose first callback is the HTTP answer (200 with its JSON); its edits and
// follow-ups, and a callback that comes after `answer_within`, go over REST (the answer is then
// 202 with no body).
//
// Answers: 401 bad or missing signature, stale timestamp; 400 a signed body that is not an
// interaction; 404 another path; 405 another method.
//
// Thread-safety: none; Handle() runs on the router's executor (the HttpServer's).
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "core/clock.h"
#include "discord/interactions/responder.h"
#include "discord/interactions/router.h"
#include "discord/interactions/signature.h"
#include "net/http_server.h"

namespace discord::interactions {

struct HttpEndpointOptions {
  std::string public_key;              // the application's public key: 64 hex digits
  std::string path = "/interactions";  // "" answers on every path
  std::chrono::seconds max_skew{300};  // a timestamp further than this from now is a replay: 401
  std::chrono::milliseconds answer_within{2'900};  // from arrival: then 202 (the router's
                                                   // deferral comes well before)
};

struct HttpEndpointStats {
  std::uint64_t unauthorized = 0;  // 401s
  std::uint64_t pings = 0;
  std::uint64_t dispatched = 0;  // interactions handed to the router
};

class HttpEndpoint {
 public:
  // `router`, `rest` (for the calls after the HTTP answer) and `clock` must outlive it. Throws
  // std::invalid_argument when the public key is malformed (a configuration error at start-up).
  HttpEndpoint(Router& router, Responder& rest, const core::Clock& clock,
               HttpEndpointOptions options);

  // Answers one request; the dispatch it starts may outlive the answer (it holds what it needs
  // but the router, responder and clock).
  [[nodiscard]] boost::asio::awaitable<net::HttpResponse> Handle(net::ServerRequest request);
  // Handle() as a net::HttpServer::RequestHandler; the endpoint must outlive the server.
  net::HttpServer::RequestHandler Handler();

  const HttpEndpointStats& stats() const { return stats_; }

 private:
  bool Fresh(std::string_view timestamp) const;

  Router& router_;
  Responder& rest_;
  const core::Clock& clock_;
  HttpEndpointOptions options_;
  SignatureVerifier verifier_;
  HttpEndpointStats stats_;
};

}  // namespace discord::interactions

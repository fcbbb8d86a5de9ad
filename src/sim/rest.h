// The simulator's REST API (../shared/discord/PROTOCOL.md §4, §8 items 10-12) under /api/v10: it
// checks `Authorization: Bot <token>`, a `DiscordBot (` User-Agent and the JSON Content-Type,
// applies the rate limits (rate_limits.h), URL-decodes `X-Audit-Log-Reason`, hands the request to
// the World and records every call for assertions. Interaction callbacks and their webhooks are
// authorised by the token in their path, as on Discord. Not thread-safe: the simulator's thread.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "sim/rate_limits.h"
#include "sim/world.h"

namespace sim {

struct RecordedCall {
  std::string method;
  std::string path;   // below /api/v10, with the query
  std::string route;  // the template: ids as ":id", tokens as ":token"
  std::string major;  // the id after /channels/, /guilds/ or /webhooks/, else "global"
  int status = 0;
  int code = 0;        // Discord's JSON error code of a refusal
  std::string reason;  // the audit-log reason, URL-decoded
  std::string body;    // the request body
  bool injected_429 = false;
  core::Timestamp at{};
};

class RestApi {
 public:
  using OnDispatch = std::function<void(std::vector<Dispatch>)>;
  // `gateway_bot`: the body of GET /gateway/bot (the URL of the simulator's gateway).
  RestApi(World& world, RateLimits& limits, std::string token,
          std::function<nlohmann::json()> gateway_bot, OnDispatch on_dispatch);

  net::HttpResponse Handle(const net::ServerRequest& request);

  const std::vector<RecordedCall>& calls() const { return calls_; }
  int invalid_requests() const { return invalid_requests_; }

  // The route template and major parameter of a path (as the limiter keys them).
  static std::pair<std::string, std::string> RouteOf(std::string_view path);

 private:
  Answer Route(const std::string& method, const std::vector<std::string>& seg,
               const nlohmann::json& body, const std::string& reason, const std::string& query);

  World& world_;
  RateLimits& limits_;
  std::string token_;
  std::function<nlohmann::json()> gateway_bot_;
  OnDispatch on_dispatch_;
  std::vector<RecordedCall> calls_;
  int invalid_requests_ = 0;
};

// Percent-decoding (`+` stays a plus); malformed escapes are kept as they are.
std::string UrlDecode(std::string_view s);

}  // namespace sim

#include "sim/rest.h"

#include <fmt/format.h>

#include <algorithm>

#include "discord/model/route.h"

namespace sim {
namespace {

using json = nlohmann::json;

std::vector<std::string> Split(std::string_view path) {
  const auto parts = discord::SplitPath(path);
  return {parts.begin(), parts.end()};
}

net::HttpResponse ToHttp(const Answer& a,
                         std::vector<std::pair<std::string, std::string>> headers) {
  net::HttpResponse r;
  r.status = a.status;
  r.body = a.body;
  r.headers = std::move(headers);
  if (!a.body.empty()) r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

}  // namespace

std::string UrlDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::pair<std::string, std::string> RestApi::RouteOf(std::string_view path) {
  discord::RoutePath r = discord::NormaliseRoute(path);
  return {std::move(r.path), std::move(r.major)};
}

RestApi::RestApi(World& world, RateLimits& limits, std::string token,
                 std::function<json()> gateway_bot, OnDispatch on_dispatch)
    : world_(world),
      limits_(limits),
      token_(std::move(token)),
      gateway_bot_(std::move(gateway_bot)),
      on_dispatch_(std::move(on_dispatch)) {}

net::HttpResponse RestApi::Handle(const net::ServerRequest& request) {
  RecordedCall call;
  call.method = request.method;
  call.at = world_.clock().Now();
  call.body = request.body;
  call.reason = UrlDecode(request.Header("X-Audit-Log-Reason"));
  const auto finish = [&](const Answer& a,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
    call.status = a.status;
    call.code = a.code;
    if (a.status == 401 || a.status == 403 || (a.status == 429 && !call.injected_429)) {
      ++invalid_requests_;
    }
    calls_.push_back(call);
    if (!a.dispatches.empty() && a.status < 300) on_dispatch_(a.dispatches);
    return ToHttp(a, std::move(headers));
  };

  std::string_view path = request.Path();
  constexpr std::string_view kPrefix = "/api/v10";
  if (!path.starts_with(kPrefix) || (path.size() > kPrefix.size() && path[kPrefix.size()] != '/')) {
    call.path = std::string(path);
    return finish(Answer::Error(404, 0, "404: Not Found"));
  }
  std::string below(request.target.substr(kPrefix.size()));
  call.path = below;
  const std::string query =
      below.find('?') == std::string::npos ? std::string() : below.substr(below.find('?') + 1);
  std::tie(call.route, call.major) = RouteOf(below);
  const std::vector<std::string> seg = Split(below.substr(0, below.find('?')));
  const bool interaction = (!seg.empty() && seg[0] == "interactions") ||
                           (seg.size() >= 3 && seg[0] == "webhooks" &&
                            seg[1] == std::to_string(world_.application_id()));

  if (!interaction && request.Header("Authorization") != "Bot " + token_) {
    return finish(Answer::Error(401, 0, "401: Unauthorized"));
  }
  if (!request.Header("User-Agent").starts_with("DiscordBot (")) {
    return finish(
        Answer::Error(400, 0, "A User-Agent of the form DiscordBot ($url, $version) is required"));
  }
  json body;
  if (!request.body.empty()) {
    if (!request.Header("Content-Type").starts_with("application/json")) {
      return finish(
          Answer::Error(400, 50035, "Invalid Form Body (Content-Type must be application/json)"));
    }
    body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded())
      return finish(Answer::Error(400, 50109, "The request body contains invalid JSON."));
  }

  const LimitDecision limit = limits_.Check(request.method, call.route, call.major, interaction);
  if (limit.limited) {
    call.injected_429 = limit.injected;
    Answer a{429, limit.body, {}, 0};
    return finish(a, limit.headers);
  }
  return finish(Route(request.method, seg, body, call.reason, query), limit.headers);
}

Answer RestApi::Route(const std::string& method, const std::vector<std::string>& s,
                      const json& body, const std::string& reason, const std::string&) {
  const auto is = [&](std::initializer_list<std::string_view> pattern) {
    if (s.size() != pattern.size()) return false;
    std::size_t i = 0;
    for (std::string_view p : pattern) {
      if (p != "*" && p != s[i]) return false;
      ++i;
    }
    return true;
  };
  const auto wrong_method = [] { return Answer::Error(405, 0, "405: Method Not Allowed"); };

  if (is({"gateway", "bot"})) {
    return method == "GET" ? Answer::Json(200, gateway_bot_()) : wrong_method();
  }
  if (is({"users", "*"})) return method == "GET" ? world_.GetUser(s[1]) : wrong_method();
  if (is({"applications", "@me"})) {
    return Answer::Json(
        200, {{"id", std::to_string(world_.application_id())}, {"name", "antispam"}, {"flags", 0}});
  }
  if (is({"guilds", "*", "members", "*"})) {
    if (method == "GET") return world_.GetMember(s[1], s[3]);
    if (method == "PATCH") return world_.ModifyMember(s[1], s[3], body);
    if (method == "DELETE") return world_.Kick(s[1], s[3]);
    return wrong_method();
  }
  if (is({"guilds", "*", "members", "*", "roles", "*"})) {
    if (method == "PUT" || method == "DELETE") {
      return world_.AddMemberRole(s[1], s[3], s[5], method == "PUT");
    }
    return wrong_method();
  }
  if (is({"guilds", "*", "bans", "*"})) {
    if (method == "PUT") return world_.CreateBan(s[1], s[3], body, reason);
    if (method == "DELETE") return world_.RemoveBan(s[1], s[3]);
    return wrong_method();
  }
  if (is({"guilds", "*", "roles"})) return method == "GET" ? world_.GetRoles(s[1]) : wrong_method();
  if (is({"guilds", "*", "channels"})) {
    if (method == "GET") return world_.GetChannels(s[1]);
    if (method == "POST") return world_.CreateChannel(s[1], body);
    return wrong_method();
  }
  if (is({"channels", "*"})) {
    return method == "PATCH" ? world_.ModifyChannel(s[1], body) : wrong_method();
  }
  if (is({"channels", "*", "messages"})) {
    return method == "POST" ? world_.CreateMessage(s[1], body) : wrong_method();
  }
  if (is({"channels", "*", "messages", "bulk-delete"})) {
    return method == "POST" ? world_.BulkDelete(s[1], body) : wrong_method();
  }
  if (is({"channels", "*", "messages", "*"})) {
    if (method == "GET") return world_.GetMessage(s[1], s[3]);
    if (method == "DELETE") return world_.DeleteMessage(s[1], s[3]);
    if (method == "PATCH") return world_.EditMessage(s[1], s[3], body);
    return wrong_method();
  }
  if (is({"channels", "*", "messages", "*", "threads"})) {
    return method == "POST" ? world_.StartThread(s[1], s[3], body) : wrong_method();
  }
  if (is({"channels", "*", "threads"})) {
    return method == "POST" ? world_.StartThread(s[1], std::nullopt, body) : wrong_method();
  }
  if (is({"channels", "*", "thread-members", "*"})) {
    return method == "PUT" ? world_.AddThreadMember(s[1], s[3]) : wrong_method();
  }
  const std::string app = std::to_string(world_.application_id());
  if (is({"applications", "*", "commands"}) && s[1] == app) {
    return method == "PUT" ? world_.OverwriteCommands(std::nullopt, body) : wrong_method();
  }
  if (is({"applications", "*", "guilds", "*", "commands"}) && s[1] == app) {
    return method == "PUT" ? world_.OverwriteCommands(s[3], body) : wrong_method();
  }
  if (is({"interactions", "*", "*", "callback"})) {
    return method == "POST" ? world_.InteractionCallback(s[1], s[2], body) : wrong_method();
  }
  if (is({"webhooks", "*", "*"}) && s[1] == app) {
    return method == "POST" ? world_.Followup(s[2], body) : wrong_method();
  }
  if (is({"webhooks", "*", "*", "messages", "@original"}) && s[1] == app) {
    return method == "PATCH" ? world_.EditOriginal(s[2], body) : wrong_method();
  }
  return Answer::Error(404, 0, "404: Not Found");
}

}  // namespace sim

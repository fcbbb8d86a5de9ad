#include "discord/rest/errors.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

namespace discord::rest {

core::Error ErrorFromResponse(std::string_view method, std::string_view route, int status,
                              std::string_view body) {
  int code = 0;
  std::string message;
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    if (auto c = j.find("code"); c != j.end() && c->is_number_integer()) code = c->get<int>();
    if (auto m = j.find("message"); m != j.end() && m->is_string()) {
      message = m->get<std::string>().substr(0, 200);
    }
  }
  if (message.empty()) message = status == 429 ? "rate limited" : fmt::format("HTTP {}", status);

  core::ErrorCode kind = core::ErrorCode::kInvalidArgument;
  if (status == 401 || status == 403 || code == api_code::kMissingAccess ||
      code == api_code::kMissingPermissions) {
    kind = core::ErrorCode::kPermissionDenied;
  } else if (status == 404 || (code >= 10000 && code < 20000)) {
    kind = core::ErrorCode::kNotFound;
  } else if (code == api_code::kAlreadyAcknowledged) {
    kind = core::ErrorCode::kConflict;
  } else if (status == 429 || status >= 500) {
    kind = core::ErrorCode::kUnavailable;
  }
  std::string text = code != 0 ? fmt::format("Discord refused {} {}: {} ({}, HTTP {})", method,
                                             route, message, code, status)
                               : fmt::format("Discord refused {} {}: {} (HTTP {})", method, route,
                                             message, status);
  if (status == 401) text += "; the bot token was rejected, so no further requests are sent";
  return core::Error{kind, std::move(text), code != 0 ? std::to_string(code) : std::string()};
}

int ApiCode(const core::Error& error) {
  int code = 0;
  const std::string& s = error.subject;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), code);
  if (ec != std::errc() || end != s.data() + s.size() || code < 10000) return 0;
  return code;
}

}  // namespace discord::rest

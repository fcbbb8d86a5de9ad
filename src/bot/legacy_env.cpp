#include "bot/legacy_env.h"

#include <string>

namespace bot {
namespace {

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// The value shown in an error: long values are cut, control characters escaped.
std::string Shown(std::string_view value) {
  constexpr std::size_t kMax = 40;
  std::string out;
  for (char c : value.substr(0, kMax)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  if (value.size() > kMax) out += "...";
  return out;
}

// nullopt when unset; the id otherwise.
template <class IdT>
core::Result<std::optional<IdT>> Read(const std::function<const char*(const char*)>& lookup,
                                      std::string_view name, std::string_view kind) {
  const char* raw = lookup(std::string(name).c_str());
  if (raw == nullptr) return std::nullopt;
  const std::string_view value = Trim(raw);
  if (value.empty()) return std::nullopt;
  auto id = IdT::Parse(value);
  if (!id || id->value() == 0) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      std::string(name) + "=\"" + Shown(raw) + "\" is not a " + std::string(kind) +
                          " (1-20 decimal digits, not 0)",
                      std::string(name));
  }
  return std::optional<IdT>(*id);
}

}  // namespace

bool LegacyEnv::empty() const {
  return !restricted_role && !admin_channel && !verification_channel && !notification_role;
}

core::Result<LegacyEnv> ReadLegacyEnv(const std::function<const char*(const char*)>& lookup) {
  LegacyEnv env;
  auto restricted = Read<core::RoleId>(lookup, kLegacyEnvNames[0], "role id");
  if (!restricted) return std::unexpected(restricted.error());
  env.restricted_role = *restricted;
  auto admin = Read<core::ChannelId>(lookup, kLegacyEnvNames[1], "channel id");
  if (!admin) return std::unexpected(admin.error());
  env.admin_channel = *admin;
  auto verification = Read<core::ChannelId>(lookup, kLegacyEnvNames[2], "channel id");
  if (!verification) return std::unexpected(verification.error());
  env.verification_channel = *verification;
  auto notification = Read<core::RoleId>(lookup, kLegacyEnvNames[3], "role id");
  if (!notification) return std::unexpected(notification.error());
  env.notification_role = *notification;
  return env;
}

}  // namespace bot

// impersonation_name: a username or display name that claims to be staff or a brand (moderator,
// support, admin, nitro, official, discord staff), compared in skeleton form so "ＭоdеrаtоR" and
// "supp0rt" count.
#include <array>

#include "detect/detail/context.h"

namespace detect::detail {
namespace {

constexpr std::array<std::string_view, 11> kClaims{
    "moderator", "support",      "admin",       "administrator",    "nitro",   "official",
    "staff",     "discord team", "discordteam", "trust and safety", "helpdesk"};

bool IsLetter(char ch) {
  return (ch >= 'a' && ch <= 'z') || static_cast<unsigned char>(ch) >= 0x80;
}

// A claim as a whole word: "admin", "discord_admin", "nitro-support", but not "badminton".
std::string_view Claim(std::string_view name) {
  if (name.empty()) return {};
  const std::string s = Normalize(name).skeleton;
  for (std::string_view c : kClaims) {
    for (std::size_t at = s.find(c); at != std::string::npos; at = s.find(c, at + 1)) {
      const bool left = at == 0 || !IsLetter(s[at - 1]);
      const bool right = at + c.size() == s.size() || !IsLetter(s[at + c.size()]);
      if (left && right) return c;
    }
  }
  return {};
}

}  // namespace

void CheckImpersonation(const Author& a, const CompiledPolicy& /*p*/, Findings& f) {
  for (std::string_view name : {a.username, a.global_name}) {
    const std::string_view claim = Claim(name);
    if (!claim.empty()) {
      f.Fire(SignalCode::kImpersonationName, 1.0,
             "the name claims to be \"" + std::string(claim) + "\"", name.substr(0, 100));
      return;
    }
  }
}

}  // namespace detect::detail

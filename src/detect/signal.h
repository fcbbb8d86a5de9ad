// Named signals: every check the engine runs reports under one of these codes, with evidence, so
// any verdict can be explained in the admin embed and the dashboard. The names are stable (they are
// stored in detection_events.reasons and used as policy keys); add codes at the end.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace detect {

enum class SignalCode : std::uint8_t {
  kMessageRate,         // more than N messages in T seconds (per guild and user)
  kDuplicate,           // the same or nearly the same message repeated by one user
  kRaidText,            // the same text from many users in a short window
  kMassMention,         // many user/role mentions in one message
  kEveryoneMention,     // @everyone / @here (attempted or resolved)
  kInviteLink,          // a Discord invite
  kPhishingDomain,      // a host (or host + path) on the phishing lists
  kSuspiciousDomain,    // a host on the unconfirmed list
  kLookalikeDomain,     // a host imitating a brand (disc0rd-gift.com) that is not the brand's
  kKeyword,             // a suspicious keyword (defaults plus the guild's own)
  kScamPhrase,          // a phrase from the scam phrase lists
  kScamLinkPath,        // a link path used by scam sites (/claim-nitro, /airdrop)
  kMaskedLinkMismatch,  // [shown host](different host)
  kNewAccount,          // account younger than N days
  kNewMember,           // joined the guild less than N days ago
  kFirstMessageLink,    // a link among a new member's first messages
  kCapsFlood,
  kZalgo,
  kEmojiFlood,
  kJoinBurst,          // raid mode: many joins in a short window
  kImpersonationName,  // username/display name claims staff or brand (moderator, support, nitro)
  kDefaultAvatar,      // no avatar, on a fresh account
  kEvasion,     // obfuscation: invisible characters, mixed-script look-alikes, defanged links
  kClassifier,  // the local model's spam probability
  kLlm,         // the LLM's opinion
  kHistory,     // prior detections (raises) or prior false positives and good reputation (lowers)
  kSelfPromotion,  // asks readers to subscribe to, follow, like or visit the writer's own content
};
inline constexpr std::size_t kSignalCount =
    static_cast<std::size_t>(SignalCode::kSelfPromotion) + 1;

std::string_view Name(SignalCode code);  // "message_rate"
std::optional<SignalCode> SignalFromName(std::string_view name);

struct Signal {
  SignalCode code;
  double weight = 0;  // effective contribution in [-1, 1] (policy weight x strength)
  double strength =
      0;               // how strongly the check fired, in [-1, 1] (negative: evidence of innocence)
  std::string reason;  // for people: "7 messages in 10 s (limit 5)"
  std::string evidence;  // the matched thing: a host, a phrase, a count; at most 200 bytes
};

}  // namespace detect

// What every signal check sees (internal to the engine).
#pragma once

#include <string>
#include <vector>

#include "detect/detail/host_memo.h"
#include "detect/detail/state.h"
#include "detect/links.h"
#include "detect/lists.h"
#include "detect/normalize.h"
#include "detect/policy.h"
#include "detect/sample.h"
#include "detect/signal.h"

namespace detect::detail {

// Collects fired signals, applying the policy's weight. A signal whose weight is 0 is off.
class Findings {
 public:
  explicit Findings(const CompiledPolicy& policy) : policy_(policy) {}
  // `strength` in [0, 1] scales the policy weight; evidence is cut to 200 bytes.
  void Fire(SignalCode code, double strength, std::string reason, std::string_view evidence = {});
  bool Has(SignalCode code) const { return (fired_ >> static_cast<unsigned>(code)) & 1; }
  std::vector<Signal>& signals() { return signals_; }

 private:
  static_assert(kSignalCount <= 64);
  const CompiledPolicy& policy_;
  std::vector<Signal> signals_;
  std::uint64_t fired_ = 0;  // a bit per code in signals_
};

// The scam phrases and the policy's keywords found in a message's skeleton: one scan for a guild
// on the default keywords (they share the lists' database), two for a guild with its own.
struct TextHits {
  std::vector<const std::string*> phrases;          // scam phrases, at most 4
  std::vector<const std::string*> keywords;         // the policy's keywords, at most 4
  std::vector<const std::string*> promotion;        // self-promotion phrases, at most 4
  std::vector<const std::string*> promotion_hints;  // and hints ("my channel"), at most 4
  std::vector<std::uint32_t> ids;                   // scratch for the scans
};
void FindTextHits(std::string_view skeleton, const CompiledPolicy& policy, const Lists& lists,
                  TextHits& out);

struct MessageContext {
  const MessageSample& sample;
  const Normalized& norm;
  const LinkScan& links;
  const CompiledPolicy& policy;
  const Lists& lists;
  GuildState& guild;
  MemberState& member;
  Tick now;
  std::uint64_t letters_hash;  // hash of the skeleton's letters only (0: too short to compare)
  HostMemo& hosts;             // the engine's, for facts about a host alone
  const TextHits& hits;
  std::uint32_t trusted_links;  // bit i: the host of links.links[i] (or a parent) is trusted
  bool Trusted(std::size_t link) const { return (trusted_links >> link) & 1; }
};

struct JoinContext {
  const JoinSample& sample;
  const CompiledPolicy& policy;
  GuildState& guild;
  Tick now;
};

// One function per signal file (detect/signals/<name>.cpp).
void CheckMessageRate(const MessageContext& c, Findings& f);
void CheckDuplicate(const MessageContext& c, Findings& f);
void CheckRaidText(const MessageContext& c, Findings& f);
void CheckMassMention(const MessageContext& c, Findings& f);
void CheckEveryoneMention(const MessageContext& c, Findings& f);
void CheckInviteLink(const MessageContext& c, Findings& f);
void CheckPhishingDomain(const MessageContext& c, Findings& f);  // and suspicious_domain
void CheckLookalikeDomain(const MessageContext& c, Findings& f);
void CheckKeywords(const MessageContext& c, Findings& f);
void CheckScamPhrases(const MessageContext& c, Findings& f);  // and scam_link_path
void CheckMaskedLink(const MessageContext& c, Findings& f);
void CheckAccountAge(const Author& a, core::Timestamp now, const CompiledPolicy& p, Findings& f);
void CheckNewMember(const MessageContext& c, Findings& f);  // and first_message_link
void CheckCapsFlood(const MessageContext& c, Findings& f);
void CheckZalgo(const MessageContext& c, Findings& f);
void CheckEmojiFlood(const MessageContext& c, Findings& f);
void CheckEvasion(const MessageContext& c, Findings& f);
void CheckHistory(const Author& a, Findings& f);
void CheckSelfPromotion(const MessageContext& c, Findings& f);
void CheckJoinBurst(const JoinContext& c, Findings& f, std::vector<core::UserId>& raid_members);
void CheckImpersonation(const Author& a, const CompiledPolicy& p, Findings& f);
void CheckDefaultAvatar(const Author& a, core::Timestamp now, const CompiledPolicy& p, Findings& f);

}  // namespace detect::detail

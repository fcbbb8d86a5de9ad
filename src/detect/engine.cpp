#include "detect/engine.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "detect/detail/context.h"
#include "detect/detail/state.h"
#include "detect/links.h"
#include "detect/normalize.h"

namespace detect {

namespace detail {

void Findings::Fire(SignalCode code, double strength, std::string reason,
                    std::string_view evidence) {
  const double w = policy_.weight(code);
  if (w == 0 || strength == 0) return;
  strength = std::clamp(strength, -1.0, 1.0);
  Signal s;
  s.code = code;
  s.strength = strength;
  s.weight = std::clamp(w * strength, -1.0, 1.0);
  s.reason = std::move(reason);
  std::string_view e = evidence.substr(0, 200);
  // Do not cut a UTF-8 sequence in half.
  while (!e.empty() && e.size() < evidence.size() &&
         (static_cast<unsigned char>(evidence[e.size()]) & 0xC0) == 0x80) {
    e.remove_suffix(1);
  }
  s.evidence.assign(e);
  fired_ |= std::uint64_t{1} << static_cast<unsigned>(code);
  // A flagged message usually fires several: room for them at once, not one reallocation each.
  if (signals_.empty()) signals_.reserve(4);
  signals_.push_back(std::move(s));
}

}  // namespace detail

namespace {

constexpr auto kStateTtl = std::chrono::minutes(15);
constexpr std::uint64_t kExpireEvery = 4096;
// Shorter messages ("ok", "lol") are never called duplicates or raid texts.
constexpr int kMinLettersToCompare = 5;

// Bots and moderators are not judged.
Verdict Exempt(Trigger trigger) {
  Verdict v;
  v.trigger = trigger;
  v.exempt = true;
  v.certainty = 1;
  return v;
}

double SignalReliability(const Signal& s, double classifier_p) {
  switch (s.code) {
    case SignalCode::kClassifier:
      return std::clamp(std::abs(2 * classifier_p - 1), 0.0, 0.95);
    case SignalCode::kLlm:
      return std::clamp(std::abs(s.strength), 0.0, 0.95);
    default:
      return Reliability(s.code) * std::abs(s.strength);
  }
}

}  // namespace

std::string_view ToString(Trigger t) { return t == Trigger::kJoin ? "join" : "message"; }

bool Verdict::Has(SignalCode code) const {
  return std::any_of(signals.begin(), signals.end(),
                     [code](const Signal& s) { return s.code == code; });
}

std::string Verdict::Summary() const {
  std::string out =
      fmt::format(FMT_COMPILE("{} risk={:.2f} certainty={:.2f} action={} trigger={}"),
                  ToString(level), risk, certainty, ToString(action), ToString(trigger));
  if (exempt) out += " exempt";
  if (llm_used) out += " llm";
  for (const Signal& s : signals) {
    out += fmt::format(FMT_COMPILE(" {}({:+.2f}"), Name(s.code), s.weight);
    if (!s.evidence.empty()) out += ": " + s.evidence;
    out += ')';
  }
  return out;
}

Engine::Engine(std::shared_ptr<const Lists> lists)
    : hosts_(std::make_unique<detail::HostMemo>()),
      text_hits_(std::make_unique<detail::TextHits>()),
      lists_(std::move(lists)) {}
Engine::~Engine() = default;

void Engine::SetLists(std::shared_ptr<const Lists> lists) {
  if (!lists) return;
  lists_ = std::move(lists);
  hosts_->Clear();  // its lists' facts point into the old lists
}

void Engine::SetClassifier(std::shared_ptr<const TextClassifier> classifier) {
  classifier_ = std::move(classifier);
}

void Engine::SetPolicy(core::GuildId guild, std::shared_ptr<const CompiledPolicy> policy) {
  if (!policy) policy = CompiledPolicy::Default();
  policies_[guild.value()] = policy;
  if (auto it = guilds_.find(guild.value()); it != guilds_.end())
    it->second->policy = std::move(policy);
}

std::shared_ptr<const CompiledPolicy> Engine::PolicyOf(core::GuildId guild) const {
  auto it = policies_.find(guild.value());
  return it == policies_.end() ? CompiledPolicy::Default() : it->second;
}

detail::GuildState& Engine::Guild(core::GuildId id) {
  // A direct-mapped cache in front of the map: a guild's state never moves (it is held by pointer)
  // and is only dropped all at once, with the cache.
  auto& cached = guild_cache_[(id.value() * 0x9E3779B97F4A7C15ULL) >> 58];
  if (cached.second != nullptr && cached.first == id.value()) return *cached.second;
  auto& slot = guilds_[id.value()];
  if (!slot) {
    slot = std::make_unique<detail::GuildState>();
    slot->policy = PolicyOf(id);
  }
  cached = {id.value(), slot.get()};
  return *slot;
}

std::uint32_t Engine::TickOf(core::Timestamp at) {
  // Ticks are 10 ms since an epoch a second before the first sample. Past 2^31 ticks (248 days)
  // the state is dropped and the epoch moved: every window is far shorter than that.
  if (!epoch_ || (at - *epoch_).count() / detail::kTickMicros >= (std::int64_t{1} << 31)) {
    if (epoch_) {
      guilds_.clear();
      guild_cache_.fill({0, nullptr});
    }
    epoch_ = at - std::chrono::seconds(1);
  }
  const std::int64_t t = (at - *epoch_).count() / detail::kTickMicros;
  return t < 0 ? 0 : static_cast<std::uint32_t>(t);
}

void Engine::MaybeExpire(core::Timestamp at) {
  if (++since_expiry_ >= kExpireEvery) Expire(at);
}

void Engine::Expire(core::Timestamp now) {
  since_expiry_ = 0;
  if (!epoch_) return;
  const std::int64_t now_ticks = (now - *epoch_).count() / detail::kTickMicros;
  const std::int64_t ttl =
      std::chrono::duration_cast<std::chrono::microseconds>(kStateTtl).count() /
      detail::kTickMicros;
  for (auto& [id, g] : guilds_) {
    g->members.EraseIf([&](const detail::MemberState& m) { return now_ticks - m.last > ttl; });
  }
}

EngineStats Engine::Stats() const {
  EngineStats s;
  s.guilds = guilds_.size();
  s.messages = messages_;
  s.joins = joins_;
  // A node of std::unordered_map holds the next pointer, the value and the cached hash; malloc
  // rounds it up to 16 bytes and adds 8 of its own.
  auto node = [](std::size_t value) { return (8 + value + 8 + 8 + 15) / 16 * 16; };
  for (const auto& [id, g] : guilds_) {
    s.members += g->members.size();
    s.texts += g->texts.used();
    // The guild state (with its fixed raid-text table) and its map node, and the members' table
    // with its spare capacity.
    s.state_bytes += node(sizeof(detail::GuildState)) + node(sizeof(void*)) + g->members.bytes();
  }
  return s;
}

void Engine::Score(Verdict& v, const CompiledPolicy& policy) const {
  const double classifier_p = v.spam_probability;
  const PolicyData& p = policy.data();
  if (v.signals.size() > 1) {
    std::sort(v.signals.begin(), v.signals.end(),
              [](const Signal& a, const Signal& b) { return a.weight > b.weight; });
  }
  double keep = 1, damp = 1, doubt = 1;
  for (const Signal& s : v.signals) {
    if (s.weight > 0) {
      keep *= 1 - s.weight;
      doubt *= 1 - SignalReliability(s, classifier_p);
    } else {
      damp *= 1 + s.weight;
    }
  }
  v.risk = std::clamp((1 - keep) * damp, 0.0, 1.0);
  v.level = v.risk >= p.high_risk     ? Level::kHigh
            : v.risk >= p.medium_risk ? Level::kMedium
                                      : Level::kLow;
  if (v.level == Level::kLow) {
    // Sure it is clean when nothing (or little) fired and the content checks agree.
    const double clean = classifier_p >= 0 ? std::clamp(1 - classifier_p, 0.5, 0.99) : 0.7;
    v.certainty = clean * (1 - 0.5 * v.risk / p.medium_risk);
  } else {
    v.certainty = 1 - doubt;
  }
  v.certainty = std::clamp(v.certainty, 0.0, 1.0);
  v.action = Action::kNone;
  for (const CompiledPolicy::ActionStep& step : policy.action_steps()) {
    if (!(v.risk >= step.risk)) break;
    v.action = step.action;
  }
  v.llm_recommended = !v.llm_used && p.llm_enabled &&
                      ((v.risk >= p.llm_min_risk && v.risk < p.llm_max_risk) ||
                       (p.llm_on_new_accounts && v.Has(SignalCode::kNewAccount)));
}

Verdict Engine::Judge(const MessageSample& sample) {
  ++messages_;
  if (sample.author.is_bot || sample.author.is_moderator) return Exempt(Trigger::kMessage);
  Verdict v;
  v.trigger = Trigger::kMessage;
  const detail::Tick now = TickOf(sample.at);
  detail::GuildState& guild = Guild(sample.guild);
  const CompiledPolicy& policy = *guild.policy;
  // The member's state and the guild's recent texts are mostly out of the cache (thousands of
  // members): their loads are started early and overlap the text work.
  guild.members.PrefetchHome(sample.author.id.value());
  NormalizeInto(sample.text, scratch_);
  const Normalized& norm = scratch_;
  const std::uint64_t print = norm.letter_count >= kMinLettersToCompare ? norm.letter_print : 0;
  if (print != 0) guild.texts.Prefetch(print);
  guild.members.PrefetchState(sample.author.id.value());
  const LinkScan links = ExtractLinks(norm.text, lists_->tlds());
  detail::FindTextHits(norm.skeleton, policy, *lists_, *text_hits_);
  detail::MemberState& member = guild.members[sample.author.id.value()];
  member.last = now;
  if (member.seen < UINT16_MAX) ++member.seen;
  // Whether each link goes somewhere the guild trusts: asked once here, not by every check.
  static_assert(kMaxLinksPerMessage <= 32);
  std::uint32_t trusted = 0;
  for (std::size_t i = 0; i < links.links.size(); ++i)
    trusted |= std::uint32_t{policy.IsTrustedHost(links.links[i].host)} << i;
  const detail::MessageContext c{sample, norm, links, policy,  *lists_,     guild,
                                 member, now,  print, *hosts_, *text_hits_, trusted};
  detail::Findings f(policy);
  // Behaviour first (cheap, and they must see every message to keep their windows right).
  detail::CheckMessageRate(c, f);
  detail::CheckDuplicate(c, f);
  detail::CheckRaidText(c, f);
  detail::CheckMassMention(c, f);
  detail::CheckEveryoneMention(c, f);
  detail::CheckAccountAge(sample.author, sample.at, policy, f);
  detail::CheckNewMember(c, f);
  detail::CheckHistory(sample.author, f);
  // Content.
  if (!links.links.empty()) {
    detail::CheckInviteLink(c, f);
    detail::CheckPhishingDomain(c, f);
    detail::CheckLookalikeDomain(c, f);
    detail::CheckMaskedLink(c, f);
  }
  detail::CheckKeywords(c, f);
  detail::CheckScamPhrases(c, f);
  detail::CheckSelfPromotion(c, f);
  detail::CheckCapsFlood(c, f);
  detail::CheckZalgo(c, f);
  detail::CheckEmojiFlood(c, f);
  detail::CheckEvasion(c, f);

  v.signals = std::move(f.signals());
  Score(v, policy);
  // The local model, unless the answer is already HIGH (it could only add to it).
  if (classifier_ && v.level != Level::kHigh && !norm.text.empty()) {
    const double p = std::clamp(classifier_->SpamProbability(norm.text), 0.0, 1.0);
    if (p > 0.5) {
      // Piecewise linear: 0 at p = 0.5, exactly level MEDIUM at classifier.spam_at, full at 1.
      const PolicyData& d = policy.data();
      const double w = policy.weight(SignalCode::kClassifier);
      const double at_threshold = w > 0 ? std::min(1.0, d.medium_risk / w) : 1.0;
      const double strength = p < d.classifier_spam_at
                                  ? at_threshold * (p - 0.5) / (d.classifier_spam_at - 0.5)
                                  : at_threshold + (1 - at_threshold) * (p - d.classifier_spam_at) /
                                                       (1 - d.classifier_spam_at);
      detail::Findings more(policy);
      more.Fire(SignalCode::kClassifier, strength,
                fmt::format(FMT_COMPILE("the local model says spam ({:.0f}%)"), p * 100),
                fmt::format(FMT_COMPILE("{:.3f}"), p));
      for (Signal& s : more.signals()) v.signals.push_back(std::move(s));
    }
    v.spam_probability = p;
    Score(v, policy);
  }
  MaybeExpire(sample.at);
  return v;
}

Verdict Engine::Judge(const JoinSample& sample) {
  ++joins_;
  if (sample.user.is_bot) return Exempt(Trigger::kJoin);
  Verdict v;
  v.trigger = Trigger::kJoin;
  const detail::Tick now = TickOf(sample.at);
  detail::GuildState& guild = Guild(sample.guild);
  const CompiledPolicy& policy = *guild.policy;
  detail::Findings f(policy);
  detail::CheckJoinBurst(detail::JoinContext{sample, policy, guild, now}, f, v.raid_members);
  detail::CheckAccountAge(sample.user, sample.at, policy, f);
  detail::CheckDefaultAvatar(sample.user, sample.at, policy, f);
  detail::CheckImpersonation(sample.user, policy, f);
  detail::CheckHistory(sample.user, f);
  v.signals = std::move(f.signals());
  Score(v, policy);
  MaybeExpire(sample.at);
  return v;
}

Verdict Engine::WithLlm(const Verdict& verdict, const LlmOpinion& opinion,
                        core::GuildId guild) const {
  Verdict v = verdict;
  if (v.exempt) return v;
  const auto policy = PolicyOf(guild);
  detail::Findings f(*policy);
  const double c = std::clamp(opinion.confidence, 0.0, 1.0);
  switch (opinion.label) {
    case LlmOpinion::Label::kSpam:
      f.Fire(SignalCode::kLlm, c, fmt::format(FMT_COMPILE("the LLM says spam ({:.0f}%)"), c * 100),
             opinion.reasons);
      break;
    case LlmOpinion::Label::kSuspicious:
      f.Fire(SignalCode::kLlm, 0.5 * c,
             fmt::format(FMT_COMPILE("the LLM says suspicious ({:.0f}%)"), c * 100),
             opinion.reasons);
      break;
    case LlmOpinion::Label::kNormal:
      f.Fire(SignalCode::kLlm, -0.8 * c,
             fmt::format(FMT_COMPILE("the LLM says normal ({:.0f}%)"), c * 100), opinion.reasons);
      break;
  }
  std::erase_if(v.signals, [](const Signal& s) { return s.code == SignalCode::kLlm; });
  for (Signal& s : f.signals()) v.signals.push_back(std::move(s));
  v.llm_used = true;
  Score(v, *policy);
  return v;
}

}  // namespace detect

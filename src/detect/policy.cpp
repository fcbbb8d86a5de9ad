#include "detect/policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>

#include "detect/links.h"
#include "detect/normalize.h"

namespace detect {
namespace {

struct SignalInfo {
  SignalCode code;
  std::string_view name;
  double weight;
  double reliability;
};

// Weights: what one firing alone contributes to risk. Reliabilities: how often it is right alone.
constexpr std::array<SignalInfo, kSignalCount> kSignals{{
    {SignalCode::kMessageRate, "message_rate", 0.55, 0.70},
    {SignalCode::kDuplicate, "duplicate", 0.45, 0.60},
    {SignalCode::kRaidText, "raid_text", 0.70, 0.85},
    {SignalCode::kMassMention, "mass_mention", 0.60, 0.75},
    {SignalCode::kEveryoneMention, "everyone_mention", 0.40, 0.50},
    {SignalCode::kInviteLink, "invite_link", 0.30, 0.40},
    {SignalCode::kPhishingDomain, "phishing_domain", 0.97, 0.98},
    {SignalCode::kSuspiciousDomain, "suspicious_domain", 0.45, 0.50},
    {SignalCode::kLookalikeDomain, "lookalike_domain", 0.75, 0.85},
    {SignalCode::kKeyword, "keyword", 0.40, 0.60},
    {SignalCode::kScamPhrase, "scam_phrase", 0.60, 0.80},
    {SignalCode::kScamLinkPath, "scam_link_path", 0.35, 0.50},
    {SignalCode::kMaskedLinkMismatch, "masked_link_mismatch", 0.70, 0.85},
    {SignalCode::kNewAccount, "new_account", 0.15, 0.20},
    {SignalCode::kNewMember, "new_member", 0.10, 0.15},
    {SignalCode::kFirstMessageLink, "first_message_link", 0.25, 0.35},
    {SignalCode::kCapsFlood, "caps_flood", 0.15, 0.20},
    {SignalCode::kZalgo, "zalgo", 0.30, 0.50},
    {SignalCode::kEmojiFlood, "emoji_flood", 0.15, 0.25},
    {SignalCode::kJoinBurst, "join_burst", 0.60, 0.60},
    {SignalCode::kImpersonationName, "impersonation_name", 0.30, 0.50},
    {SignalCode::kDefaultAvatar, "default_avatar", 0.10, 0.15},
    {SignalCode::kEvasion, "evasion", 0.35, 0.60},
    {SignalCode::kClassifier, "classifier", 0.80, 0.80},
    {SignalCode::kLlm, "llm", 0.85, 0.85},
    {SignalCode::kHistory, "history", 0.50, 0.30},
    {SignalCode::kSelfPromotion, "self_promotion", 0.70, 0.50},
}};

static_assert([] {
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    if (static_cast<std::size_t>(kSignals[i].code) != i) return false;
  }
  return true;
}());

const SignalInfo& Info(SignalCode c) { return kSignals[static_cast<std::size_t>(c)]; }

core::Result<double> ParseNumber(std::string_view key, std::string_view v, double lo, double hi) {
  double d = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(d) || d < lo || d > hi) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("{} must be a number from {} to {}, not \"{}\"", key, lo, hi, v),
                      std::string(key));
  }
  return d;
}

core::Result<int> ParseInt(std::string_view key, std::string_view v, int lo, int hi) {
  int n = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < lo || n > hi) {
    return core::Fail(
        core::ErrorCode::kInvalidArgument,
        fmt::format("{} must be a whole number from {} to {}, not \"{}\"", key, lo, hi, v),
        std::string(key));
  }
  return n;
}

core::Result<bool> ParseBool(std::string_view key, std::string_view v) {
  if (v == "true" || v == "on" || v == "yes" || v == "1") return true;
  if (v == "false" || v == "off" || v == "no" || v == "0") return false;
  return core::Fail(core::ErrorCode::kInvalidArgument,
                    fmt::format("{} must be true or false, not \"{}\"", key, v), std::string(key));
}

std::vector<std::string> SplitList(std::string_view v) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= v.size()) {
    std::size_t j = v.find(',', i);
    if (j == std::string_view::npos) j = v.size();
    std::string_view item = v.substr(i, j - i);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    i = j + 1;
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string Num(double d) { return fmt::format("{}", d); }

// One settable key: how to read it and how to write it.
struct Setting {
  std::string key;
  std::function<std::string(const PolicyData&)> get;
  std::function<core::Result<void>(PolicyData&, std::string_view key, std::string_view value)> set;
};

Setting NumberSetting(std::string key, double PolicyData::*field, double lo, double hi) {
  return {
      std::move(key), [field](const PolicyData& p) { return Num(p.*field); },
      [field, lo, hi](PolicyData& p, std::string_view k, std::string_view v) -> core::Result<void> {
        auto d = ParseNumber(k, v, lo, hi);
        if (!d) return std::unexpected(d.error());
        p.*field = *d;
        return {};
      }};
}

Setting IntSetting(std::string key, int PolicyData::*field, int lo, int hi) {
  return {
      std::move(key), [field](const PolicyData& p) { return std::to_string(p.*field); },
      [field, lo, hi](PolicyData& p, std::string_view k, std::string_view v) -> core::Result<void> {
        auto n = ParseInt(k, v, lo, hi);
        if (!n) return std::unexpected(n.error());
        p.*field = *n;
        return {};
      }};
}

template <typename Duration>
Setting DurationSetting(std::string key, Duration PolicyData::*field, int lo, int hi) {
  return {
      std::move(key), [field](const PolicyData& p) { return std::to_string((p.*field).count()); },
      [field, lo, hi](PolicyData& p, std::string_view k, std::string_view v) -> core::Result<void> {
        auto n = ParseInt(k, v, lo, hi);
        if (!n) return std::unexpected(n.error());
        p.*field = Duration(*n);
        return {};
      }};
}

Setting BoolSetting(std::string key, bool PolicyData::*field) {
  return {std::move(key), [field](const PolicyData& p) { return p.*field ? "true" : "false"; },
          [field](PolicyData& p, std::string_view k, std::string_view v) -> core::Result<void> {
            auto b = ParseBool(k, v);
            if (!b) return std::unexpected(b.error());
            p.*field = *b;
            return {};
          }};
}

Setting ListSetting(std::string key, std::vector<std::string> PolicyData::*field) {
  return {
      std::move(key), [field](const PolicyData& p) { return JoinList(p.*field); },
      [field](PolicyData& p, std::string_view k, std::string_view v) -> core::Result<void> {
        auto items = SplitList(v);
        if (items.size() > 500) {
          return core::Fail(core::ErrorCode::kInvalidArgument,
                            fmt::format("{} holds at most 500 entries, not {}", k, items.size()),
                            std::string(k));
        }
        for (const auto& s : items) {
          if (s.size() > 100) {
            return core::Fail(core::ErrorCode::kInvalidArgument,
                              fmt::format("{}: entries are at most 100 bytes", k), std::string(k));
          }
        }
        p.*field = std::move(items);
        return {};
      }};
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> settings = [] {
    std::vector<Setting> s;
    for (const SignalInfo& info : kSignals) {
      const auto i = static_cast<std::size_t>(info.code);
      s.push_back(
          {fmt::format("weight.{}", info.name),
           [i](const PolicyData& p) { return Num(p.weights[i]); },
           [i](PolicyData& p, std::string_view k, std::string_view v) -> core::Result<void> {
             auto d = ParseNumber(k, v, -1.0, 1.0);
             if (!d) return std::unexpected(d.error());
             p.weights[i] = *d;
             return {};
           }});
    }
    s.push_back(NumberSetting("level.medium", &PolicyData::medium_risk, 0, 1));
    s.push_back(NumberSetting("level.high", &PolicyData::high_risk, 0, 1));
    s.push_back(NumberSetting("action.log", &PolicyData::log_risk, 0, 2));
    s.push_back(NumberSetting("action.alert", &PolicyData::alert_risk, 0, 2));
    s.push_back(NumberSetting("action.restrict", &PolicyData::restrict_risk, 0, 2));
    s.push_back(NumberSetting("action.timeout", &PolicyData::timeout_risk, 0, 2));
    s.push_back(NumberSetting("action.kick", &PolicyData::kick_risk, 0, 2));
    s.push_back(NumberSetting("action.ban", &PolicyData::ban_risk, 0, 2));
    s.push_back(IntSetting("rate.max_messages", &PolicyData::rate_max_messages, 1, 15));
    s.push_back(DurationSetting("rate.window_seconds", &PolicyData::rate_window, 1, 300));
    s.push_back(IntSetting("duplicate.count", &PolicyData::duplicate_count, 2, 6));
    s.push_back(DurationSetting("duplicate.window_seconds", &PolicyData::duplicate_window, 1, 600));
    s.push_back(IntSetting("raid_text.users", &PolicyData::raid_text_users, 2, 6));
    s.push_back(DurationSetting("raid_text.window_seconds", &PolicyData::raid_text_window, 1, 600));
    s.push_back(IntSetting("mentions.max", &PolicyData::mass_mentions, 1, 100));
    s.push_back(DurationSetting("new_account.hours", &PolicyData::new_account_age, 0, 24 * 365));
    s.push_back(DurationSetting("new_member.hours", &PolicyData::new_member_age, 0, 24 * 365));
    s.push_back(IntSetting("first_messages.count", &PolicyData::first_messages, 0, 100));
    s.push_back(IntSetting("join_burst.joins", &PolicyData::join_burst_joins, 2, 32));
    s.push_back(
        DurationSetting("join_burst.window_seconds", &PolicyData::join_burst_window, 1, 600));
    s.push_back(IntSetting("caps.min_letters", &PolicyData::caps_min_letters, 1, 10000));
    s.push_back(NumberSetting("caps.ratio", &PolicyData::caps_ratio, 0.1, 1));
    s.push_back(IntSetting("zalgo.marks", &PolicyData::zalgo_marks, 1, 10000));
    s.push_back(IntSetting("emoji.count", &PolicyData::emoji_count, 1, 10000));
    s.push_back(ListSetting("keywords.defaults", &PolicyData::keywords));
    s.push_back(ListSetting("keywords.extra", &PolicyData::extra_keywords));
    s.push_back(ListSetting("trusted_domains", &PolicyData::trusted_domains));
    s.push_back(NumberSetting("classifier.spam_at", &PolicyData::classifier_spam_at, 0.5, 0.99));
    s.push_back(BoolSetting("llm.enabled", &PolicyData::llm_enabled));
    s.push_back(NumberSetting("llm.min_risk", &PolicyData::llm_min_risk, 0, 1));
    s.push_back(NumberSetting("llm.max_risk", &PolicyData::llm_max_risk, 0, 1));
    s.push_back(BoolSetting("llm.new_accounts", &PolicyData::llm_on_new_accounts));
    s.push_back(IntSetting("llm.daily_budget", &PolicyData::llm_daily_budget, 0, 1000000));
    return s;
  }();
  return settings;
}

}  // namespace

std::string_view Name(SignalCode code) { return Info(code).name; }

std::optional<SignalCode> SignalFromName(std::string_view name) {
  for (const SignalInfo& info : kSignals) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

double DefaultWeight(SignalCode code) { return Info(code).weight; }
double Reliability(SignalCode code) { return Info(code).reliability; }

std::string_view ToString(Level l) {
  switch (l) {
    case Level::kLow:
      return "LOW";
    case Level::kMedium:
      return "MEDIUM";
    case Level::kHigh:
      return "HIGH";
  }
  return "?";
}

std::string_view ToString(Action a) {
  switch (a) {
    case Action::kNone:
      return "none";
    case Action::kLog:
      return "log";
    case Action::kAlert:
      return "alert";
    case Action::kRestrict:
      return "restrict";
    case Action::kTimeout:
      return "timeout";
    case Action::kKick:
      return "kick";
    case Action::kBan:
      return "ban";
  }
  return "?";
}

const std::vector<std::string>& DefaultKeywords() {
  // drasil's list (the original plan's detection service).
  static const std::vector<std::string> k{
      "nitro scam",      "free discord nitro", "steam gift",      "gift card",
      "click this link", "claim your prize",   "crypto giveaway", "airdrop",
      "free robux",      "free nitro",         "discord nitro"};
  return k;
}

const std::vector<std::string>& DefaultTrustedDomains() {
  static const std::vector<std::string> d{"discord.com",
                                          "discord.gg",
                                          "discordapp.com",
                                          "discordapp.net",
                                          "discord.media",
                                          "discord.new",
                                          "discord.gift",
                                          "discordstatus.com",
                                          "dis.gd",
                                          "steampowered.com",
                                          "steamcommunity.com",
                                          "github.com",
                                          "githubusercontent.com",
                                          "gitlab.com",
                                          "youtube.com",
                                          "youtu.be",
                                          "twitch.tv",
                                          "twitter.com",
                                          "x.com",
                                          "reddit.com",
                                          "wikipedia.org",
                                          "google.com",
                                          "imgur.com",
                                          "tenor.com",
                                          "giphy.com",
                                          "spotify.com",
                                          "roblox.com",
                                          "epicgames.com",
                                          "microsoft.com",
                                          "apple.com",
                                          "stackoverflow.com",
                                          "mozilla.org",
                                          "python.org",
                                          "npmjs.com",
                                          "crates.io"};
  return d;
}

PolicyData PolicyData::Defaults() {
  PolicyData p;
  for (const SignalInfo& info : kSignals)
    p.weights[static_cast<std::size_t>(info.code)] = info.weight;
  p.keywords = DefaultKeywords();
  p.trusted_domains = DefaultTrustedDomains();
  return p;
}

core::Result<void> PolicyData::Set(std::string_view key, std::string_view value) {
  for (const Setting& s : Settings()) {
    if (s.key == key) return s.set(*this, key, value);
  }
  return core::Fail(
      core::ErrorCode::kNotFound,
      fmt::format("unknown setting \"{}\" (see the settable keys in docs/detection.md)", key),
      std::string(key));
}

std::vector<std::pair<std::string, std::string>> PolicyData::Describe() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Setting& s : Settings()) out.emplace_back(s.key, s.get(*this));
  return out;
}

core::Result<std::shared_ptr<const CompiledPolicy>> CompiledPolicy::Compile(PolicyData data) {
  auto invalid = [](std::string message, std::string subject) {
    return core::Fail(core::ErrorCode::kInvalidArgument, std::move(message), std::move(subject));
  };
  if (!(data.medium_risk < data.high_risk)) {
    return invalid(fmt::format("level.medium ({}) must be below level.high ({})", data.medium_risk,
                               data.high_risk),
                   "level.medium");
  }
  const std::array<std::pair<std::string_view, double>, 6> actions{{
      {"action.log", data.log_risk},
      {"action.alert", data.alert_risk},
      {"action.restrict", data.restrict_risk},
      {"action.timeout", data.timeout_risk},
      {"action.kick", data.kick_risk},
      {"action.ban", data.ban_risk},
  }};
  double last = 0;
  std::string_view last_key = "0";
  for (const auto& [key, v] : actions) {
    if (v > 1) continue;  // disabled
    if (v < last) {
      return invalid(
          fmt::format("{} ({}) must not be below {} ({}): stronger actions need more risk", key, v,
                      last_key, last),
          std::string(key));
    }
    last = v;
    last_key = key;
  }
  if (!(data.llm_min_risk < data.llm_max_risk)) {
    return invalid(fmt::format("llm.min_risk ({}) must be below llm.max_risk ({})",
                               data.llm_min_risk, data.llm_max_risk),
                   "llm.min_risk");
  }
  for (double w : data.weights) {
    if (!std::isfinite(w) || w < -1 || w > 1)
      return invalid("weights must be from -1 to 1", "weight");
  }
  std::shared_ptr<CompiledPolicy> p(new CompiledPolicy());
  p->default_keywords_ = data.keywords == DefaultKeywords() && data.extra_keywords.empty();
  std::vector<std::string> keywords;
  for (const auto* list : {&data.keywords, &data.extra_keywords}) {
    for (const std::string& k : *list) keywords.push_back(Normalize(k).skeleton);
  }
  std::vector<std::string> compact;
  for (const std::string& k : keywords) {
    std::string c;
    for (char ch : k) {
      if (ch != ' ') c.push_back(ch);
    }
    compact.push_back(std::move(c));
  }
  auto matcher = PhraseMatcher::Compile(std::move(keywords));
  if (!matcher) return std::unexpected(matcher.error());
  p->keywords_ = std::move(*matcher);
  auto compact_matcher = PhraseMatcher::Compile(std::move(compact));
  if (!compact_matcher) return std::unexpected(compact_matcher.error());
  p->compact_keywords_ = std::move(*compact_matcher);
  for (const std::string& d : data.trusted_domains) {
    std::string h = CanonicalHost(Normalize(d).text);
    if (h.empty()) {
      return invalid(fmt::format("trusted_domains: \"{}\" is not a host name", d),
                     "trusted_domains");
    }
    p->trusted_.insert(std::move(h));
  }
  std::array<ActionStep, 6> steps{{{data.log_risk, Action::kLog},
                                   {data.alert_risk, Action::kAlert},
                                   {data.restrict_risk, Action::kRestrict},
                                   {data.timeout_risk, Action::kTimeout},
                                   {data.kick_risk, Action::kKick},
                                   {data.ban_risk, Action::kBan}}};
  std::stable_sort(steps.begin(), steps.end(),
                   [](const ActionStep& a, const ActionStep& b) { return a.risk < b.risk; });
  Action strongest = Action::kNone;
  for (const ActionStep& s : steps) {
    if (s.risk > 1) continue;  // disabled
    strongest = std::max(strongest, s.action);
    p->action_steps_[p->action_step_count_++] = {s.risk, strongest};
  }
  p->data_ = std::move(data);
  return std::shared_ptr<const CompiledPolicy>(std::move(p));
}

std::shared_ptr<const CompiledPolicy> CompiledPolicy::Default() {
  static const std::shared_ptr<const CompiledPolicy> p = [] {
    auto c = Compile(PolicyData::Defaults());
    if (!c) std::abort();  // the defaults are tested; failing here is a build defect
    return *c;
  }();
  return p;
}

bool CompiledPolicy::IsTrustedHost(std::string_view host) const {
  while (true) {
    if (trusted_.contains(host)) return true;
    const std::size_t dot = host.find('.');
    if (dot == std::string_view::npos) return false;
    host.remove_prefix(dot + 1);
  }
}

}  // namespace detect

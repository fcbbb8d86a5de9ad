// Per-guild policy: signal weights, thresholds, windows and lists, as data. The defaults are
// defined once (PolicyData's initialisers and DefaultWeight); a guild's settings override them key
// by key (Set), and Compile checks the whole and builds the immutable form every message of the
// guild shares.
//
// Scoring. Each fired signal contributes weight x strength (strength in [0, 1], e.g. how far past
// the rate limit). Positive contributions combine like independent pieces of evidence:
// risk = 1 - prod(1 - w_i); negative ones (good history) then scale the result: risk *= prod(1 +
// w_j). So risk stays in [0, 1], one strong signal is enough, and weak ones add up without ever
// reaching 1.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "core/strings.h"
#include "detect/matcher.h"
#include "detect/signal.h"

namespace detect {

enum class Level : std::uint8_t { kLow, kMedium, kHigh };
enum class Action : std::uint8_t { kNone, kLog, kAlert, kRestrict, kTimeout, kKick, kBan };
std::string_view ToString(Level l);
std::string_view ToString(Action a);

// The weight each signal has unless a guild says otherwise, in [-1, 1].
double DefaultWeight(SignalCode code);
// How often a signal, when it fires, is right on its own (for certainty, not for risk).
double Reliability(SignalCode code);

// drasil's keyword list, matched on normalised text.
const std::vector<std::string>& DefaultKeywords();
// Hosts that are never look-alikes and whose links are never "first message" links.
const std::vector<std::string>& DefaultTrustedDomains();

struct PolicyData {
  std::array<double, kSignalCount> weights{};  // filled from DefaultWeight by Defaults()

  double medium_risk = 0.40;  // level MEDIUM from here
  double high_risk = 0.75;    // level HIGH from here
  // The least risk for each action; an action is disabled by a threshold above 1.
  double log_risk = 0.25;
  double alert_risk = 0.40;
  double restrict_risk = 0.60;
  double timeout_risk = 2.0;  // off by default: restricting + a verification thread is the workflow
  double kick_risk = 2.0;
  double ban_risk = 2.0;

  int rate_max_messages = 5;                  // more than this many...
  std::chrono::seconds rate_window{10};       // ...in this window fires message_rate
  int duplicate_count = 3;                    // this many (near-)identical messages...
  std::chrono::seconds duplicate_window{60};  // ...within this window
  int raid_text_users = 3;                    // this many users sending one text...
  std::chrono::seconds raid_text_window{30};  // ...within this window
  int mass_mentions = 5;                      // user + role mentions in one message
  std::chrono::hours new_account_age{24 * 7};
  std::chrono::hours new_member_age{24 * 3};
  int first_messages = 3;  // a new member's first N messages are watched for links
  int join_burst_joins = 10;
  std::chrono::seconds join_burst_window{60};
  int caps_min_letters = 20;
  double caps_ratio = 0.7;
  int zalgo_marks = 12;
  int emoji_count = 15;

  std::vector<std::string> keywords;         // Defaults(): DefaultKeywords()
  std::vector<std::string> extra_keywords;   // the guild's own
  std::vector<std::string> trusted_domains;  // Defaults(): DefaultTrustedDomains()

  // The local model's spam probability at which it alone reaches level MEDIUM; below 0.5 it adds
  // nothing, above this it rises to its full weight at 1.
  double classifier_spam_at = 0.65;

  bool llm_enabled = true;
  double llm_min_risk = 0.20;        // the grey zone the LLM may be asked about...
  double llm_max_risk = 0.75;        // ...risk in [min, max)
  bool llm_on_new_accounts = false;  // also ask about any message from a new account
  int llm_daily_budget = 200;        // calls per guild per day

  static PolicyData Defaults();

  // Sets one setting by its name ("weight.phishing_domain", "rate.max_messages",
  // "threshold.restrict", "keywords.extra", ...), with the value as text. Errors name the key and
  // say what is allowed; nothing changes on error.
  core::Result<void> Set(std::string_view key, std::string_view value);
  // Every settable key with its current value, in a stable order.
  std::vector<std::pair<std::string, std::string>> Describe() const;
};

// The immutable, compiled form shared by every message of a guild.
class CompiledPolicy {
 public:
  static core::Result<std::shared_ptr<const CompiledPolicy>> Compile(PolicyData data);
  static std::shared_ptr<const CompiledPolicy> Default();

  const PolicyData& data() const { return data_; }
  double weight(SignalCode c) const { return data_.weights[static_cast<std::size_t>(c)]; }
  const PhraseMatcher& keywords() const { return keywords_; }
  // The keywords with their spaces removed, for text whose letters were spaced out.
  const PhraseMatcher& compact_keywords() const { return compact_keywords_; }
  bool IsTrustedHost(std::string_view host) const;  // the host or a parent is trusted
  // The enabled actions (threshold at most 1) by their least risk, each step with the strongest
  // action at or below its risk: the action for a risk is that of the last step it reaches.
  struct ActionStep {
    double risk = 0;
    Action action = Action::kNone;
  };
  std::span<const ActionStep> action_steps() const {
    return {action_steps_.data(), action_step_count_};
  }
  // The keywords are exactly DefaultKeywords() (no extra, none removed): they are also in the
  // lists' phrase database, and one scan serves both.
  bool default_keywords() const { return default_keywords_; }

 private:
  CompiledPolicy() = default;
  PolicyData data_;
  PhraseMatcher keywords_;
  PhraseMatcher compact_keywords_;
  bool default_keywords_ = false;
  // Canonical hosts. A hash set: a link's host and each of its parents are looked up, and a
  // binary search over the default list compared a dozen strings for each.
  std::unordered_set<std::string, core::StringHash, std::equal_to<>> trusted_;
  std::array<ActionStep, 6> action_steps_{};
  std::size_t action_step_count_ = 0;
};

}  // namespace detect

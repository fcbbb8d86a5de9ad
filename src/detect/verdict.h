// The engine's answer: how risky, how sure, what to do, and why.
#pragma once

#include <string>
#include <vector>

#include "core/id.h"
#include "detect/policy.h"
#include "detect/sample.h"
#include "detect/signal.h"

namespace detect {

struct Verdict {
  Trigger trigger = Trigger::kMessage;
  // Probability-like score in [0, 1] that this is spam or an attack (policy.h: how it combines).
  double risk = 0;
  // How decisive the evidence is, in [0, 1], whatever the risk: high when a reliable signal fired
  // (a listed phishing host) or nothing fired and the content checks agree it is clean; low when
  // the level rests on weak hints alone. Not "distance from 0.5".
  double certainty = 0;
  Level level = Level::kLow;
  Action action = Action::kNone;
  std::vector<Signal> signals;  // fired, strongest first
  // The local model's P(spam), or < 0 when no model ran (none loaded, or the level was already
  // HIGH).
  double spam_probability = -1;
  bool llm_used = false;
  // The policy says an LLM opinion could change the outcome (grey zone, or a new account when
  // enabled); the caller may ask and then call Engine::WithLlm.
  bool llm_recommended = false;
  bool exempt = false;  // a bot or moderator: not judged
  // Join bursts: earlier joiners in the same window, to be treated like this one.
  std::vector<core::UserId> raid_members;

  bool Flagged() const { return level != Level::kLow; }
  bool Has(SignalCode code) const;
  // One line for logs: "HIGH risk=0.98 certainty=0.98 action=restrict phishing_domain(evil.gift)".
  std::string Summary() const;
};

// What an LLM said about a sample (detect/llm produces it from the model's JSON).
struct LlmOpinion {
  enum class Label { kSpam, kSuspicious, kNormal };
  Label label = Label::kNormal;
  double confidence = 0;  // [0, 1]
  std::string reasons;
};

}  // namespace detect

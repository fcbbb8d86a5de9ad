// `antispam eval`: runs the detection engine over labelled messages and measures it.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "detect/classifier.h"
#include "detect/llm/llm_client.h"

namespace cli {

struct EvalOptions {
  std::string tsv;                                      // label<TAB>text lines, with a header
  std::shared_ptr<const detect::TextClassifier> model;  // nullptr: heuristics only
  // The LLM, asked about messages in the grey zone (Verdict::llm_recommended) when set.
  std::optional<detect::llm::Config> llm;
  int llm_daily_budget = 1000000;  // eval is not rationed unless asked
  int show_errors = 0;  // print up to this many misjudged lines (with the verdict) to diagnostics
  // Only lines of this fold (detect::ml::FoldOf), to measure on data `train --hold-out` left out.
  int fold_index = 0, fold_count = 0;
  // Policy settings to try, "key=value" (detect::PolicyData::Set keys).
  std::vector<std::string> settings;
  std::string lists_dir;  // read the reference lists from here instead of the built-in copies
};

struct EvalReport {
  std::int64_t n = 0, tp = 0, fp = 0, tn = 0, fn = 0;
  std::int64_t malformed = 0;
  std::int64_t skipped_other_folds = 0;
  std::int64_t llm_calls = 0, llm_failures = 0;  // reported only when an LLM was configured
  bool llm_configured = false;
  double precision = 0, recall = 0, f1 = 0, fpr = 0, us_per_message = 0;
  std::string ToJson() const;
};

// Each line is one message from an established member (a different one per line, a minute apart)
// in a quiet channel, so it measures content detection, not rate. A message counts as flagged
// when its level is MEDIUM or HIGH. Malformed lines are reported on `diagnostics` with their line
// number and skipped; an unreadable file is an error. With an LLM, time spent waiting for it is
// not part of us_per_message; a failed LLM call leaves the engine's own verdict.
core::Result<EvalReport> RunEval(const EvalOptions& options, std::FILE* diagnostics);

}  // namespace cli

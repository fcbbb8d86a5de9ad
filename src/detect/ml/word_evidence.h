// Word evidence: a second, simpler reading of the classifier's features. Naive Bayes over the
// words and word pairs of FeatureText (each counted once per message), kept as one log-ratio per
// feature. fastText averages its word vectors, so one telling word ("00000000000", "ringtone",
// "subscribe") is diluted by the ordinary words around it; summed word evidence is not, and the two
// together are measurably better than either (docs/performance.md, "Content detection").
//
// Trained by `antispam train` with the fastText model and saved beside it (MODEL.words); the
// FastTextClassifier adds the two (see there). Immutable once built; thread-safe to read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace detect::ml {

class WordEvidence {
 public:
  struct Example {
    bool spam = false;
    std::string features;  // FeatureText of the normalised text
    double weight = 1;     // counts as this many copies of the message (> 0)
  };
  // Additive smoothing `alpha` for features seen in one class only.
  static core::Result<WordEvidence> Train(const std::vector<Example>& examples, double alpha = 0.5);
  // Errors: unreadable, not a word-evidence file, or truncated.
  static core::Result<WordEvidence> Load(const std::filesystem::path& file);
  core::Result<std::uintmax_t> Save(const std::filesystem::path& file) const;  // bytes written

  // log(P(spam | features) / P(ham | features)) under the model: the prior plus the log-ratios of
  // the features seen in training (unknown ones carry no evidence).
  double LogOdds(std::string_view feature_text) const;
  std::size_t size() const { return count_; }

 private:
  // Open addressing over the feature hashes: the slot from the low bits, a 32-bit tag from the high
  // bits (0 marks an empty slot), the tag and the weight side by side, so a look-up is one cache
  // line. Tags of different features can collide only within one slot's probe run: with the table
  // at most half full, a stranger is mistaken for a known feature about once in 10^9 look-ups.
  struct Slot {
    std::uint32_t tag = 0;
    float weight = 0;
  };
  static std::uint32_t TagOf(std::uint64_t key);
  void Reserve(std::size_t features);
  void Insert(std::uint64_t key, float weight);
  const float* Find(std::uint64_t key) const;

  double prior_ = 0;
  std::vector<Slot> slots_;
  std::vector<std::uint64_t> keys_;  // the full hashes, for Save (not read when predicting)
  std::size_t count_ = 0;
};

// The distinct feature hashes of a FeatureText line (words and adjacent pairs, the first word
// paired with the start of the line, a run of one word counting as one word for the pairs), in
// `out` (cleared first), each once, in the order first seen. Never 0.
void WordFeatures(std::string_view feature_text, std::vector<std::uint64_t>& out);

}  // namespace detect::ml

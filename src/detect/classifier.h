// A local text classifier's interface (detect/ml implements it with fastText). The engine asks it
// for a spam probability of the normalised text; it must be thread-safe and quick (microseconds).
#pragma once

#include <string>
#include <string_view>

namespace detect {

class TextClassifier {
 public:
  virtual ~TextClassifier() = default;
  // P(spam) in [0, 1] for `normalized_text` (Normalized::text).
  virtual double SpamProbability(std::string_view normalized_text) const = 0;
  // For logs and verdict evidence: the model's file name or version.
  virtual std::string Describe() const = 0;
};

}  // namespace detect

// The local classifier: a fastText model over normalised text. The only code that links fastText.
//
// Training (`antispam train`) and prediction use the same features (FeatureText): the normalised
// text with digits reduced to their shape (08712460324 -> 00000000000, £1000 -> £0000) and
// punctuation split from words, so phone numbers, prices and "!!!" generalise across messages.
// fastText reads each word of it once, at its first place (a repeated word would outweigh the
// others in fastText's average); the word evidence counts each of its features once per message.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "detect/classifier.h"
#include "detect/ml/word_evidence.h"

namespace fasttext {
class FastText;
class Dictionary;
class DenseMatrix;
}  // namespace fasttext

namespace detect::ml {

std::string FeatureText(std::string_view normalized_text);

// The spam probability is fastText's, combined with the word evidence saved beside the model
// (MODEL.words) when there is one: logit(p) = logit(p_fasttext) + kWordWeight * word log-odds +
// kWordShift. The two constants were chosen by 5-fold cross-validation on the dev corpora
// (scripts/eval-holdout.sh); a model without the file is fastText alone.
class FastTextClassifier final : public TextClassifier {
 public:
  static constexpr double kWordWeight = 0.5;
  static constexpr double kWordShift = -0.4;

  // Loads a .bin or quantised .ftz model with labels __label__spam and __label__ham, and its word
  // evidence when MODEL.words exists. Errors: the file is missing or unreadable, not a fastText
  // model, or lacks the spam label; a word-evidence file that exists but cannot be read.
  static core::Result<std::shared_ptr<const FastTextClassifier>> Load(
      const std::filesystem::path& file);
  ~FastTextClassifier() override;

  double SpamProbability(std::string_view normalized_text) const override;
  std::string Describe() const override;
  // fastText's own prediction for `normalized_text`, through its reader and predict(), without
  // the word evidence: what the direct path must equal (for tests).
  double FastTextOnly(std::string_view normalized_text) const;
  bool direct() const { return direct_; }

 private:
  FastTextClassifier() = default;
  double FastTextProbability(const std::string& features) const;
  double DirectProbability(const std::string& features) const;
  std::int32_t WordId(std::string_view word, std::uint32_t hash) const;  // -1: not a word of ours

  std::unique_ptr<fasttext::FastText> model_;
  // For the direct path (see DirectProbability): set when the model allows it.
  bool direct_ = false;
  std::shared_ptr<const fasttext::Dictionary> dictionary_;
  std::shared_ptr<const fasttext::DenseMatrix> input_, output_;
  std::int32_t nwords_ = 0;
  std::int64_t buckets_ = 0;
  int word_ngrams_ = 1;
  std::vector<std::string> vocab_;                                   // by word id
  std::vector<std::pair<std::uint32_t, std::int32_t>> vocab_slots_;  // (hash, id); id -1: empty
  std::optional<WordEvidence> words_;
  std::string file_;
  std::int32_t spam_label_ = -1;
};

// Where a model's word evidence lives: beside it, MODEL.words.
std::filesystem::path WordEvidencePath(const std::filesystem::path& model);

struct TrainOptions {
  std::vector<std::filesystem::path> tsv;  // label<TAB>text files (header line optional)
  std::filesystem::path out;               // .ftz (quantised) or .bin
  int epochs = 25;
  int dim = 16;
  double learning_rate = 0.5;
  int word_ngrams = 2;
  int min_char_ngram = 0, max_char_ngram = 0;  // no subwords: as accurate here, far faster
  int buckets = 50000;  // hashed n-gram rows: the model's size and quantisation time scale with it
  // Folds: a line whose normalised text hashes to `fold_index` (mod fold_count) is left out, so
  // `antispam eval --fold` can measure on unseen data. fold_count 0: use every line.
  int fold_index = 0, fold_count = 0;
  // How much each message of tsv[i] counts in the word evidence (fastText sees each message once):
  // empty for 1 each, else one positive number per file. The default model counts the YouTube
  // comments twice beside the SMS (docs/performance.md, "Content detection (held out)").
  std::vector<double> words_weight;
};

struct TrainReport {
  std::int64_t spam = 0, ham = 0, malformed = 0, held_out = 0;
  std::uintmax_t model_bytes = 0;
  std::uintmax_t words_bytes = 0;  // the word evidence (WordEvidencePath)
  std::size_t words = 0;           // features in it
};

// Deterministic (one thread, fixed seed): the same files give the same model. Writes the word
// evidence (WordEvidencePath) first, then the model. Malformed lines are reported on
// `diagnostics` with file and line and skipped.
core::Result<TrainReport> Train(const TrainOptions& options, std::FILE* diagnostics);

// Which fold a message falls in (FNV-1a of its normalised text, mod `count`).
int FoldOf(std::string_view raw_text, int count);

}  // namespace detect::ml

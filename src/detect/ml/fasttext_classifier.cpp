#include "detect/ml/fasttext_classifier.h"

#include <fasttext/densematrix.h>
#include <fasttext/dictionary.h>
#include <fasttext/fasttext.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <span>
#include <spanstream>
#include <sstream>

#include "detect/normalize.h"

namespace detect::ml {
namespace {

constexpr std::string_view kSpamLabel = "__label__spam";
constexpr std::string_view kHamLabel = "__label__ham";

bool IsPunct(unsigned char c) {
  return c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' || c == '_');
}

}  // namespace

namespace {

// FeatureText into `out` (reusing its buffer), followed by a newline: fastText's end of line.
void FeatureLine(std::string_view text, std::string& out) {
  // At most three bytes out per byte in (" ! "), plus the length token and the newline.
  out.resize(text.size() * 3 + 16);
  char* o = out.data();
  std::size_t n = 0;
  int words = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= '0' && c <= '9') {
      if (n == 0 || o[n - 1] == ' ') ++words;
      o[n++] = '0';
    } else if (IsPunct(c)) {
      if (n != 0 && o[n - 1] != ' ') o[n++] = ' ';
      o[n++] = static_cast<char>(c);
      o[n++] = ' ';
      ++words;
    } else if (c == ' ') {
      if (n != 0 && o[n - 1] != ' ') o[n++] = ' ';
    } else {
      // A letter repeated more than twice counts twice: "pleeeease", "subscribeeee".
      if (n >= 2 && o[n - 1] == static_cast<char>(c) && o[n - 2] == static_cast<char>(c)) continue;
      if (n == 0 || o[n - 1] == ' ') ++words;
      o[n++] = static_cast<char>(c);
    }
  }
  while (n != 0 && o[n - 1] == ' ') --n;
  // The length as a word of its own (fastText averages word vectors, which hides how many there
  // were): __len0 for one word, __len1 for 2-3, __len2 for 4-7, ... up to __len6.
  int bucket = 0;
  while (bucket < 6 && words >= (2 << bucket)) ++bucket;
  if (n != 0) o[n++] = ' ';
  for (char ch : std::string_view("__len")) o[n++] = ch;
  o[n++] = static_cast<char>('0' + bucket);
  o[n++] = '\n';
  out.resize(n);
}

// fastText's Dictionary::hash: FNV-1a over the bytes taken as signed chars.
std::uint32_t FastTextHash(std::string_view word) {
  std::uint32_t h = 2166136261u;
  for (char c : word) {
    h ^= static_cast<std::uint32_t>(static_cast<std::int8_t>(c));
    h *= 16777619u;
  }
  return h;
}

// fastText's input from a FeatureLine: each word once, where it first appears (the rest of the
// line closes up behind it; the newline stays). fastText averages its input rows, so a word
// repeated ("subscribe subscribe subscribe", "! ! ! ! ! !") would outweigh the others by its
// count; the word evidence counts each feature once per message for the same reason.
void DistinctWords(std::string& line) {
  const bool newline = !line.empty() && line.back() == '\n';
  const std::size_t size = line.size() - (newline ? 1 : 0);
  // Kept words by (hash, start, length) in a small open-addressing table, reused per thread (all
  // empty between calls: only the slots this call filled are emptied after).
  struct Slot {
    std::uint32_t hash;
    std::uint32_t start, length;  // in the kept part of `line`; length 0: empty slot
  };
  thread_local std::vector<Slot> slots;
  thread_local std::vector<std::size_t> used;
  std::size_t capacity = 64;
  while (capacity < size + 2) capacity *= 2;  // at most (size + 1) / 2 words: half full at most
  if (slots.size() < capacity) slots.assign(capacity, Slot{0, 0, 0});
  used.clear();
  const std::size_t mask = capacity - 1;
  char* text = line.data();
  std::size_t kept = 0;  // bytes of the result so far
  std::size_t i = 0;
  while (i < size) {
    while (i < size && text[i] == ' ') ++i;
    std::size_t end = i;
    while (end < size && text[end] != ' ') ++end;
    if (end == i) break;
    const std::string_view word(text + i, end - i);
    const std::uint32_t h = FastTextHash(word);
    std::size_t slot = h & mask;
    bool seen = false;
    for (; slots[slot].length != 0; slot = (slot + 1) & mask) {
      if (slots[slot].hash == h &&
          std::string_view(text + slots[slot].start, slots[slot].length) == word) {
        seen = true;
        break;
      }
    }
    if (!seen) {
      if (kept != 0) text[kept++] = ' ';
      // Until a word has been dropped, the kept part is the line itself: nothing to move.
      if (kept != i) std::memmove(text + kept, word.data(), word.size());
      slots[slot] =
          Slot{h, static_cast<std::uint32_t>(kept), static_cast<std::uint32_t>(word.size())};
      used.push_back(slot);
      kept += word.size();
    }
    i = end;
  }
  for (std::size_t slot : used) slots[slot] = Slot{0, 0, 0};
  if (newline) text[kept++] = '\n';
  line.resize(kept);
}

}  // namespace

std::string FeatureText(std::string_view text) {
  std::string out;
  FeatureLine(text, out);
  out.pop_back();  // the newline
  return out;
}

int FoldOf(std::string_view raw_text, int count) {
  if (count <= 0) return 0;
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : Normalize(raw_text).text)
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return static_cast<int>(h % static_cast<std::uint64_t>(count));
}

FastTextClassifier::~FastTextClassifier() = default;

core::Result<std::shared_ptr<const FastTextClassifier>> FastTextClassifier::Load(
    const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return core::Fail(core::ErrorCode::kNotFound, fmt::format("no model file at {}", file.string()),
                      file.string());
  }
  std::shared_ptr<FastTextClassifier> c(new FastTextClassifier());
  c->model_ = std::make_unique<fasttext::FastText>();
  try {
    c->model_->loadModel(file.string());
  } catch (const std::exception& e) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("{} is not a usable fastText model: {}", file.string(), e.what()),
                      file.string());
  }
  const auto dict = c->model_->getDictionary();
  for (std::int32_t i = 0; i < dict->nlabels(); ++i) {
    if (dict->getLabel(i) == kSpamLabel) c->spam_label_ = i;
  }
  if (c->spam_label_ < 0) {
    return core::Fail(
        core::ErrorCode::kInvalidArgument,
        fmt::format("{} has no {} label: not a spam model", file.string(), kSpamLabel),
        file.string());
  }
  // The direct path when the model is one it can compute exactly.
  const fasttext::Args args = c->model_->getArgs();
  if (!c->model_->isQuant() && args.maxn == 0 && args.loss == fasttext::loss_name::softmax &&
      dict->nlabels() == 2) {
    c->dictionary_ = dict;
    c->input_ = c->model_->getInputMatrix();
    c->output_ = c->model_->getOutputMatrix();
    c->nwords_ = dict->nwords();
    c->buckets_ = args.bucket;
    c->word_ngrams_ = args.wordNgrams;
    c->direct_ = c->input_ && c->output_ && c->output_->rows() == 2 &&
                 c->output_->cols() == c->input_->cols() && c->buckets_ > 0;
    // The vocabulary in a table of its own: fastText's is 30 million slots (120 MB), so each of
    // its look-ups is a cache and TLB miss.
    std::size_t slots = 16;
    while (slots < static_cast<std::size_t>(c->nwords_) * 2) slots *= 2;
    c->vocab_slots_.assign(slots, {0u, -1});
    c->vocab_.reserve(static_cast<std::size_t>(c->nwords_));
    for (std::int32_t id = 0; id < c->nwords_; ++id) {
      c->vocab_.push_back(dict->getWord(id));
      const std::uint32_t h = FastTextHash(c->vocab_.back());
      std::size_t slot = h & (slots - 1);
      while (c->vocab_slots_[slot].second >= 0) slot = (slot + 1) & (slots - 1);
      c->vocab_slots_[slot] = {h, id};
    }
  }
  const std::filesystem::path words = WordEvidencePath(file);
  if (std::filesystem::exists(words, ec)) {
    auto w = WordEvidence::Load(words);
    if (!w) return std::unexpected(w.error());
    c->words_ = std::move(*w);
  }
  c->file_ = file.filename().string();
  return std::shared_ptr<const FastTextClassifier>(std::move(c));
}

// fastText's own prediction, through its stream reader and predict(): the general path (quantised
// models, subwords, other losses).
double FastTextClassifier::FastTextProbability(const std::string& features) const {
  // One reusable stream per thread over the reusable buffer avoids building a locale or copying
  // the text per message.
  thread_local std::ispanstream in{std::span<const char>()};
  thread_local std::vector<std::int32_t> words, labels;
  in.clear();
  in.span(std::span<const char>(features.data(), features.size()));
  words.clear();
  labels.clear();
  model_->getDictionary()->getLine(in, words, labels);
  if (words.empty()) return 0.5;
  fasttext::Predictions predictions;
  model_->predict(2, words, predictions, 0.0);
  double p = 0.5;
  for (const auto& [log_p, label] : predictions) {
    if (label == spam_label_) p = std::exp(static_cast<double>(log_p));
  }
  if (predictions.size() == 1 && predictions.front().second != spam_label_) {
    // Only the other label came back: spam has (nearly) no probability mass.
    p = 1.0 - std::exp(static_cast<double>(predictions.front().first));
  }
  return p;
}

// The same prediction computed here, for the models `antispam train` writes (dense matrices, no
// subwords, softmax over two labels): fastText's reader makes a string per word and predict()
// allocates per call, which cost more than the arithmetic. It follows fastText 0.9.2 exactly:
// Dictionary::getLine (words, "</s>" at the end of the line, labels skipped, word n-grams hashed
// as h * 116049371 + next into the buckets), the average of the input rows, a softmax, and
// predict()'s log(p + 1e-5). The tests compare the two paths.
double FastTextClassifier::DirectProbability(const std::string& features) const {
  thread_local std::vector<std::int32_t> ids, hashes;
  thread_local std::vector<float> hidden;
  ids.clear();
  hashes.clear();
  auto take = [&](std::string_view word) {
    if (word.starts_with("__label__")) return;  // a label, not a word, in fastText's eyes
    const std::uint32_t h = FastTextHash(word);
    const std::int32_t id = WordId(word, h);
    if (id >= 0) ids.push_back(id);
    hashes.push_back(static_cast<std::int32_t>(h));
  };
  std::size_t i = 0;
  while (i < features.size()) {
    while (i < features.size() && (features[i] == ' ' || features[i] == '\n')) ++i;
    std::size_t end = i;
    while (end < features.size() && features[end] != ' ' && features[end] != '\n') ++end;
    if (end > i) take(std::string_view(features).substr(i, end - i));
    i = end;
  }
  take(fasttext::Dictionary::EOS);
  for (std::size_t a = 0; a < hashes.size(); ++a) {
    // fastText widens the signed 32-bit hash to 64 bits (sign-extending) before mixing.
    auto h = static_cast<std::uint64_t>(static_cast<std::int64_t>(hashes[a]));
    for (std::size_t b = a + 1; b < hashes.size() && b < a + static_cast<std::size_t>(word_ngrams_);
         ++b) {
      h = h * 116049371 + static_cast<std::uint64_t>(static_cast<std::int64_t>(hashes[b]));
      ids.push_back(nwords_ + static_cast<std::int32_t>(h % static_cast<std::uint64_t>(buckets_)));
    }
  }
  if (ids.empty()) return 0.5;
  const std::int64_t dim = input_->cols();
  const float* in = input_->data();
  // The rows are scattered over megabytes: ask for all of them before adding any up.
  for (std::int32_t id : ids) __builtin_prefetch(in + static_cast<std::int64_t>(id) * dim);
  hidden.assign(static_cast<std::size_t>(dim), 0.0f);
  for (std::int32_t id : ids) {
    const float* row = in + static_cast<std::int64_t>(id) * dim;
    for (std::int64_t d = 0; d < dim; ++d) hidden[static_cast<std::size_t>(d)] += row[d];
  }
  const float scale = 1.0f / static_cast<float>(ids.size());
  for (float& x : hidden) x *= scale;
  float logits[2];
  for (int k = 0; k < 2; ++k) {
    const float* row = output_->data() + static_cast<std::int64_t>(k) * dim;
    float dot = 0;
    for (std::int64_t d = 0; d < dim; ++d) dot += row[d] * hidden[static_cast<std::size_t>(d)];
    logits[k] = dot;
  }
  const float max = std::max(logits[0], logits[1]);
  const float e0 = std::exp(logits[0] - max), e1 = std::exp(logits[1] - max);
  const float spam = (spam_label_ == 0 ? e0 : e1) / (e0 + e1);
  return static_cast<double>(spam) + 1e-5;
}

std::int32_t FastTextClassifier::WordId(std::string_view word, std::uint32_t h) const {
  const std::size_t mask = vocab_slots_.size() - 1;
  for (std::size_t slot = h & mask;; slot = (slot + 1) & mask) {
    const auto [hash, id] = vocab_slots_[slot];
    if (id < 0) return -1;
    if (hash == h && vocab_[static_cast<std::size_t>(id)] == word) return id;
  }
}

double FastTextClassifier::FastTextOnly(std::string_view normalized_text) const {
  std::string features;
  FeatureLine(normalized_text, features);
  DistinctWords(features);
  return FastTextProbability(features);
}

double FastTextClassifier::SpamProbability(std::string_view normalized_text) const {
  thread_local std::string features;
  FeatureLine(normalized_text, features);
  // The word evidence reads the whole line (its word pairs follow the text as written); fastText
  // reads each word once.
  const double evidence = words_ ? words_->LogOdds(features) : 0.0;
  DistinctWords(features);
  double p = direct_ ? DirectProbability(features) : FastTextProbability(features);
  if (!words_) return std::clamp(p, 0.0, 1.0);
  p = std::clamp(p, 1e-6, 1 - 1e-6);
  const double logit = std::log(p / (1 - p)) + kWordWeight * evidence + kWordShift;
  return 1 / (1 + std::exp(-logit));
}

std::filesystem::path WordEvidencePath(const std::filesystem::path& model) {
  std::filesystem::path p = model;
  p += ".words";
  return p;
}

std::string FastTextClassifier::Describe() const {
  return "fasttext:" + file_ + (words_ ? "+words" : "");
}

core::Result<TrainReport> Train(const TrainOptions& o, std::FILE* diagnostics) {
  TrainReport report;
  if (o.tsv.empty()) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "no training files given", "tsv");
  }
  if (!o.words_weight.empty() && o.words_weight.size() != o.tsv.size()) {
    return core::Fail(
        core::ErrorCode::kInvalidArgument,
        fmt::format("{} word-evidence weights for {} training files: give one per file",
                    o.words_weight.size(), o.tsv.size()),
        "words_weight");
  }
  for (double w : o.words_weight) {
    if (!(w > 0) || !std::isfinite(w)) {
      return core::Fail(core::ErrorCode::kInvalidArgument,
                        fmt::format("a word-evidence weight must be positive, not {}", w),
                        "words_weight");
    }
  }
  // fastText trains from a file: write the features to a private temporary one.
  char tmpl[] = "/tmp/antispam-train-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) {
    return core::Fail(core::ErrorCode::kUnavailable,
                      fmt::format("cannot create a temporary file: {}", std::strerror(errno)));
  }
  close(fd);
  const std::string input = tmpl;
  std::vector<WordEvidence::Example> examples;
  struct Remove {
    std::string path;
    ~Remove() { std::remove(path.c_str()); }
  } cleanup{input};
  {
    std::ofstream out(input, std::ios::binary | std::ios::trunc);
    for (std::size_t file_index = 0; file_index < o.tsv.size(); ++file_index) {
      const std::filesystem::path& file = o.tsv[file_index];
      const double weight = o.words_weight.empty() ? 1.0 : o.words_weight[file_index];
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        return core::Fail(core::ErrorCode::kNotFound,
                          fmt::format("cannot read {}: {}", file.string(), std::strerror(errno)),
                          file.string());
      }
      std::string line;
      std::int64_t n = 0;
      while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (n == 1 && line == "label\ttext") continue;
        const std::size_t tab = line.find('\t');
        const std::string_view label =
            tab == std::string::npos ? std::string_view() : std::string_view(line).substr(0, tab);
        if (label != "spam" && label != "ham") {
          ++report.malformed;
          std::fprintf(diagnostics,
                       "%s:%lld: expected spam<TAB>text or ham<TAB>text; line skipped\n",
                       file.string().c_str(), static_cast<long long>(n));
          continue;
        }
        const std::string_view text = std::string_view(line).substr(tab + 1);
        if (o.fold_count > 0 && FoldOf(text, o.fold_count) == o.fold_index) {
          ++report.held_out;
          continue;
        }
        std::string features = FeatureText(Normalize(text).text);
        std::string distinct = features;
        DistinctWords(distinct);
        out << (label == "spam" ? kSpamLabel : kHamLabel) << ' ' << distinct << '\n';
        examples.push_back({label == "spam", std::move(features), weight});
        label == "spam" ? ++report.spam : ++report.ham;
      }
    }
    if (!out) return core::Fail(core::ErrorCode::kUnavailable, "cannot write the training file");
  }
  if (report.spam == 0 || report.ham == 0) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("training needs both classes: {} spam and {} ham lines",
                                  report.spam, report.ham));
  }
  fasttext::Args args;
  args.input = input;
  args.model = fasttext::model_name::sup;
  args.loss = fasttext::loss_name::softmax;
  args.epoch = o.epochs;
  args.dim = o.dim;
  args.lr = o.learning_rate;
  args.wordNgrams = o.word_ngrams;
  args.minn = o.min_char_ngram;
  args.maxn = o.max_char_ngram;
  args.minCount = 1;
  args.bucket = o.buckets;
  args.thread = 1;  // deterministic
  args.seed = 0;
  args.verbose = 0;
  auto words = WordEvidence::Train(examples);
  if (!words) return std::unexpected(words.error());
  auto words_bytes = words->Save(WordEvidencePath(o.out));
  if (!words_bytes) return std::unexpected(words_bytes.error());
  report.words_bytes = *words_bytes;
  report.words = words->size();
  fasttext::FastText ft;
  try {
    ft.train(args);
    const bool quantise = o.out.extension() == ".ftz";
    if (quantise) {
      fasttext::Args q = args;
      q.qnorm = true;
      q.cutoff = 0;
      q.retrain = false;
      q.dsub = 2;
      ft.quantize(q);
    }
    ft.saveModel(o.out.string());
  } catch (const std::exception& e) {
    return core::Fail(core::ErrorCode::kInternal,
                      fmt::format("fastText training failed: {}", e.what()));
  }
  std::error_code ec;
  report.model_bytes = std::filesystem::file_size(o.out, ec);
  if (ec) {
    return core::Fail(core::ErrorCode::kUnavailable,
                      fmt::format("cannot write the model to {}", o.out.string()), o.out.string());
  }
  return report;
}

}  // namespace detect::ml

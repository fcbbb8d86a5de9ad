#include "detect/ml/word_evidence.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <unordered_map>

#include "core/hash.h"

namespace detect::ml {
namespace {

constexpr char kMagic[8] = {'A', 'S', 'W', 'O', 'R', 'D', 'S', '1'};

constexpr std::uint64_t Mix(std::uint64_t h) { return core::Fmix64(h); }

// A word's hash, eight bytes at a time (words are short: usually one step).
std::uint64_t HashWord(std::string_view w) {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL * (w.size() + 1);
  std::size_t i = 0;
  for (; i + 8 <= w.size(); i += 8) {
    std::uint64_t x;
    std::memcpy(&x, w.data() + i, 8);
    h = Mix(h ^ x);
  }
  if (i < w.size()) {
    std::uint64_t x = 0;
    std::memcpy(&x, w.data() + i, w.size() - i);
    h = Mix(h ^ x);
  }
  return h;
}

}  // namespace

void WordFeatures(std::string_view text, std::vector<std::uint64_t>& out) {
  out.clear();
  // Distinct features through a small open-addressing set that grows with the text (reused per
  // thread): sorting was the slowest part of a prediction.
  thread_local std::vector<std::uint64_t> seen;  // all 0 between calls
  thread_local std::vector<std::size_t> used;    // the slots this call filled, to empty after
  std::size_t slots = 256;
  while (slots < 2 * text.size()) slots *= 2;  // at most two features per byte
  if (seen.size() < slots) seen.assign(slots, 0);
  const std::size_t mask = slots - 1;
  used.clear();
  auto add = [&](std::uint64_t f) {
    for (std::size_t slot = f & mask;; slot = (slot + 1) & mask) {
      if (seen[slot] == f) return;
      if (seen[slot] == 0) {
        seen[slot] = f;
        used.push_back(slot);
        out.push_back(f);
        return;
      }
    }
  };
  // The first word pairs with the start of the message, as the last pairs with the length word
  // that FeatureText puts at the end: "free entry …" is not "… free entry".
  std::uint64_t previous = HashWord("\x02start");
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
    std::size_t end = i;
    while (end < text.size() && text[end] != ' ' && text[end] != '\n') ++end;
    if (end == i) break;
    const std::uint64_t word = HashWord(text.substr(i, end - i));
    add(word | 1);  // odd: a word
    // A word repeated in a row makes no pair with itself, and the run pairs with the word after
    // it as one word: "free ! ! ! now" pairs as "free !", "! now". How often a key was pressed
    // is not which words go together (held out: docs/performance.md, fourth session).
    if (word == previous) {
      i = end;
      continue;
    }
    const std::uint64_t pair = Mix(previous ^ (word * 0x9E3779B97F4A7C15ULL));
    add((pair & ~std::uint64_t{1}) | 2);  // even (and never 0): a pair
    previous = word;
    i = end;
  }
  for (std::size_t slot : used) seen[slot] = 0;
}

core::Result<WordEvidence> WordEvidence::Train(const std::vector<Example>& examples, double alpha) {
  std::unordered_map<std::uint64_t, std::pair<double, double>> counts;  // spam, ham (weighted)
  double n_spam = 0, n_ham = 0;
  std::vector<std::uint64_t> features;
  for (const Example& e : examples) {
    if (!(e.weight > 0) || !std::isfinite(e.weight)) {
      return core::Fail(core::ErrorCode::kInvalidArgument,
                        fmt::format("an example's weight must be positive, not {}", e.weight));
    }
    WordFeatures(e.features, features);
    (e.spam ? n_spam : n_ham) += e.weight;
    for (std::uint64_t f : features) (e.spam ? counts[f].first : counts[f].second) += e.weight;
  }
  if (n_spam == 0 || n_ham == 0) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "word evidence needs both classes");
  }
  double total_spam = 0, total_ham = 0;
  for (const auto& [f, c] : counts) {
    total_spam += c.first;
    total_ham += c.second;
  }
  const double v = static_cast<double>(counts.size());
  const double spam_norm = std::log(total_spam + alpha * v);
  const double ham_norm = std::log(total_ham + alpha * v);
  WordEvidence w;
  w.prior_ = std::log(n_spam / n_ham);
  w.Reserve(counts.size());
  for (const auto& [f, c] : counts) {
    const double ratio =
        (std::log(c.first + alpha) - spam_norm) - (std::log(c.second + alpha) - ham_norm);
    w.Insert(f, static_cast<float>(ratio));
  }
  return w;
}

std::uint32_t WordEvidence::TagOf(std::uint64_t key) {
  const auto tag = static_cast<std::uint32_t>(Mix(key) >> 32);
  return tag == 0 ? 1 : tag;
}

void WordEvidence::Reserve(std::size_t features) {
  std::size_t slots = 16;
  while (slots < features * 2) slots *= 2;
  slots_.assign(slots, Slot{});
  keys_.assign(slots, 0);
  count_ = 0;
}

void WordEvidence::Insert(std::uint64_t key, float weight) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t slot = Mix(key) & mask;
  while (keys_[slot] != 0 && keys_[slot] != key) slot = (slot + 1) & mask;
  if (keys_[slot] == 0) ++count_;
  keys_[slot] = key;
  slots_[slot] = Slot{TagOf(key), weight};
}

const float* WordEvidence::Find(std::uint64_t key) const {
  if (slots_.empty()) return nullptr;
  const std::size_t mask = slots_.size() - 1;
  const std::uint32_t tag = TagOf(key);
  for (std::size_t slot = Mix(key) & mask;; slot = (slot + 1) & mask) {
    if (slots_[slot].tag == tag) return &slots_[slot].weight;
    if (slots_[slot].tag == 0) return nullptr;
  }
}

double WordEvidence::LogOdds(std::string_view feature_text) const {
  thread_local std::vector<std::uint64_t> features;
  WordFeatures(feature_text, features);
  double s = prior_;
  if (slots_.empty()) return s;
  // Every slot first, then the weights: the look-ups miss the cache independently, in parallel.
  const std::size_t mask = slots_.size() - 1;
  for (std::uint64_t f : features) __builtin_prefetch(&slots_[Mix(f) & mask]);
  for (std::uint64_t f : features) {
    if (const float* w = Find(f)) s += *w;
  }
  return s;
}

// File: magic, prior (double), feature count (uint64), then (hash uint64, weight float) per
// feature; little-endian, as written on this machine.
core::Result<std::uintmax_t> WordEvidence::Save(const std::filesystem::path& file) const {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(kMagic, sizeof kMagic);
  out.write(reinterpret_cast<const char*>(&prior_), sizeof prior_);
  const std::uint64_t n = count_;
  out.write(reinterpret_cast<const char*>(&n), sizeof n);
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == 0) continue;
    out.write(reinterpret_cast<const char*>(&keys_[i]), sizeof keys_[i]);
    out.write(reinterpret_cast<const char*>(&slots_[i].weight), sizeof slots_[i].weight);
  }
  out.close();
  if (!out) {
    return core::Fail(core::ErrorCode::kUnavailable, fmt::format("cannot write {}", file.string()),
                      file.string());
  }
  return sizeof kMagic + sizeof prior_ + sizeof n + n * (sizeof(std::uint64_t) + sizeof(float));
}

core::Result<WordEvidence> WordEvidence::Load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return core::Fail(core::ErrorCode::kNotFound, fmt::format("cannot read {}", file.string()),
                      file.string());
  }
  auto bad = [&](std::string_view why) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("{} is not a word-evidence file: {}", file.string(), why),
                      file.string());
  };
  char magic[sizeof kMagic];
  WordEvidence w;
  std::uint64_t n = 0;
  if (!in.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof magic) != 0) {
    return bad("wrong header");
  }
  if (!in.read(reinterpret_cast<char*>(&w.prior_), sizeof w.prior_) ||
      !in.read(reinterpret_cast<char*>(&n), sizeof n)) {
    return bad("truncated header");
  }
  if (!std::isfinite(w.prior_) || n > (std::uint64_t{1} << 28)) return bad("implausible header");
  w.Reserve(static_cast<std::size_t>(n));
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t key = 0;
    float weight = 0;
    if (!in.read(reinterpret_cast<char*>(&key), sizeof key) ||
        !in.read(reinterpret_cast<char*>(&weight), sizeof weight)) {
      return bad(fmt::format("truncated after {} of {} features", i, n));
    }
    if (key == 0 || !std::isfinite(weight)) return bad("a malformed feature");
    w.Insert(key, weight);
  }
  if (in.peek() != std::char_traits<char>::eof()) return bad("trailing bytes");
  return w;
}

}  // namespace detect::ml

// The local model, reloaded when its file changes: the bot polls (every few seconds), and a new
// model takes over between two messages. A file that fails to load leaves the running model in
// place and the error is returned to be logged; nothing is lost.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"
#include "detect/classifier.h"
#include "detect/ml/fasttext_classifier.h"

namespace detect::ml {

class ReloadingClassifier final : public TextClassifier {
 public:
  // Loads `file` now; an error if it cannot be loaded.
  static core::Result<std::shared_ptr<ReloadingClassifier>> Open(std::filesystem::path file);

  // Reloads if the model file or its word evidence (MODEL.words: appeared, changed or removed)
  // changed (inode, size or modification time) since the last load.
  // Returns true when a new model took over, false when nothing changed, or the load error (the
  // old model stays). Thread-safe; SpamProbability may run concurrently.
  core::Result<bool> Poll();

  double SpamProbability(std::string_view normalized_text) const override;
  std::string Describe() const override;
  int generation() const { return generation_.load(); }

 private:
  struct Stamp {
    std::uintmax_t inode = 0, size = 0;
    std::int64_t mtime_ns = 0;
    std::uintmax_t words_inode = 0, words_size = 0;  // 0, 0: no word evidence
    std::int64_t words_mtime_ns = 0;
    bool operator==(const Stamp&) const = default;
  };
  static core::Result<Stamp> StampOf(const std::filesystem::path& file);

  std::filesystem::path file_;
  std::mutex poll_mutex_;  // one Poll at a time
  Stamp stamp_;
  std::atomic<std::shared_ptr<const FastTextClassifier>> current_;
  std::atomic<int> generation_{0};
};

}  // namespace detect::ml

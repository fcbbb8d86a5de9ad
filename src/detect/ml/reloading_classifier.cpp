#include "detect/ml/reloading_classifier.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace detect::ml {

core::Result<ReloadingClassifier::Stamp> ReloadingClassifier::StampOf(
    const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    return core::Fail(
        core::ErrorCode::kNotFound,
        fmt::format("cannot stat model file {}: {}", file.string(), std::strerror(errno)),
        file.string());
  }
  Stamp s{static_cast<std::uintmax_t>(st.st_ino), static_cast<std::uintmax_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  struct stat words {};
  if (::stat(WordEvidencePath(file).c_str(), &words) == 0) {
    s.words_inode = static_cast<std::uintmax_t>(words.st_ino);
    s.words_size = static_cast<std::uintmax_t>(words.st_size);
    s.words_mtime_ns =
        static_cast<std::int64_t>(words.st_mtim.tv_sec) * 1'000'000'000 + words.st_mtim.tv_nsec;
  }
  return s;
}

core::Result<std::shared_ptr<ReloadingClassifier>> ReloadingClassifier::Open(
    std::filesystem::path file) {
  std::shared_ptr<ReloadingClassifier> r(new ReloadingClassifier());
  r->file_ = std::move(file);
  auto stamp = StampOf(r->file_);
  if (!stamp) return std::unexpected(stamp.error());
  auto model = FastTextClassifier::Load(r->file_);
  if (!model) return std::unexpected(model.error());
  r->stamp_ = *stamp;
  r->current_.store(*model);
  r->generation_ = 1;
  return r;
}

core::Result<bool> ReloadingClassifier::Poll() {
  std::lock_guard lock(poll_mutex_);
  auto stamp = StampOf(file_);
  if (!stamp) return std::unexpected(stamp.error());
  if (*stamp == stamp_) return false;
  auto model = FastTextClassifier::Load(file_);
  if (!model) {
    // Remember the stamp: a broken file is reported once, not on every poll; fixing it changes
    // the stamp again.
    stamp_ = *stamp;
    return std::unexpected(model.error());
  }
  stamp_ = *stamp;
  current_.store(*model);
  ++generation_;
  return true;
}

double ReloadingClassifier::SpamProbability(std::string_view normalized_text) const {
  return current_.load()->SpamProbability(normalized_text);
}

std::string ReloadingClassifier::Describe() const {
  return fmt::format("{} (load #{})", current_.load()->Describe(), generation_.load());
}

}  // namespace detect::ml

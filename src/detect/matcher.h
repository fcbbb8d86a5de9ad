// Compiled multi-pattern matchers over Hyperscan: one scan of a message finds every phrase of a
// list, however long the list, instead of a loop over patterns.
//
// PhraseMatcher: literal phrases (scam phrases, keywords), matched on whole words: a phrase that
// begins (ends) with a letter or digit must not continue a word on that side, so "free nitro"
// matches "get free nitro!" but not "carefree nitrous".
// HostGlobMatcher: host patterns with `*` (one or more letters, digits or hyphens within a label),
// matched against a host and its parent domains.
//
// Immutable once built; Scan is thread-safe (each thread has its own Hyperscan scratch space).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct hs_database;

namespace detect {

class PhraseMatcher {
 public:
  // Patterns are matched as given (callers pass normalised skeletons); empty ones are skipped,
  // duplicates kept once.
  static core::Result<PhraseMatcher> Compile(std::vector<std::string> patterns);
  // Several lists in one database, so that one scan finds the patterns of all of them (a scan
  // costs about as much for one pattern as for hundreds on a chat message). Each group is sorted
  // and deduplicated on its own: a pattern in two groups is reported for both.
  static core::Result<PhraseMatcher> CompileGroups(std::vector<std::vector<std::string>> groups);
  PhraseMatcher() = default;  // matches nothing

  // Indexes of the patterns found in `text`, each once, in the order first seen; at most `limit`
  // per group. Indexes number the patterns of every group in turn (see pattern() and group()).
  std::vector<std::uint32_t> Scan(std::string_view text, std::size_t limit = 16) const;
  // The same into `found` (cleared first), reusing its storage.
  void ScanInto(std::string_view text, std::size_t limit, std::vector<std::uint32_t>& found) const;
  const std::string& pattern(std::uint32_t index) const { return patterns_[index]; }
  std::size_t group(std::uint32_t index) const;  // the group (0 for Compile) of a pattern
  std::size_t group_size(std::size_t group) const;
  std::size_t size() const { return patterns_.size(); }
  std::size_t database_bytes() const;

  static constexpr std::size_t kMaxGroups = 4;

 private:
  std::vector<std::string> patterns_;
  std::vector<std::uint32_t> group_ends_;  // one past each group's last index
  std::shared_ptr<hs_database> db_;
  std::uint64_t serial_ = 0;
};

class HostGlobMatcher {
 public:
  static core::Result<HostGlobMatcher> Compile(std::vector<std::string> globs);
  HostGlobMatcher() = default;

  // The first glob matching `host` (canonical) or one of its parent domains, or nullptr.
  const std::string* Match(std::string_view host) const;
  std::size_t size() const { return globs_.size(); }

 private:
  std::vector<std::string> globs_;
  std::shared_ptr<hs_database> db_;
  std::uint64_t serial_ = 0;
};

}  // namespace detect

// Compiled multi-pattern matchers: one pass over a message finds every pattern of a list, however
// long the list, instead of a loop over patterns.
//
// PhraseMatcher: literal phrases (scam phrases, keywords), matched on whole words: a phrase that
// begins (ends) with a word byte (an ASCII letter or digit, or any byte of a non-ASCII character)
// must not continue a word on that side, so "free nitro" matches "get free nitro!" but not
// "carefree nitrous". Our own (phrase_matcher.cpp): whole-word matches can only begin where a word
// begins, so only those places are looked at, through filters of the phrases' first eight (or
// three) bytes. Hyperscan, which looks for every phrase at every byte, cost more on the benchmark
// stream (docs/performance.md).
// HostGlobMatcher: host patterns with `*` (one or more letters, digits or hyphens within a label),
// matched against a host and its parent domains, through Hyperscan.
//
// Immutable once built; Scan is thread-safe (per-thread Hyperscan scratch space and working copy).
#pragma once

#include <array>
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

  // Indexes of the patterns found in `text`, each once, in the order their first match begins
  // (patterns that begin at the same place in no promised order); at most `limit` per group, the
  // ones that begin first. Indexes number the patterns of every group in turn (see pattern() and
  // group()).
  std::vector<std::uint32_t> Scan(std::string_view text, std::size_t limit = 16) const;
  // The same into `found` (cleared first), reusing its storage.
  void ScanInto(std::string_view text, std::size_t limit, std::vector<std::uint32_t>& found) const;
  // Whether `pattern` occurs in `text` as a scan would find it (on whole words, see above): a
  // check for one known pattern, without a scan.
  static bool Occurs(std::string_view text, std::string_view pattern);
  const std::string& pattern(std::uint32_t index) const { return patterns_[index]; }
  std::size_t group(std::uint32_t index) const;  // the group (0 for Compile) of a pattern
  std::size_t group_size(std::size_t group) const;
  std::size_t size() const { return patterns_.size(); }
  std::size_t database_bytes() const;  // the matcher's tables, patterns included

  static constexpr std::size_t kMaxGroups = 4;

 private:
  // A pattern as the scan compares it: its first eight bytes as a word (the rest zero), a mask of
  // those, its length and whether it ends in a word byte.
  struct Entry {
    std::uint64_t head = 0;
    std::uint64_t head_mask = 0;
    std::uint32_t size = 0;
    std::uint32_t id = 0;  // index into patterns_
    bool ends_in_word = false;
  };
  // Patterns filed under their first `width` bytes (little-endian in `prefix`), in open addressing
  // behind a filter of one bit per hashed prefix: entries[begin, begin + count), a bucket. A bucket
  // of more than kLinearMax patterns (a guild's thousand keywords "free nitro giveaway 1" to
  // "... 1000") is sorted, each entry linked to the longest other pattern of the bucket that begins
  // it (parents, -1: none): the patterns that begin a text are then found by one binary search
  // and a walk up those links, whatever the bucket's size, rather than compared one by one.
  struct Slot {
    std::uint64_t prefix = 0;
    std::uint32_t begin = 0;
    std::uint32_t count = 0;  // 0: unused
  };
  struct PrefixTable {
    std::size_t width = 0;
    std::vector<Entry> entries;
    std::vector<std::int32_t> parents;  // per entry: its link within its bucket, or -1
    std::vector<Slot> slots;
    int shift = 64;
    std::vector<std::uint64_t> filter;  // a bit per hashed prefix
    std::size_t filter_mask = 0;        // its size in bits, less one
    void Build(std::vector<std::pair<std::uint64_t, Entry>> keyed,
               const std::vector<std::string>& patterns);
    const Slot* Find(std::uint64_t prefix) const;

   private:
    void File(std::vector<Entry>& bucket, const std::vector<std::string>& patterns);
  };
  template <typename OnMatch>
  void MatchAt(const char* text, std::size_t size, std::size_t at, bool long_hit, bool mid_hit,
               OnMatch& on) const;
  template <typename OnMatch>
  void Check(const Entry& e, const char* text, std::size_t size, std::size_t at, OnMatch& on) const;
  template <typename OnMatch>
  void MatchBucket(const Entry* entries, const std::int32_t* parents, std::uint32_t count,
                   const char* text, std::size_t size, std::size_t at, OnMatch& on) const;
  static constexpr std::uint32_t kLinearMax = 8;

  std::vector<std::string> patterns_;
  std::vector<std::uint32_t> group_ends_;  // one past each group's last index
  std::size_t empty_groups_ = 0;
  // Patterns of eight bytes or more by their first eight (selective even where a text's words are
  // common ones that begin many phrases: "hello", "please"), of three to seven by their first
  // three, of one or two (a guild's own keywords may be that short; no filter is asked) by their
  // first.
  static constexpr std::size_t kLongWidth = 8;
  static constexpr std::size_t kMidWidth = 3;
  static constexpr std::size_t kShortWidth = 1;
  PrefixTable long_;
  PrefixTable mid_;
  PrefixTable short_;
  std::array<std::uint64_t, 4> marks_{};  // non-word bytes that begin a pattern (a bit each)
  bool space_mark_ = false;               // a pattern begins with a space
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

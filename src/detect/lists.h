// The reference lists (data/README.md), compiled once and shared read-only by every guild: phishing
// hosts, shortlink prefixes, host globs, unconfirmed ("suspicious") hosts, scam phrases, scam URL
// paths and top-level domains.
//
// Hosts match exactly or as a subdomain of an entry (`a.evil.example` matches `evil.example`; the
// parent `example` never does). Every entry passes through the same normalisation as message text
// (Normalize, then IDNA), so a Unicode entry and a punycode URL meet in the middle.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "core/strings.h"
#include "detect/links.h"
#include "detect/matcher.h"

namespace detect {

// The list files, by their names under data/.
struct ListTexts {
  std::string_view phishing_domains;    // phishing-domains/combined-domains.txt
  std::string_view phishing_prefixes;   // phishing-domains/nikolaischunk-url-prefixes.txt
  std::string_view phishing_globs;      // phishing-domains/devspen-wildcard-patterns.txt
  std::string_view suspicious_domains;  // phishing-domains/nikolaischunk-suspicious.txt
  std::string_view scam_terms;          // scam-phrases/devspen-malicious-terms.txt
  std::string_view scam_phrases;        // scam-phrases/cliptok-scam-phrases.txt
  std::string_view scam_paths;          // scam-phrases/devspen-trailing-paths.txt
  std::string_view tlds;                // tlds.txt
  std::string_view self_promotion;      // self-promotion.txt (written for this project)
};

// File names relative to a lists directory, in ListTexts order.
extern const std::vector<std::string_view> kListFileNames;

struct HostVerdict {
  enum class Kind { kNone, kPhishing, kSuspicious };
  Kind kind = Kind::kNone;
  std::string entry;  // the list entry that matched
};

// Path prefixes listed under a host (shortlinks, channel links): they match on host + path only.
using PathPrefixes = std::vector<std::pair<std::string, HostVerdict::Kind>>;

// What the lists say about a host alone, its path aside: what CheckLink needs besides the path.
// It points into the Lists it came from, so a caller may keep it for a host it meets again for as
// long as it holds those lists.
struct HostListing {
  const std::string* phishing = nullptr;  // the host's (or a parent's) entry, or its glob
  const PathPrefixes* prefixes = nullptr;
  const std::string* suspicious = nullptr;  // on the unconfirmed list (host or parent)
};

class Lists {
 public:
  static core::Result<std::shared_ptr<const Lists>> Build(const ListTexts& texts);
  // Reads the files named in kListFileNames from `dir`; a missing or unreadable file is an error
  // that names it.
  static core::Result<std::shared_ptr<const Lists>> FromDirectory(const std::filesystem::path& dir);
  // The copies compiled into the binary (built once, then shared).
  static std::shared_ptr<const Lists> Embedded();

  HostVerdict CheckLink(const Link& link) const;
  HostListing Listing(std::string_view host) const;
  // The same as CheckLink(link) from the host's listing (Listing(link.host) of these lists).
  HostVerdict CheckLink(const Link& link, const HostListing& listing) const;
  bool IsPhishingHost(std::string_view host) const;

  const TldSet& tlds() const { return tlds_; }
  // The scam phrases and, in the same database, the default suspicious keywords (of
  // DefaultKeywords()), so that a guild on the default keywords scans a message once for both.
  // pattern groups: kScamPhraseGroup and kDefaultKeywordGroup.
  const PhraseMatcher& phrases() const { return phrases_; }
  // kSelfPromotionGroup / kSelfPromotionHintGroup: the self-promotion phrases, clear ones and
  // hints ("? " lines of self-promotion.txt), in the same scan.
  static constexpr std::size_t kScamPhraseGroup = 0;
  static constexpr std::size_t kDefaultKeywordGroup = 1;
  static constexpr std::size_t kSelfPromotionGroup = 2;
  static constexpr std::size_t kSelfPromotionHintGroup = 3;
  const PhraseMatcher& scam_paths() const { return scam_paths_; }

  struct Counts {
    std::size_t phishing_domains, phishing_prefixes, phishing_globs, suspicious_domains,
        scam_phrases, scam_paths, tlds, self_promotion, skipped;
  };
  Counts counts() const { return counts_; }

 private:
  Lists() : tlds_("") {}
  using HostSet = std::unordered_set<std::string, core::StringHash, std::equal_to<>>;
  static const std::string* FindHostOrParent(const HostSet& set, std::string_view host);
  // The phishing entry (host or parent) or glob that `host` matches, or nullptr.
  const std::string* PhishingEntry(std::string_view host) const;

  HostSet phishing_;
  HostSet suspicious_;
  bool AddPrefix(std::string_view entry, HostVerdict::Kind kind);
  // host -> (path prefix, kind): shortlinks and channel links that match on host + path only.
  std::unordered_map<std::string, PathPrefixes, core::StringHash, std::equal_to<>> prefixes_;
  HostGlobMatcher globs_;
  PhraseMatcher phrases_;
  PhraseMatcher scam_paths_;
  TldSet tlds_;
  Counts counts_{};
};

namespace detail {
// Generated at build time from data/ (cmake/EmbedData.cmake).
ListTexts EmbeddedListTexts();
}  // namespace detail

}  // namespace detect

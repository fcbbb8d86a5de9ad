#include "detect/lists.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "detect/detail/lines.h"
#include "detect/normalize.h"
#include "detect/policy.h"

namespace detect {

using detail::ForEachLine;

const std::vector<std::string_view> kListFileNames{
    "phishing-domains/combined-domains.txt",
    "phishing-domains/nikolaischunk-url-prefixes.txt",
    "phishing-domains/devspen-wildcard-patterns.txt",
    "phishing-domains/nikolaischunk-suspicious.txt",
    "scam-phrases/devspen-malicious-terms.txt",
    "scam-phrases/cliptok-scam-phrases.txt",
    "scam-phrases/devspen-trailing-paths.txt",
    "tlds.txt",
    "self-promotion.txt",
};

namespace {

// A list entry's host in the form message hosts take.
std::string EntryHost(std::string_view entry) { return CanonicalHost(Normalize(entry).text); }

}  // namespace

core::Result<std::shared_ptr<const Lists>> Lists::Build(const ListTexts& t) {
  std::shared_ptr<Lists> l(new Lists());
  l->tlds_ = TldSet(t.tlds);
  ForEachLine(t.phishing_domains, [&](std::string_view e) {
    std::string h = EntryHost(e);
    if (h.empty()) {
      ++l->counts_.skipped;
    } else {
      l->phishing_.insert(std::move(h));
    }
  });
  ForEachLine(t.suspicious_domains, [&](std::string_view e) {
    if (e.find('/') != std::string_view::npos) {  // "t.me/<channel>": host + path
      l->AddPrefix(e, HostVerdict::Kind::kSuspicious);
      return;
    }
    std::string h = EntryHost(e);
    if (h.empty()) {
      ++l->counts_.skipped;
    } else {
      l->suspicious_.insert(std::move(h));
    }
  });
  ForEachLine(t.phishing_prefixes, [&](std::string_view e) {
    if (l->AddPrefix(e, HostVerdict::Kind::kPhishing)) ++l->counts_.phishing_prefixes;
  });
  std::vector<std::string> globs;
  ForEachLine(t.phishing_globs, [&](std::string_view e) { globs.emplace_back(Normalize(e).text); });
  auto g = HostGlobMatcher::Compile(std::move(globs));
  if (!g) return std::unexpected(g.error());
  l->globs_ = std::move(*g);

  std::vector<std::string> phrases;
  // Fragments shorter than four characters ("i'") would match ordinary words. Short fragments
  // written in styled letters ("𝘄𝗲𝗲𝗸") only mean something in that style, which normalisation
  // erases, so they are left out too.
  auto add_phrase = [&](std::string_view e) {
    const Normalized n = Normalize(e);
    const bool styled = std::any_of(e.begin(), e.end(),
                                    [](char c) { return static_cast<unsigned char>(c) >= 0x80; }) &&
                        std::none_of(n.text.begin(), n.text.end(),
                                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    const auto words = std::count(n.skeleton.begin(), n.skeleton.end(), ' ') + 1;
    if (n.skeleton.size() < 4 || (styled && words < 3)) {
      ++l->counts_.skipped;
      return;
    }
    phrases.push_back(n.skeleton);
  };
  ForEachLine(t.scam_terms, add_phrase);
  ForEachLine(t.scam_phrases, add_phrase);
  std::vector<std::string> keywords;
  for (const std::string& k : DefaultKeywords()) keywords.push_back(Normalize(k).skeleton);
  std::vector<std::string> promotion, promotion_hints;
  ForEachLine(t.self_promotion, [&](std::string_view e) {
    if (e.front() == '#') return;
    if (e.starts_with("? ")) {
      promotion_hints.push_back(Normalize(e.substr(2)).skeleton);
    } else {
      promotion.push_back(Normalize(e).skeleton);
    }
  });
  std::vector<std::vector<std::string>> groups(4);
  groups[kScamPhraseGroup] = std::move(phrases);
  groups[kDefaultKeywordGroup] = std::move(keywords);
  groups[kSelfPromotionGroup] = std::move(promotion);
  groups[kSelfPromotionHintGroup] = std::move(promotion_hints);
  auto p = PhraseMatcher::CompileGroups(std::move(groups));
  if (!p) return std::unexpected(p.error());
  l->phrases_ = std::move(*p);

  std::vector<std::string> paths;
  ForEachLine(t.scam_paths, [&](std::string_view e) { paths.push_back(Normalize(e).text); });
  auto sp = PhraseMatcher::Compile(std::move(paths));
  if (!sp) return std::unexpected(sp.error());
  l->scam_paths_ = std::move(*sp);

  l->counts_.phishing_domains = l->phishing_.size();
  l->counts_.suspicious_domains = l->suspicious_.size();
  l->counts_.phishing_globs = l->globs_.size();
  l->counts_.scam_phrases = l->phrases_.group_size(kScamPhraseGroup);
  l->counts_.self_promotion =
      l->phrases_.group_size(kSelfPromotionGroup) + l->phrases_.group_size(kSelfPromotionHintGroup);
  l->counts_.scam_paths = l->scam_paths_.size();
  l->counts_.tlds = l->tlds_.size();
  if (l->tlds_.size() == 0) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "the top-level domain list is empty",
                      "tlds.txt");
  }
  return std::shared_ptr<const Lists>(std::move(l));
}

core::Result<std::shared_ptr<const Lists>> Lists::FromDirectory(const std::filesystem::path& dir) {
  std::vector<std::string> contents;
  for (std::string_view name : kListFileNames) {
    const std::filesystem::path file = dir / name;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return core::Fail(core::ErrorCode::kNotFound,
                        fmt::format("cannot read list file {}", file.string()), std::string(name));
    }
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) {
      return core::Fail(core::ErrorCode::kUnavailable,
                        fmt::format("error reading list file {}", file.string()),
                        std::string(name));
    }
    contents.push_back(std::move(s).str());
  }
  ListTexts t{contents[0], contents[1], contents[2], contents[3], contents[4],
              contents[5], contents[6], contents[7], contents[8]};
  return Build(t);
}

std::shared_ptr<const Lists> Lists::Embedded() {
  static const std::shared_ptr<const Lists> lists = [] {
    auto built = Build(detail::EmbeddedListTexts());
    // The embedded lists are checked by tests at build time; failing here is a build defect.
    if (!built) std::abort();
    return *built;
  }();
  return lists;
}

bool Lists::AddPrefix(std::string_view entry, HostVerdict::Kind kind) {
  const std::size_t slash = entry.find('/');
  std::string h = EntryHost(entry.substr(0, slash));
  if (h.empty() || slash == std::string_view::npos || slash + 1 >= entry.size()) {
    ++counts_.skipped;
    return false;
  }
  std::string path(entry.substr(slash));
  for (char& c : path) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  prefixes_[h].push_back({std::move(path), kind});
  return true;
}

const std::string* Lists::FindHostOrParent(const HostSet& set, std::string_view host) {
  // The host itself, then each parent with at least two labels.
  while (true) {
    if (auto it = set.find(host); it != set.end()) return &*it;
    const std::size_t dot = host.find('.');
    if (dot == std::string_view::npos) return nullptr;
    host.remove_prefix(dot + 1);
    if (host.find('.') == std::string_view::npos) return nullptr;
  }
}

const std::string* Lists::PhishingEntry(std::string_view host) const {
  if (const std::string* e = FindHostOrParent(phishing_, host)) return e;
  return globs_.Match(host);
}

bool Lists::IsPhishingHost(std::string_view host) const { return PhishingEntry(host) != nullptr; }

HostVerdict Lists::CheckLink(const Link& link) const { return CheckLink(link, Listing(link.host)); }

HostListing Lists::Listing(std::string_view host) const {
  HostListing l;
  l.phishing = PhishingEntry(host);
  if (l.phishing != nullptr) return l;  // nothing else matters then
  if (auto it = prefixes_.find(host); it != prefixes_.end()) l.prefixes = &it->second;
  l.suspicious = FindHostOrParent(suspicious_, host);
  return l;
}

HostVerdict Lists::CheckLink(const Link& link, const HostListing& listing) const {
  if (listing.phishing != nullptr) return {HostVerdict::Kind::kPhishing, *listing.phishing};
  HostVerdict suspicious;
  if (listing.prefixes != nullptr && !link.path.empty()) {
    for (const auto& [p, kind] : *listing.prefixes) {
      if (link.path.starts_with(p) && (link.path.size() == p.size() || link.path[p.size()] == '/' ||
                                       link.path[p.size()] == '?' || link.path[p.size()] == '#')) {
        if (kind == HostVerdict::Kind::kPhishing) return {kind, link.host + p};
        suspicious = {kind, link.host + p};
      }
    }
  }
  if (suspicious.kind != HostVerdict::Kind::kNone) return suspicious;
  if (listing.suspicious != nullptr) return {HostVerdict::Kind::kSuspicious, *listing.suspicious};
  return {};
}

}  // namespace detect

#include "detect/matcher.h"

#include <fmt/format.h>
#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <unordered_set>

namespace detect {
namespace {

std::atomic<std::uint64_t> next_database_serial{1};

// One scratch space per thread, grown to fit every database the thread scans with: once
// hs_alloc_scratch has seen a database, the (only growing) scratch stays valid for it, so each
// database is registered once per thread. `serial` names the database (an address could be reused
// by a reloaded list that needs more room).
hs_scratch_t* Scratch(const hs_database_t* db, std::uint64_t serial) {
  struct Holder {
    hs_scratch_t* scratch = nullptr;
    std::uint64_t last = 0;
    std::unordered_set<std::uint64_t> registered;
    ~Holder() { hs_free_scratch(scratch); }
  };
  thread_local Holder holder;
  if (holder.last == serial) return holder.scratch;
  if (!holder.registered.contains(serial)) {
    if (hs_alloc_scratch(db, &holder.scratch) != HS_SUCCESS) return nullptr;
    holder.registered.insert(serial);
  }
  holder.last = serial;
  return holder.scratch;
}

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

std::shared_ptr<hs_database> Own(hs_database_t* db) {
  return std::shared_ptr<hs_database>(db, [](hs_database_t* d) { hs_free_database(d); });
}

struct PhraseContext {
  const std::vector<std::string>* patterns;
  const std::vector<std::uint32_t>* group_ends;
  std::string_view text;
  std::size_t limit;
  std::vector<std::uint32_t>* found;
  std::array<std::size_t, PhraseMatcher::kMaxGroups> per_group{};
  std::size_t groups_full = 0;
};

int OnPhrase(unsigned int id, unsigned long long /*from*/, unsigned long long to,
             unsigned int /*flags*/, void* ctx) {
  auto& c = *static_cast<PhraseContext*>(ctx);
  const std::string& p = (*c.patterns)[id];
  const std::size_t end = static_cast<std::size_t>(to);
  const std::size_t start = end - p.size();
  const auto first = static_cast<unsigned char>(p.front());
  const auto last = static_cast<unsigned char>(p.back());
  if (IsWordByte(first) && start > 0 && IsWordByte(static_cast<unsigned char>(c.text[start - 1]))) {
    return 0;
  }
  if (IsWordByte(last) && end < c.text.size() &&
      IsWordByte(static_cast<unsigned char>(c.text[end]))) {
    return 0;
  }
  if (std::find(c.found->begin(), c.found->end(), id) != c.found->end()) return 0;
  std::size_t g = 0;
  while (id >= (*c.group_ends)[g]) ++g;
  if (c.per_group[g] >= c.limit) return 0;
  c.found->push_back(id);
  if (++c.per_group[g] == c.limit && ++c.groups_full == c.group_ends->size()) {
    return 1;  // every group has all it may report: stop scanning
  }
  return 0;
}

std::string GlobToRegex(std::string_view glob) {
  std::string re = "(^|\\.)";
  for (char ch : glob) {
    if (ch == '*') {
      re += "[a-z0-9_-]+";
    } else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_') {
      re += ch;
    } else {
      re += '\\';
      re += ch;
    }
  }
  re += '$';
  return re;
}

int OnGlob(unsigned int id, unsigned long long, unsigned long long, unsigned int, void* ctx) {
  *static_cast<int*>(ctx) = static_cast<int>(id);
  return 1;
}

}  // namespace

core::Result<PhraseMatcher> PhraseMatcher::Compile(std::vector<std::string> patterns) {
  std::vector<std::vector<std::string>> groups;
  groups.push_back(std::move(patterns));
  return CompileGroups(std::move(groups));
}

core::Result<PhraseMatcher> PhraseMatcher::CompileGroups(
    std::vector<std::vector<std::string>> groups) {
  if (groups.empty() || groups.size() > kMaxGroups) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("a phrase matcher has 1 to {} groups", kMaxGroups));
  }
  PhraseMatcher m;
  for (std::vector<std::string>& patterns : groups) {
    patterns.erase(std::remove_if(patterns.begin(), patterns.end(),
                                  [](const std::string& p) { return p.empty(); }),
                   patterns.end());
    std::sort(patterns.begin(), patterns.end());
    patterns.erase(std::unique(patterns.begin(), patterns.end()), patterns.end());
    for (std::string& p : patterns) m.patterns_.push_back(std::move(p));
    m.group_ends_.push_back(static_cast<std::uint32_t>(m.patterns_.size()));
  }
  if (m.patterns_.empty()) return m;

  std::vector<const char*> exprs;
  std::vector<std::size_t> lens;
  std::vector<unsigned> flags(m.patterns_.size(), 0);
  std::vector<unsigned> ids;
  for (std::size_t i = 0; i < m.patterns_.size(); ++i) {
    exprs.push_back(m.patterns_[i].data());
    lens.push_back(m.patterns_[i].size());
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                           static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db,
                           &err) != HS_SUCCESS) {
    std::string why = err && err->message ? err->message : "unknown error";
    const int which = err ? err->expression : -1;
    hs_free_compile_error(err);
    return core::Fail(
        core::ErrorCode::kInvalidArgument,
        fmt::format("cannot compile phrase list: {}{}", why,
                    which >= 0 ? fmt::format(" (phrase \"{}\")",
                                             m.patterns_[static_cast<std::size_t>(which)])
                               : std::string()));
  }
  m.db_ = Own(db);
  m.serial_ = next_database_serial++;
  if (!Scratch(db, m.serial_)) {
    return core::Fail(core::ErrorCode::kInternal, "cannot allocate Hyperscan scratch space");
  }
  return m;
}

std::vector<std::uint32_t> PhraseMatcher::Scan(std::string_view text, std::size_t limit) const {
  std::vector<std::uint32_t> found;
  ScanInto(text, limit, found);
  return found;
}

void PhraseMatcher::ScanInto(std::string_view text, std::size_t limit,
                             std::vector<std::uint32_t>& found) const {
  found.clear();
  if (!db_ || text.empty() || limit == 0) return;
  hs_scratch_t* scratch = Scratch(db_.get(), serial_);
  if (!scratch) return;
  PhraseContext ctx{&patterns_, &group_ends_, text, limit, &found};
  hs_scan(db_.get(), text.data(),
          static_cast<unsigned>(std::min<std::size_t>(text.size(), 1u << 30)), 0, scratch, OnPhrase,
          &ctx);
}

std::size_t PhraseMatcher::group(std::uint32_t index) const {
  std::size_t g = 0;
  while (g + 1 < group_ends_.size() && index >= group_ends_[g]) ++g;
  return g;
}

std::size_t PhraseMatcher::group_size(std::size_t group) const {
  if (group >= group_ends_.size()) return 0;
  return group_ends_[group] - (group == 0 ? 0 : group_ends_[group - 1]);
}

std::size_t PhraseMatcher::database_bytes() const {
  std::size_t n = 0;
  if (db_) hs_database_size(db_.get(), &n);
  return n;
}

core::Result<HostGlobMatcher> HostGlobMatcher::Compile(std::vector<std::string> globs) {
  HostGlobMatcher m;
  globs.erase(
      std::remove_if(globs.begin(), globs.end(), [](const std::string& g) { return g.empty(); }),
      globs.end());
  m.globs_ = std::move(globs);
  if (m.globs_.empty()) return m;
  std::vector<std::string> regexes;
  std::vector<const char*> exprs;
  std::vector<unsigned> flags(m.globs_.size(), HS_FLAG_SINGLEMATCH);
  std::vector<unsigned> ids;
  for (std::size_t i = 0; i < m.globs_.size(); ++i) regexes.push_back(GlobToRegex(m.globs_[i]));
  for (std::size_t i = 0; i < regexes.size(); ++i) {
    exprs.push_back(regexes[i].c_str());
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                       HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    std::string why = err && err->message ? err->message : "unknown error";
    const int which = err ? err->expression : -1;
    hs_free_compile_error(err);
    return core::Fail(
        core::ErrorCode::kInvalidArgument,
        fmt::format("cannot compile host pattern {}: {}",
                    which >= 0 ? m.globs_[static_cast<std::size_t>(which)] : "?", why));
  }
  m.db_ = Own(db);
  m.serial_ = next_database_serial++;
  if (!Scratch(db, m.serial_)) {
    return core::Fail(core::ErrorCode::kInternal, "cannot allocate Hyperscan scratch space");
  }
  return m;
}

const std::string* HostGlobMatcher::Match(std::string_view host) const {
  if (!db_ || host.empty()) return nullptr;
  hs_scratch_t* scratch = Scratch(db_.get(), serial_);
  if (!scratch) return nullptr;
  int id = -1;
  hs_scan(db_.get(), host.data(), static_cast<unsigned>(host.size()), 0, scratch, OnGlob, &id);
  return id >= 0 ? &globs_[static_cast<std::size_t>(id)] : nullptr;
}

}  // namespace detect

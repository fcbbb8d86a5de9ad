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

std::shared_ptr<hs_database> Own(hs_database_t* db) {
  return std::shared_ptr<hs_database>(db, [](hs_database_t* d) { hs_free_database(d); });
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

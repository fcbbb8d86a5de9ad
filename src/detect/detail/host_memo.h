// A per-engine memo of facts that depend on a link's host alone. Chat links repeat (the same few
// sites over and over), and the work per host is the costliest part of a link: comparing it with
// the brands scammers imitate, and looking it and its parents up in the phishing and unconfirmed
// lists. So each is done once per host rather than once per message, and only when a check first
// needs it. Direct-mapped and fixed in size (256 hosts); a collision simply replaces the older
// entry. The lists' facts point into the engine's lists: the engine clears the memo when it
// changes them.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "detect/lists.h"

namespace detect::detail {

struct HostFacts {
  std::string skeleton;  // the host with look-alikes undone (see lookalike_domain.cpp)
  int brand = -1;        // index of the brand the host imitates, or -1
};

class HostMemo {
 public:
  // The facts for `host`, computed by `compute(host)` on a miss.
  template <typename Compute>
  const HostFacts& Get(std::string_view host, Compute&& compute) {
    Entry& e = EntryFor(host);
    if (!e.have_facts) {
      e.facts = compute(host);
      e.have_facts = true;
    }
    return e.facts;
  }

  // What `lists` say about `host`; `lists` must be the ones every call since the last Clear() was
  // given.
  const HostListing& Listing(std::string_view host, const Lists& lists) {
    Entry& e = EntryFor(host);
    if (!e.have_listing) {
      e.listing = lists.Listing(host);
      e.have_listing = true;
    }
    return e.listing;
  }

  void Clear() {
    for (Entry& e : entries_) e = Entry{};
  }

 private:
  static constexpr std::size_t kEntries = 256;
  struct Entry {
    std::string host;
    bool used = false;
    bool have_facts = false;
    bool have_listing = false;
    HostFacts facts;
    HostListing listing;
  };
  Entry& EntryFor(std::string_view host) {
    Entry& e = entries_[std::hash<std::string_view>{}(host) % kEntries];
    if (!e.used || e.host != host) {
      e.host.assign(host);
      e.used = true;
      e.have_facts = false;
      e.have_listing = false;
    }
    return e;
  }
  std::array<Entry, kEntries> entries_{};
};

}  // namespace detect::detail

// A per-engine memo of facts that depend on a link's host alone. Chat links repeat (the same few
// sites over and over), and comparing a host with the brands scammers imitate is the costliest
// check per link, so it is done once per host rather than once per message. Direct-mapped and
// fixed in size (256 hosts); a collision simply replaces the older entry.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

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
    Entry& e = entries_[std::hash<std::string_view>{}(host) % kEntries];
    if (!e.used || e.host != host) {
      e.host.assign(host);
      e.facts = compute(host);
      e.used = true;
    }
    return e.facts;
  }

 private:
  static constexpr std::size_t kEntries = 256;
  struct Entry {
    std::string host;
    HostFacts facts;
    bool used = false;
  };
  std::array<Entry, kEntries> entries_{};
};

}  // namespace detect::detail

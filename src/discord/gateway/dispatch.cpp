#include "discord/gateway/dispatch.h"

#include <algorithm>
#include <array>

#include "discord/gateway/detail/events.h"

namespace discord::gateway {
namespace {

// Built on first use: the rows live in other translation units.
const std::array<EventEntry, 13>& Table() {
  static const std::array<EventEntry, 13> table = [] {
    const EventEntry* rows[] = {
        &detail::kGuildBanAdd,
        &detail::kGuildCreate,
        &detail::kGuildDelete,
        &detail::kGuildMemberAdd,
        &detail::kGuildMemberRemove,
        &detail::kGuildMemberUpdate,
        &detail::kInteractionCreate,
        &detail::kMessageCreate,
        &detail::kMessageDelete,
        &detail::kMessageUpdate,
        &detail::kReady,
        &detail::kResumed,
        &detail::kThreadCreate,
    };
    std::array<EventEntry, 13> out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = *rows[i];
    std::sort(out.begin(), out.end(),
              [](const EventEntry& a, const EventEntry& b) { return a.name < b.name; });
    return out;
  }();
  return table;
}

}  // namespace

std::span<const EventEntry> EventTable() { return Table(); }

bool Dispatcher::Dispatch(const GatewayPayload& payload) {
  const auto& table = Table();
  const auto it =
      std::lower_bound(table.begin(), table.end(), payload.event,
                       [](const EventEntry& e, const std::string& name) { return e.name < name; });
  const bool done =
      it != table.end() && it->name == payload.event && it->deliver(handlers_, payload);
  ++(done ? handled_ : ignored_);
  return done;
}

}  // namespace discord::gateway

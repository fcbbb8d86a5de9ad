// The dispatch table: from a gateway event's name to the handler the bot registered for it. One
// file per handled event under events/ (what it is, which intent it needs, what the bot does
// with it); the table lists them. Events without a handler, and events the table does not know,
// are counted and otherwise ignored: Discord adds events, and a bot must not trip on them.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "discord/model/entities.h"

namespace discord::gateway {

// The handlers the bot registers; an empty one ignores its event.
struct EventHandlers {
  std::function<void(const Ready&)> ready;
  std::function<void(const Resumed&)> resumed;
  std::function<void(const GuildCreate&)> guild_create;
  std::function<void(const GuildDelete&)> guild_delete;
  std::function<void(const GuildMemberAdd&)> guild_member_add;
  std::function<void(const GuildMemberUpdate&)> guild_member_update;
  std::function<void(const GuildMemberRemove&)> guild_member_remove;
  std::function<void(const GuildBanAdd&)> guild_ban_add;
  std::function<void(const Message&)> message_create;
  std::function<void(const MessageUpdate&)> message_update;
  std::function<void(const MessageDelete&)> message_delete;
  std::function<void(const ThreadCreate&)> thread_create;
  std::function<void(const InteractionCreate&)> interaction_create;
};

// One row of the table: an event name and how its payload reaches its handler (false when the
// handler is empty or the payload did not decode to the event's type).
struct EventEntry {
  std::string_view name;
  bool (*deliver)(const EventHandlers& handlers, const GatewayPayload& payload);
};

// The handled events, sorted by name.
std::span<const EventEntry> EventTable();

// Not thread-safe: one Dispatcher per shard (or per executor).
class Dispatcher {
 public:
  explicit Dispatcher(EventHandlers handlers) : handlers_(std::move(handlers)) {}
  // Hands a dispatch (op 0) to its handler; false if nobody handled it.
  bool Dispatch(const GatewayPayload& payload);
  std::uint64_t handled() const { return handled_; }
  std::uint64_t ignored() const { return ignored_; }

 private:
  EventHandlers handlers_;
  std::uint64_t handled_ = 0;
  std::uint64_t ignored_ = 0;
};

namespace detail {
// The deliver function of an event whose payload decodes to `T` and whose handler is `slot`.
template <class T, auto Slot>
bool Deliver(const EventHandlers& handlers, const GatewayPayload& payload) {
  const auto& handler = handlers.*Slot;
  const T* event = std::get_if<T>(&payload.data);
  if (!handler || event == nullptr) return false;
  handler(*event);
  return true;
}
}  // namespace detail

}  // namespace discord::gateway

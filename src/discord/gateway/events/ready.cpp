// READY: The session started: its id and resume URL (kept by the shard), the bot's user and the
// guilds to expect GUILD_CREATE for. No intent needed.
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kReady{"READY", &Deliver<Ready, &EventHandlers::ready>};

}  // namespace discord::gateway::detail

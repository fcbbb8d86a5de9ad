// GUILD_DELETE: a guild went unavailable (an outage) or the bot was removed from it. Intent GUILDS.
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kGuildDelete{"GUILD_DELETE", &Deliver<GuildDelete, &EventHandlers::guild_delete>};

}  // namespace discord::gateway::detail

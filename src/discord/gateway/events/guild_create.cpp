// GUILD_CREATE: a guild became available (after READY, an outage, or the bot joining it): the bot
// ensures its server row and loads its configuration. Intent GUILDS.
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kGuildCreate{"GUILD_CREATE", &Deliver<GuildCreate, &EventHandlers::guild_create>};

}  // namespace discord::gateway::detail

// GUILD_BAN_ADD: a ban, also one made outside the bot: it resolves the open case and is recorded.
// Intent GUILD_MODERATION.
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kGuildBanAdd{"GUILD_BAN_ADD",
                              &Deliver<GuildBanAdd, &EventHandlers::guild_ban_add>};

}  // namespace discord::gateway::detail

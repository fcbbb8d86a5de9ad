// GUILD_MEMBER_UPDATE: a member's roles, nickname or timeout changed (also by the bot's own
// actions). Intent GUILD_MEMBERS (privileged).
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kGuildMemberUpdate{
    "GUILD_MEMBER_UPDATE", &Deliver<GuildMemberUpdate, &EventHandlers::guild_member_update>};

}  // namespace discord::gateway::detail

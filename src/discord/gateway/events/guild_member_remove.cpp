// GUILD_MEMBER_REMOVE: a member left, was kicked or banned: the member's case status follows.
// Intent GUILD_MEMBERS (privileged).
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kGuildMemberRemove{
    "GUILD_MEMBER_REMOVE", &Deliver<GuildMemberRemove, &EventHandlers::guild_member_remove>};

}  // namespace discord::gateway::detail

// GUILD_MEMBER_ADD: a member joined: join detection (account age, raid bursts, username and
// avatar). Intent GUILD_MEMBERS (privileged).
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kGuildMemberAdd{"GUILD_MEMBER_ADD",
                                 &Deliver<GuildMemberAdd, &EventHandlers::guild_member_add>};

}  // namespace discord::gateway::detail

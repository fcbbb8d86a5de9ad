// MESSAGE_DELETE: a message was deleted (by its author, a moderator or the bot). Intent
// GUILD_MESSAGES.
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kMessageDelete{"MESSAGE_DELETE",
                                &Deliver<MessageDelete, &EventHandlers::message_delete>};

}  // namespace discord::gateway::detail

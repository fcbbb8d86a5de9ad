// MESSAGE_UPDATE: a message was edited (spam edited in after posting). Intent GUILD_MESSAGES.
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kMessageUpdate{"MESSAGE_UPDATE",
                                &Deliver<MessageUpdate, &EventHandlers::message_update>};

}  // namespace discord::gateway::detail

// MESSAGE_CREATE: a message: message detection (bots, system messages and DMs are skipped by the
// bot). Intent GUILD_MESSAGES; its content needs MESSAGE_CONTENT (privileged).
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kMessageCreate{"MESSAGE_CREATE",
                                &Deliver<Message, &EventHandlers::message_create>};

}  // namespace discord::gateway::detail

// INTERACTION_CREATE: a slash command or a button press: to the command and component routers,
// which answer within 3 s. No intent needed.
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kInteractionCreate{
    "INTERACTION_CREATE", &Deliver<InteractionCreate, &EventHandlers::interaction_create>};

}  // namespace discord::gateway::detail

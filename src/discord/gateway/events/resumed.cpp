// RESUMED: a Resume completed: the replay of missed dispatches is over. No intent needed.
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kResumed{"RESUMED", &Deliver<Resumed, &EventHandlers::resumed>};

}  // namespace discord::gateway::detail

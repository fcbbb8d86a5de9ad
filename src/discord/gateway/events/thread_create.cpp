// THREAD_CREATE: a thread was created, or the bot was added to a private one (verification
// threads). Intent GUILDS.
#include "discord/gateway/detail/events.h"

namespace discord::gateway::detail {

const EventEntry kThreadCreate{"THREAD_CREATE",
                               &Deliver<ThreadCreate, &EventHandlers::thread_create>};

}  // namespace discord::gateway::detail

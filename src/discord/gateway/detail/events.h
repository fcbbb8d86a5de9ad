// The rows of the dispatch table, one per file in events/. Internal to discord/gateway.
#pragma once

#include "discord/gateway/dispatch.h"

namespace discord::gateway::detail {

extern const EventEntry kGuildBanAdd;
extern const EventEntry kGuildCreate;
extern const EventEntry kGuildDelete;
extern const EventEntry kGuildMemberAdd;
extern const EventEntry kGuildMemberRemove;
extern const EventEntry kGuildMemberUpdate;
extern const EventEntry kInteractionCreate;
extern const EventEntry kMessageCreate;
extern const EventEntry kMessageDelete;
extern const EventEntry kMessageUpdate;
extern const EventEntry kReady;
extern const EventEntry kResumed;
extern const EventEntry kThreadCreate;

}  // namespace discord::gateway::detail

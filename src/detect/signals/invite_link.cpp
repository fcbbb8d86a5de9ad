// invite_link: a Discord server invite (discord.gg/x, discord.com/invite/x,
// discordapp.com/invite/x).
#include "detect/detail/context.h"

namespace detect::detail {

void CheckInviteLink(const MessageContext& c, Findings& f) {
  for (const Link& l : c.links.links) {
    const bool gg = (l.host == "discord.gg" || l.host == "www.discord.gg") && l.path.size() > 1;
    const bool invite =
        (l.host == "discord.com" || l.host == "discordapp.com" || l.host == "www.discord.com" ||
         l.host == "ptb.discord.com" || l.host == "canary.discord.com") &&
        l.path.starts_with("/invite/");
    if (gg || invite) {
      f.Fire(SignalCode::kInviteLink, 1.0, "posts a Discord invite", l.host + l.path);
      return;
    }
  }
}

}  // namespace detect::detail

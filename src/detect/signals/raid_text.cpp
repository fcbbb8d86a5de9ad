// raid_text: the same text (letters only, like duplicate) from raid_text.users different members
// within raid_text.window_seconds: a coordinated spam raid. Only texts with something to spread
// count (a link, a mention, or at least 40 letters): a busy server saying "happy new year
// everyone" at midnight is not a raid.
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

namespace {
[[gnu::cold, gnu::noinline]] void Fire(int senders, const PolicyData& p, Findings& f) {
  f.Fire(SignalCode::kRaidText, 1.0,
         Format(FMT_COMPILE("{} members sent this text within {} s"), senders,
                p.raid_text_window.count()),
         std::to_string(senders));
}
}  // namespace

void CheckRaidText(const MessageContext& c, Findings& f) {
  if (c.letters_hash == 0) return;
  const bool spreads = !c.links.links.empty() || c.sample.user_mentions > 0 ||
                       c.sample.role_mentions > 0 || c.sample.mentions_everyone ||
                       c.norm.letter_count >= 40;
  if (!spreads) return;
  const PolicyData& p = c.policy.data();
  const Tick window = Ticks(p.raid_text_window);
  RaidTexts& texts = c.guild.texts;
  const std::size_t slot = texts.Find(c.letters_hash, c.now, window);
  RaidSenders& r = texts.senders[slot];
  if (c.now < r.first || c.now - r.first >= window) {
    r = RaidSenders{};
    r.first = c.now;
  }
  texts.lasts[slot] = c.now;
  const std::uint64_t id = c.sample.author.id.value();
  const auto user = static_cast<std::uint16_t>((id * 0x9E3779B97F4A7C15ULL) >> 48);
  const auto end = r.users.begin() + r.count;
  if (std::find(r.users.begin(), end, user) == end && r.count < RaidSenders::kUsers) {
    r.users[r.count++] = user;
  }
  if (r.count >= p.raid_text_users) Fire(r.count, p, f);
}

}  // namespace detect::detail

// new_member: joined the guild less than new_member.hours ago. first_message_link: a link to a
// host that is not trusted among a new member's first first_messages.count messages.
#include <fmt/compile.h>
#include <fmt/format.h>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

namespace {
[[gnu::cold, gnu::noinline]] void Fire(const MessageContext& c, core::Timestamp::duration since,
                                       Findings& f) {
  const Author& a = c.sample.author;
  const PolicyData& p = c.policy.data();
  const auto hours =
      std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::hours>(since).count());
  f.Fire(SignalCode::kNewMember, 1.0, Format(FMT_COMPILE("joined {} hours ago"), hours),
         std::to_string(hours) + "h");

  const std::int64_t nth = std::max<std::int64_t>(a.messages_in_guild, c.member.seen - 1) + 1;
  if (nth > p.first_messages) return;
  for (std::size_t i = 0; i < c.links.links.size(); ++i) {
    if (c.Trusted(i)) continue;
    const Link& l = c.links.links[i];
    f.Fire(SignalCode::kFirstMessageLink, 1.0,
           Format(FMT_COMPILE("a link in message {} since joining"), nth), l.host);
    return;
  }
}
}  // namespace

void CheckNewMember(const MessageContext& c, Findings& f) {
  const Author& a = c.sample.author;
  const PolicyData& p = c.policy.data();
  if (!a.joined_at || p.new_member_age.count() == 0) return;
  const auto since = c.sample.at - *a.joined_at;
  if (since < p.new_member_age) Fire(c, since, f);
}

}  // namespace detect::detail

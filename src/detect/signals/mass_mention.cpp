// mass_mention: many user and role mentions in one message.
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

namespace {
[[gnu::cold, gnu::noinline]] void Fire(std::int64_t n, int limit, Findings& f) {
  f.Fire(SignalCode::kMassMention,
         std::min(1.0, 0.7 + 0.3 * static_cast<double>(n - limit) / limit),
         Format(FMT_COMPILE("{} mentions in one message (limit {})"), n, limit), std::to_string(n));
}
}  // namespace

void CheckMassMention(const MessageContext& c, Findings& f) {
  const std::int64_t n =
      std::int64_t{std::max(0, c.sample.user_mentions)} + std::max(0, c.sample.role_mentions);
  const int limit = c.policy.data().mass_mentions;
  if (n >= limit) Fire(n, limit, f);
}

}  // namespace detect::detail

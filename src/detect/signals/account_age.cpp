// new_account: the account (its age read from the snowflake) is younger than new_account.hours.
// Stronger the younger it is.
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

namespace {
[[gnu::cold, gnu::noinline]] void Fire(core::Timestamp::duration age,
                                       core::Timestamp::duration limit, Findings& f) {
  const double fraction = std::max(0.0, std::chrono::duration<double>(age).count()) /
                          std::chrono::duration<double>(limit).count();
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(age).count();
  f.Fire(SignalCode::kNewAccount, std::clamp(1.0 - 0.5 * fraction, 0.5, 1.0),
         hours < 48
             ? Format(FMT_COMPILE("account created {} hours ago"), std::max<std::int64_t>(0, hours))
             : Format(FMT_COMPILE("account created {} days ago"), hours / 24),
         std::to_string(std::max<std::int64_t>(0, hours)) + "h");
}
}  // namespace

void CheckAccountAge(const Author& a, core::Timestamp now, const CompiledPolicy& p, Findings& f) {
  const auto limit = p.data().new_account_age;
  if (limit.count() == 0 || a.id.value() == 0) return;
  const auto age = now - std::chrono::time_point_cast<core::Timestamp::duration>(a.id.CreatedAt());
  if (age < limit) Fire(age, limit, f);
}

}  // namespace detect::detail

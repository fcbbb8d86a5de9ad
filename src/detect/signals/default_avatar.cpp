// default_avatar: no avatar on an account younger than new_account.hours (fresh throwaway
// accounts rarely set one).
#include "detect/detail/context.h"

namespace detect::detail {

void CheckDefaultAvatar(const Author& a, core::Timestamp now, const CompiledPolicy& p,
                        Findings& f) {
  if (a.has_avatar || a.id.value() == 0) return;
  const auto age = now - std::chrono::time_point_cast<core::Timestamp::duration>(a.id.CreatedAt());
  if (age >= p.data().new_account_age) return;
  f.Fire(SignalCode::kDefaultAvatar, 1.0, "default avatar on a new account", "no avatar");
}

}  // namespace detect::detail

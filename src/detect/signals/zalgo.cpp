// zalgo: text drowned in stacked combining marks (U+0300-U+036F, U+1AB0-U+1AFF, U+1DC0-U+1DFF,
// U+20D0-U+20FF, U+FE20-U+FE2F), counted in the text as sent (TextShape).
#include <fmt/compile.h>
#include <fmt/format.h>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {

namespace {
[[gnu::cold, gnu::noinline]] void Fire(int marks, Findings& f) {
  f.Fire(SignalCode::kZalgo, 1.0, Format(FMT_COMPILE("{} stacked combining marks"), marks),
         std::to_string(marks));
}
}  // namespace

void CheckZalgo(const MessageContext& c, Findings& f) {
  const int marks = c.norm.shape.marks;
  if (marks >= c.policy.data().zalgo_marks) Fire(marks, f);
}

}  // namespace detect::detail

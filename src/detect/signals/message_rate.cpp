// message_rate: more than rate.max_messages messages from one member within rate.window_seconds
// (drasil's ">5 in 10 s", per guild). The member's last 16 message times are kept in a ring.
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace detect::detail {
namespace {

// How many of the member's remembered times are less than `window` before `now`: over the whole
// ring, four at a time with SSE2 (baseline on x86-64), slots not yet used left out. A time after
// `now` (clocks disagree) wraps around to a huge age and does not count either.
int InWindow(const MemberState& m, Tick now, Tick window) {
  static_assert(MemberState::kTimes % 4 == 0);
#if defined(__SSE2__)
  // Unsigned comparison through signed: flip the top bit of both sides.
  const __m128i flip = _mm_set1_epi32(static_cast<int>(0x80000000u));
  const __m128i limit = _mm_xor_si128(_mm_set1_epi32(static_cast<int>(window)), flip);
  const __m128i now4 = _mm_set1_epi32(static_cast<int>(now));
  const __m128i count = _mm_set1_epi32(m.time_count);
  __m128i lane = _mm_setr_epi32(0, 1, 2, 3);
  __m128i sum = _mm_setzero_si128();
  for (std::size_t i = 0; i < MemberState::kTimes; i += 4) {
    const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m.times.data() + i));
    const __m128i age = _mm_xor_si128(_mm_sub_epi32(now4, t), flip);
    const __m128i in = _mm_and_si128(_mm_cmplt_epi32(age, limit), _mm_cmplt_epi32(lane, count));
    sum = _mm_sub_epi32(sum, in);  // a match is -1
    lane = _mm_add_epi32(lane, _mm_set1_epi32(4));
  }
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(1, 0, 3, 2)));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(sum);
#else
  int n = 0;
  for (std::size_t i = 0; i < m.time_count; ++i) n += static_cast<int>(now - m.times[i] < window);
  return n;
#endif
}

[[gnu::cold, gnu::noinline]] void Fire(int in_window, const PolicyData& p, Findings& f) {
  const double over =
      static_cast<double>(in_window - p.rate_max_messages - 1) / p.rate_max_messages;
  f.Fire(SignalCode::kMessageRate, std::min(1.0, 0.8 + 0.2 * over),
         Format(FMT_COMPILE("{} messages in {} s (limit {})"), in_window, p.rate_window.count(),
                p.rate_max_messages),
         std::to_string(in_window));
}
}  // namespace

void CheckMessageRate(const MessageContext& c, Findings& f) {
  MemberState& m = c.member;
  m.times[m.time_head] = c.now;
  m.time_head = static_cast<std::uint8_t>((m.time_head + 1) % MemberState::kTimes);
  if (m.time_count < MemberState::kTimes) ++m.time_count;

  const PolicyData& p = c.policy.data();
  const Tick window = Ticks(p.rate_window);
  const int in_window = InWindow(m, c.now, window);
  if (in_window > p.rate_max_messages) Fire(in_window, p, f);
}

}  // namespace detect::detail

// Analytics deltas as the store adds them (AnalyticsRepo::Add and CounterWriter share these).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "store/records.h"

namespace store::pg::detail {

// The schema CHECK analytics_counts_nonnegative, applied to a delta.
bool NonNegative(const AnalyticsDay& d);
// `earlier || later` as jsonb computes it, done on text: the members of both objects in one
// object; jsonb keeps the last of duplicate keys, so `later`'s keys win, as with ||. Text that is
// not an object is kInvalidArgument ("<what>: metrics must be a JSON object"); anything else the
// server would refuse is left to the server's jsonb input.
core::Result<std::string> MergeMetrics(std::string_view earlier, std::string_view later,
                                       std::string_view what);

}  // namespace store::pg::detail

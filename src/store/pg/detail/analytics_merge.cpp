#include "store/pg/detail/analytics_merge.h"

#include <optional>

namespace store::pg::detail {
namespace {

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

// The members of the JSON object text `s` without its braces ("" for {}); nullopt if `s` is not
// shaped like an object.
std::optional<std::string_view> Members(std::string_view s) {
  s = Trim(s);
  if (s.size() < 2 || s.front() != '{' || s.back() != '}') return std::nullopt;
  return Trim(s.substr(1, s.size() - 2));
}

}  // namespace

bool NonNegative(const AnalyticsDay& d) {
  return d.detection_count >= 0 && d.verification_count >= 0 && d.ban_count >= 0 &&
         d.verify_count >= 0 && d.false_positive_count >= 0 && d.gpt_call_count >= 0 &&
         d.message_count >= 0 && d.join_count >= 0;
}

core::Result<std::string> MergeMetrics(std::string_view earlier, std::string_view later,
                                       std::string_view what) {
  auto a = Members(earlier);
  auto b = Members(later);
  if (!a || !b) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      std::string(what) + ": metrics must be a JSON object", "metrics");
  }
  if (a->empty()) return std::string(later);
  if (b->empty()) return std::string(earlier);
  return "{" + std::string(*a) + "," + std::string(*b) + "}";
}

}  // namespace store::pg::detail

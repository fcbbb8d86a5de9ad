#include "discord/model/timestamp.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>

namespace discord {
namespace {

int Digits(std::string_view s, std::size_t at, std::size_t n, bool& ok) {
  int v = 0;
  if (at + n > s.size()) {
    ok = false;
    return 0;
  }
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') ok = false;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

struct Parts {
  int year;
  unsigned month, day;
  long hours, minutes, seconds;
  std::int64_t micros;
};

Parts Split(core::Timestamp t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{t - days};
  return Parts{static_cast<int>(ymd.year()),
               static_cast<unsigned>(ymd.month()),
               static_cast<unsigned>(ymd.day()),
               hms.hours().count(),
               hms.minutes().count(),
               hms.seconds().count(),
               hms.subseconds().count()};
}

}  // namespace

core::Result<core::Timestamp> ParseTimestamp(std::string_view s) {
  auto bad = [&] {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("\"{}\" is not an ISO 8601 timestamp", s.substr(0, 40)),
                      "timestamp");
  };
  bool ok =
      s.size() >= 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':';
  if (!ok) return bad();
  const int year = Digits(s, 0, 4, ok), month = Digits(s, 5, 2, ok), day = Digits(s, 8, 2, ok);
  const int hour = Digits(s, 11, 2, ok), minute = Digits(s, 14, 2, ok),
            second = Digits(s, 17, 2, ok);
  if (!ok) return bad();
  std::size_t i = 19;
  std::int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 6) micros = micros * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return bad();
    for (int d = digits; d < 6; ++d) micros *= 10;
  }
  int offset_minutes = 0;
  if (i < s.size() && s[i] == 'Z') {
    ++i;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    const int oh = Digits(s, i + 1, 2, ok), om = Digits(s, i + 4, 2, ok);
    if (!ok || oh > 23 || om > 59) return bad();
    offset_minutes = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    i += 6;
  } else {
    return bad();
  }
  if (i != s.size()) return bad();
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                        std::chrono::day(day)};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return bad();
  const auto t = std::chrono::sys_days(ymd) + std::chrono::hours(hour) +
                 std::chrono::minutes(minute - offset_minutes) + std::chrono::seconds(second) +
                 std::chrono::microseconds(micros);
  return core::Timestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()));
}

std::string FormatTimestamp(core::Timestamp t) {
  const Parts p = Split(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00", p.year, p.month, p.day,
                     p.hours, p.minutes, p.seconds, p.micros);
}

std::string FormatRequestTimestamp(core::Timestamp t) {
  const Parts p = Split(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", p.year, p.month, p.day, p.hours,
                     p.minutes, p.seconds, p.micros / 1000);
}

}  // namespace discord

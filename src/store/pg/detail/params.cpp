#include "store/pg/detail/params.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

namespace store::pg::detail {
namespace {

using core::ErrorCode;
using core::Fail;

bool ReadInt(std::string_view& s, std::size_t digits, int& out) {
  if (s.size() < digits) return false;
  int v = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  s.remove_prefix(digits);
  return true;
}

bool Expect(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

}  // namespace

std::string FormatTimestamp(core::Timestamp t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd(day);
  hh_mm_ss<microseconds> tod(t - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", int(ymd.year()),
                     unsigned(ymd.month()), unsigned(ymd.day()), tod.hours().count(),
                     tod.minutes().count(), tod.seconds().count(), tod.subseconds().count());
}

core::Result<core::Timestamp> ParseTimestamp(std::string_view text) {
  using namespace std::chrono;
  auto bad = [&] {
    return Fail(ErrorCode::kInternal, "unexpected timestamp text '" + std::string(text) + "'");
  };
  std::string_view s = text;
  int y, mo, d, h, mi, sec;
  if (!ReadInt(s, 4, y) || !Expect(s, '-') || !ReadInt(s, 2, mo) || !Expect(s, '-') ||
      !ReadInt(s, 2, d)) {
    return bad();
  }
  if (s.empty() || (s.front() != ' ' && s.front() != 'T')) return bad();
  s.remove_prefix(1);
  if (!ReadInt(s, 2, h) || !Expect(s, ':') || !ReadInt(s, 2, mi) || !Expect(s, ':') ||
      !ReadInt(s, 2, sec)) {
    return bad();
  }
  long micros = 0;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    int n = 0;
    while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
      if (n < 6) micros = micros * 10 + (s.front() - '0');
      ++n;
      s.remove_prefix(1);
    }
    if (n == 0) return bad();
    for (; n < 6; ++n) micros *= 10;
  }
  int offset_seconds = 0;
  if (!s.empty() && s.front() == 'Z') {
    s.remove_prefix(1);
  } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    int sign = s.front() == '+' ? 1 : -1;
    s.remove_prefix(1);
    int oh = 0, om = 0, os = 0;
    if (!ReadInt(s, 2, oh)) return bad();
    if (!s.empty() && s.front() == ':') {
      s.remove_prefix(1);
      if (!ReadInt(s, 2, om)) return bad();
      if (!s.empty() && s.front() == ':') {
        s.remove_prefix(1);
        if (!ReadInt(s, 2, os)) return bad();
      }
    }
    offset_seconds = sign * (oh * 3600 + om * 60 + os);
  } else {
    return bad();
  }
  if (!s.empty()) return bad();
  year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return bad();
  auto t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec) + microseconds(micros) -
           seconds(offset_seconds);
  return core::Timestamp(t);
}

std::string FormatDate(Date d) {
  return fmt::format("{:04}-{:02}-{:02}", int(d.year()), unsigned(d.month()), unsigned(d.day()));
}

core::Result<Date> ParseDate(std::string_view text) {
  std::string_view s = text;
  int y, m, d;
  if (!ReadInt(s, 4, y) || !Expect(s, '-') || !ReadInt(s, 2, m) || !Expect(s, '-') ||
      !ReadInt(s, 2, d) || !s.empty()) {
    return Fail(ErrorCode::kInternal, "unexpected date text '" + std::string(text) + "'");
  }
  Date date{std::chrono::year(y), std::chrono::month(unsigned(m)), std::chrono::day(unsigned(d))};
  if (!date.ok()) return Fail(ErrorCode::kInternal, "invalid date '" + std::string(text) + "'");
  return date;
}

std::string FormatTextArray(std::span<const std::string> items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

core::Result<std::vector<std::string>> ParseTextArray(std::string_view text) {
  auto bad = [&] {
    return Fail(ErrorCode::kInternal, "unexpected text[] value '" + std::string(text) + "'");
  };
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return bad();
  std::string_view s = text.substr(1, text.size() - 2);
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::string item;
    if (i < s.size() && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        char c = s[i++];
        if (c == '\\') {
          if (i >= s.size()) return bad();
          item += s[i++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          item += c;
        }
      }
      if (!closed) return bad();
    } else {
      std::size_t end = s.find(',', i);
      if (end == std::string_view::npos) end = s.size();
      item.assign(s.substr(i, end - i));
      if (item == "NULL" || item.empty()) return bad();
      i = end;
    }
    out.push_back(std::move(item));
    if (i == s.size()) break;
    if (s[i] != ',') return bad();
    ++i;
  }
  return out;
}

std::string Params::ToArrayLiteral() const {
  std::string out = "{";
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (i) out += ',';
    if (!values_[i]) {
      out += "NULL";
      continue;
    }
    const std::string one = FormatTextArray(std::span(&*values_[i], 1));  // {"..."}
    out.append(one, 1, one.size() - 2);
  }
  out += '}';
  return out;
}

Params& Params::Add(double v) {
  if (!std::isfinite(v)) {
    values_.emplace_back(std::isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"));
  } else {
    values_.emplace_back(fmt::format("{}", v));
  }
  return *this;
}

}  // namespace store::pg::detail

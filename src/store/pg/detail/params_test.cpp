#include "store/pg/detail/params.h"

#include <gtest/gtest.h>

namespace store::pg::detail {
namespace {

using namespace std::chrono;

TEST(TimestampCodecTest, FormatsUtcIso8601) {
  core::Timestamp t = sys_days(year(2025) / 3 / 27) + hours(10) + minutes(11) + seconds(12) +
                      microseconds(123456);
  EXPECT_EQ(FormatTimestamp(t), "2025-03-27T10:11:12.123456Z");
}

TEST(TimestampCodecTest, ParsesServerOutputWithAnyOffset) {
  core::Timestamp utc = sys_days(year(2025) / 3 / 27) + hours(10) + minutes(11) + seconds(12);
  EXPECT_EQ(*ParseTimestamp("2025-03-27 10:11:12+00"), utc);
  EXPECT_EQ(*ParseTimestamp("2025-03-27 12:11:12+02"), utc);
  EXPECT_EQ(*ParseTimestamp("2025-03-27 04:41:12-05:30"), utc);
  EXPECT_EQ(*ParseTimestamp("2025-03-27T10:11:12Z"), utc);
  EXPECT_EQ(*ParseTimestamp("2025-03-27 10:11:12.5+00"), utc + milliseconds(500));
  EXPECT_EQ(*ParseTimestamp("2025-03-27 10:11:12.000001+00"), utc + microseconds(1));
}

TEST(TimestampCodecTest, RoundTrips) {
  core::Timestamp t = sys_days(year(2031) / 12 / 31) + hours(23) + microseconds(999999);
  EXPECT_EQ(*ParseTimestamp(FormatTimestamp(t)), t);
}

TEST(TimestampCodecTest, RefusesAnythingElse) {
  for (std::string_view bad : {"", "infinity", "-infinity", "2025-03-27", "2025-03-27 10:11:12",
                               "2025-13-01 00:00:00+00", "2025-02-30 00:00:00+00",
                               "2025-03-27 25:00:00+00", "2025-03-27 10:11:12.+00",
                               "2025-03-27 10:11:12+0", "2025-03-27 10:11:12+00 BC",
                               "20250327 101112+00"}) {
    auto r = ParseTimestamp(bad);
    EXPECT_FALSE(r.has_value()) << bad;
  }
}

TEST(DateCodecTest, RoundTripsAndRefusesGarbage) {
  Date d = year(2026) / 11 / 24;
  EXPECT_EQ(FormatDate(d), "2026-11-24");
  EXPECT_EQ(*ParseDate("2026-11-24"), d);
  EXPECT_FALSE(ParseDate("2026-11-31").has_value());
  EXPECT_FALSE(ParseDate("26-11-24").has_value());
}

TEST(TextArrayCodecTest, QuotesEveryElement) {
  std::vector<std::string> items{"plain", "with space", "quote \" and \\ backslash", "", "{,}"};
  EXPECT_EQ(FormatTextArray(items),
            R"({"plain","with space","quote \" and \\ backslash","","{,}"})");
  EXPECT_EQ(FormatTextArray({}), "{}");
}

TEST(TextArrayCodecTest, ParsesServerOutput) {
  EXPECT_EQ(*ParseTextArray("{}"), std::vector<std::string>{});
  EXPECT_EQ(*ParseTextArray("{a,b}"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*ParseTextArray(R"({"a b","c\"d","e\\f",""})"),
            (std::vector<std::string>{"a b", "c\"d", "e\\f", ""}));
  std::vector<std::string> items{"x", "y z", "\"", "\\"};
  EXPECT_EQ(*ParseTextArray(FormatTextArray(items)), items);
}

TEST(TextArrayCodecTest, RefusesMalformedAndNull) {
  for (std::string_view bad : {"", "{", "a,b", "{a,NULL}", R"({"unterminated})", "{a,,b}",
                               R"({"a"b})", "{\"a\\"}) {
    EXPECT_FALSE(ParseTextArray(bad).has_value()) << bad;
  }
}

TEST(ParamsTest, ConvertsTypedValues) {
  Params p(core::GuildId(12), std::optional<core::UserId>(), true, 3, 0.5, VerificationStatus::kBanned,
           std::string("x"));
  const auto& v = p.values();
  ASSERT_EQ(v.size(), 7u);
  EXPECT_EQ(v[0], "12");
  EXPECT_FALSE(v[1].has_value());
  EXPECT_EQ(v[2], "true");
  EXPECT_EQ(v[3], "3");
  EXPECT_EQ(v[4], "0.5");
  EXPECT_EQ(v[5], "banned");
  EXPECT_EQ(v[6], "x");
}

TEST(ParamsTest, ColumnAsArrayLiteralKeepsNulls) {
  Params column(std::string("a\"b"), std::nullopt, std::string("NULL"));
  EXPECT_EQ(column.ToArrayLiteral(), R"({"a\"b",NULL,"NULL"})");
  EXPECT_EQ(Params().ToArrayLiteral(), "{}");
}

}  // namespace
}  // namespace store::pg::detail

// Statement parameters as text (NULL = nullopt), built from the store's typed values. Every
// statement is parameterised: values never become part of SQL text.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "store/records.h"

namespace store::pg::detail {

// "2025-03-27T10:11:12.123456Z": ISO 8601 in UTC, accepted by timestamptz input in any DateStyle.
std::string FormatTimestamp(core::Timestamp t);
// Parses timestamptz output in ISO DateStyle: "2025-03-27 10:11:12.123456+00" (any offset, with
// or without fraction, 'T' or ' '). Anything else is kInternal: the server answered unexpectedly.
core::Result<core::Timestamp> ParseTimestamp(std::string_view text);
std::string FormatDate(Date d);
core::Result<Date> ParseDate(std::string_view text);
// A PostgreSQL array literal of the given strings: {"a","b \"c\""}; every element quoted and
// escaped, so any text is safe. An empty span gives {}.
std::string FormatTextArray(std::span<const std::string> items);
// Parses a one-dimensional text[] in output format. NULL elements are refused (kInternal).
core::Result<std::vector<std::string>> ParseTextArray(std::string_view text);

class Params {
 public:
  Params() = default;
  template <class... A>
  explicit Params(const A&... args) {
    (Add(args), ...);
  }

  Params& Add(std::nullopt_t) { values_.emplace_back(std::nullopt); return *this; }
  Params& Add(const std::string& v) { values_.emplace_back(v); return *this; }
  Params& Add(std::string_view v) { values_.emplace_back(std::string(v)); return *this; }
  Params& Add(const char* v) { values_.emplace_back(std::string(v)); return *this; }
  Params& Add(bool v) { values_.emplace_back(v ? "true" : "false"); return *this; }
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  Params& Add(I v) { values_.emplace_back(std::to_string(v)); return *this; }
  Params& Add(double v);
  Params& Add(core::Timestamp v) { values_.emplace_back(FormatTimestamp(v)); return *this; }
  Params& Add(Date v) { values_.emplace_back(FormatDate(v)); return *this; }
  Params& Add(const Uuid& v) { values_.emplace_back(v.value); return *this; }
  Params& Add(const std::vector<std::string>& v) {
    values_.emplace_back(FormatTextArray(v));
    return *this;
  }
  template <class Tag>
  Params& Add(core::Id<Tag> v) { values_.emplace_back(v.ToString()); return *this; }
  template <class T>
  Params& Add(const std::optional<T>& v) {
    if (v) return Add(*v);
    return Add(std::nullopt);
  }
  // Enums of records.h travel as their database spelling.
  template <class E>
    requires std::is_enum_v<E>
  Params& Add(E v) { values_.emplace_back(std::string(store::ToString(v))); return *this; }

  const std::vector<std::optional<std::string>>& values() const { return values_; }

  // All values as one PostgreSQL array literal, NULL for nullopt: {"a",NULL,"b"}. Used to send a
  // column of a batch as one array parameter (unnest).
  std::string ToArrayLiteral() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

}  // namespace store::pg::detail

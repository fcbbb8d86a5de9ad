#include "discord/model/detail/json_read.h"

#include <fmt/format.h>

#include "core/id.h"
#include "discord/model/timestamp.h"

namespace discord::detail {

std::string Path::ToString() const {
  std::string out = parent_ ? parent_->ToString() : std::string();
  if (is_index_) return fmt::format("{}[{}]", out, index_);
  if (!out.empty()) out += '.';
  out += key_;
  return out;
}

core::Error Bad(const Path& at, std::string_view why) {
  std::string where = at.ToString();
  return core::Error{core::ErrorCode::kInvalidArgument, fmt::format("{} {}", where, why),
                     std::move(where)};
}

core::Result<element> ParseDocument(std::string_view json, std::string_view what) {
  thread_local simdjson::dom::parser parser;
  element doc;
  if (auto error = parser.parse(json.data(), json.size()).get(doc); error != simdjson::SUCCESS) {
    return std::unexpected(
        Bad(Path(what), fmt::format("is not JSON ({})", simdjson::error_message(error))));
  }
  return doc;
}

core::Result<object> ParseObject(std::string_view json, std::string_view what) {
  auto doc = ParseDocument(json, what);
  if (!doc) return std::unexpected(std::move(doc.error()));
  object o;
  if (doc->get(o) != simdjson::SUCCESS) return std::unexpected(Bad(Path(what), "is not an object"));
  return o;
}

core::Result<array> ParseArray(std::string_view json, std::string_view what) {
  auto doc = ParseDocument(json, what);
  if (!doc) return std::unexpected(std::move(doc.error()));
  array a;
  if (doc->get(a) != simdjson::SUCCESS) return std::unexpected(Bad(Path(what), "is not an array"));
  return a;
}

std::optional<std::int64_t> Field::OptInt(std::int64_t lo, std::int64_t hi) {
  auto v = Opt<std::int64_t>();
  if (v && (*v < lo || *v > hi)) {
    Fail(fmt::format("is out of range ({}..{})", lo, hi));
    return std::nullopt;
  }
  return v;
}

std::optional<std::uint64_t> Field::SnowflakeAt(const Path& at, element e) {
  std::string_view text;
  if (e.get(text) == simdjson::SUCCESS) {
    auto v = core::ParseSnowflake(text);
    if (v) return *v;
  } else if (std::uint64_t number = 0; e.get(number) == simdjson::SUCCESS) {
    return number;
  }
  reader_.Fail(Bad(at, "is not a snowflake"));
  return std::nullopt;
}

std::optional<core::Timestamp> Field::OptTime() {
  auto text = Opt<std::string_view>();
  if (!text) return std::nullopt;
  auto t = ParseTimestamp(*text);
  if (!t) {
    Fail("is not a timestamp");
    return std::nullopt;
  }
  return *t;
}

std::optional<Permissions> Field::OptPermissions() {
  auto text = Opt<std::string_view>();
  if (!text) return std::nullopt;
  auto p = ParsePermissions(*text);
  if (!p) {
    Fail("is not a 64-bit decimal permission set");
    return std::nullopt;
  }
  return *p;
}

}  // namespace discord::detail

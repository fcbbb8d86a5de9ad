// The decoders' shared reading discipline over a simdjson DOM: a field that is absent or null takes
// its default, a field of the wrong type or out of range is an error, a missing required field is
// an error, and every error names the field's path ("guild.roles[2].id has the wrong type").
// Unknown fields are never looked at. Internal to discord_model (simdjson stays out of the public
// headers).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "discord/model/permissions.h"

namespace discord::detail {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Where a value sits in a document. Segments live on the decoders' stack and refer to their parent;
// nothing is formatted unless an error is reported, so the success path does not allocate for it.
class Path {
 public:
  explicit Path(std::string_view root) : key_(root) {}
  Path(const Path& parent, std::string_view key) : parent_(&parent), key_(key) {}
  Path(const Path& parent, std::size_t index) : parent_(&parent), index_(index), is_index_(true) {}

  std::string ToString() const;  // "guild.roles[2].id"

 private:
  const Path* parent_ = nullptr;
  std::string_view key_;
  std::size_t index_ = 0;
  bool is_index_ = false;
};

// kInvalidArgument "<path> <why>", subject the path.
core::Error Bad(const Path& at, std::string_view why);

// Parses `json` with this thread's parser. The element is valid until the thread's next parse.
core::Result<element> ParseDocument(std::string_view json, std::string_view what);
// The same, requiring an object or an array at the top.
core::Result<object> ParseObject(std::string_view json, std::string_view what);
core::Result<array> ParseArray(std::string_view json, std::string_view what);

class Reader;

// One field of an object being read: absent, null or a value. The conversions treat absent and
// null alike (the default, or nullopt), record a wrong type, an out-of-range value or a missing
// required field in the Reader, and then return a default.
class Field {
 public:
  Field(Reader& reader, std::string_view key, element value, bool present)
      : reader_(reader), key_(key), value_(value), present_(present) {}

  bool present() const { return present_; }

  // T is string_view, bool, int64_t, uint64_t, double, object or array.
  template <class T>
  std::optional<T> Opt();
  template <class T>
  T Req() {
    auto v = Opt<T>();
    if (!v) Missing();
    return v ? *v : T{};
  }

  std::string Str() { return std::string(Opt<std::string_view>().value_or("")); }
  std::optional<std::string> OptStr() {
    auto v = Opt<std::string_view>();
    return v ? std::optional<std::string>(*v) : std::nullopt;
  }
  std::string ReqStr() { return std::string(Req<std::string_view>()); }
  bool Bool() { return Opt<bool>().value_or(false); }

  // Integers within [lo, hi]; outside is "is out of range".
  std::optional<std::int64_t> OptInt(std::int64_t lo, std::int64_t hi);
  std::int64_t ReqInt(std::int64_t lo, std::int64_t hi) {
    if (!present_) Missing();
    return OptInt(lo, hi).value_or(0);
  }
  std::int64_t Int(std::int64_t lo, std::int64_t hi) { return OptInt(lo, hi).value_or(0); }

  // Snowflakes: a decimal string, or (PROTOCOL.md §3) an unsigned JSON number.
  template <class IdT>
  std::optional<IdT> OptId() {
    if (!present_) return std::nullopt;
    auto v = SnowflakeAt(Path(PathOf(), key_), value_);
    return v ? std::optional<IdT>(IdT(*v)) : std::nullopt;
  }
  template <class IdT>
  IdT ReqId() {
    if (!present_) Missing();
    return OptId<IdT>().value_or(IdT{});
  }
  // An array of snowflakes (absent or null: empty).
  template <class IdT>
  std::vector<IdT> Ids() {
    std::vector<IdT> out;
    Each([&](const Path& at, element item) {
      auto v = SnowflakeAt(at, item);
      if (v) out.emplace_back(*v);
      return v.has_value();
    });
    return out;
  }
  // Calls `visit(path, item)` for each item of the array (absent or null: none), until it
  // returns false.
  template <class F>
  void Each(F&& visit) {
    auto a = Opt<array>();
    if (!a) return;
    const Path list(PathOf(), key_);
    std::size_t i = 0;
    for (element item : *a) {
      if (!visit(Path(list, i++), item)) return;
    }
  }

  std::optional<core::Timestamp> OptTime();
  core::Timestamp ReqTime() {
    if (!present_) Missing();
    return OptTime().value_or(core::Timestamp{});
  }
  // Permissions: a decimal string that must fit in 64 bits.
  std::optional<Permissions> OptPermissions();
  Permissions ReqPermissions() {
    if (!present_) Missing();
    return OptPermissions().value_or(0);
  }
  // A required object (missing: error, nullopt).
  std::optional<object> ReqObject() {
    auto o = Opt<object>();
    if (!o) Missing();
    return o;
  }

  // Each element of the array (absent or null: none), which must be an object, read by
  // `read(object, const Path&) -> core::Result<T>`.
  template <class T, class F>
  std::vector<T> Objects(F&& read);
  // The object (absent or null: nullopt) read by `read(object, const Path&)`.
  template <class T, class F>
  std::optional<T> Nested(F&& read);

  void Fail(std::string_view why);
  void Missing() { Fail("is missing"); }

 private:
  const Path& PathOf() const;
  std::optional<std::uint64_t> SnowflakeAt(const Path& at, element e);

  Reader& reader_;
  std::string_view key_;
  element value_;
  bool present_;
};

// Reads the fields of one object, keeping the first error. Getters return a default after an error,
// so a decoder reads all its fields and then checks ok() once. Get(key) looks a field up; a hot
// decoder iterates the object once instead and hands each pair to At(key, value).
class Reader {
 public:
  Reader(object o, const Path& path) : o_(o), path_(path) {}

  bool ok() const { return !error_.has_value(); }
  core::Error TakeError() { return std::move(*error_); }
  const Path& path() const { return path_; }
  object raw() const { return o_; }

  Field Get(std::string_view key) {
    element e;
    const bool present = o_.at_key(key).get(e) == simdjson::SUCCESS && !e.is_null();
    return Field(*this, key, e, present);
  }
  Field At(std::string_view key, element value) {
    return Field(*this, key, value, !value.is_null());
  }

  template <class T>
  std::optional<T> Opt(std::string_view key) {
    return Get(key).Opt<T>();
  }
  template <class T>
  T Req(std::string_view key) {
    return Get(key).Req<T>();
  }
  std::string Str(std::string_view key) { return Get(key).Str(); }
  std::optional<std::string> OptStr(std::string_view key) { return Get(key).OptStr(); }
  std::string ReqStr(std::string_view key) { return Get(key).ReqStr(); }
  bool Bool(std::string_view key) { return Get(key).Bool(); }
  std::optional<std::int64_t> OptInt(std::string_view key, std::int64_t lo, std::int64_t hi) {
    return Get(key).OptInt(lo, hi);
  }
  std::int64_t ReqInt(std::string_view key, std::int64_t lo, std::int64_t hi) {
    return Get(key).ReqInt(lo, hi);
  }
  std::int64_t Int(std::string_view key, std::int64_t lo, std::int64_t hi) {
    return Get(key).Int(lo, hi);
  }
  template <class IdT>
  std::optional<IdT> OptId(std::string_view key) {
    return Get(key).OptId<IdT>();
  }
  template <class IdT>
  IdT ReqId(std::string_view key) {
    return Get(key).ReqId<IdT>();
  }
  template <class IdT>
  std::vector<IdT> Ids(std::string_view key) {
    return Get(key).Ids<IdT>();
  }
  std::optional<core::Timestamp> OptTime(std::string_view key) { return Get(key).OptTime(); }
  core::Timestamp ReqTime(std::string_view key) { return Get(key).ReqTime(); }
  std::optional<Permissions> OptPermissions(std::string_view key) {
    return Get(key).OptPermissions();
  }
  Permissions ReqPermissions(std::string_view key) { return Get(key).ReqPermissions(); }
  std::optional<object> ReqObject(std::string_view key) { return Get(key).ReqObject(); }
  template <class T, class F>
  std::vector<T> Objects(std::string_view key, F&& read) {
    return Get(key).Objects<T>(std::forward<F>(read));
  }
  template <class T, class F>
  std::optional<T> Nested(std::string_view key, F&& read) {
    return Get(key).Nested<T>(std::forward<F>(read));
  }

  // Keeps the error of `r` (the first error wins) and returns its value.
  template <class T>
  std::optional<T> Take(core::Result<T> r) {
    if (!r) {
      Fail(std::move(r.error()));
      return std::nullopt;
    }
    return std::move(*r);
  }
  void Fail(core::Error e) {
    if (!error_) error_ = std::move(e);
  }
  void Fail(std::string_view key, std::string_view why) { Fail(Bad(Path(path_, key), why)); }
  void Missing(std::string_view key) { Fail(key, "is missing"); }

 private:
  object o_;
  const Path& path_;
  std::optional<core::Error> error_;
};

inline const Path& Field::PathOf() const { return reader_.path(); }
inline void Field::Fail(std::string_view why) { reader_.Fail(key_, why); }

template <class T>
std::optional<T> Field::Opt() {
  if (!present_) return std::nullopt;
  T v;
  if (value_.get(v) != simdjson::SUCCESS) {
    Fail("has the wrong type");
    return std::nullopt;
  }
  return v;
}

template <class T, class F>
std::vector<T> Field::Objects(F&& read) {
  std::vector<T> out;
  Each([&](const Path& at, element item) {
    object o;
    if (item.get(o) != simdjson::SUCCESS) {
      reader_.Fail(Bad(at, "is not an object"));
      return false;
    }
    auto v = read(o, at);
    if (!v) {
      reader_.Fail(std::move(v.error()));
      return false;
    }
    out.push_back(std::move(*v));
    return true;
  });
  return out;
}

template <class T, class F>
std::optional<T> Field::Nested(F&& read) {
  auto o = Opt<object>();
  if (!o) return std::nullopt;
  const Path at(PathOf(), key_);
  return reader_.Take(read(*o, at));
}

}  // namespace discord::detail

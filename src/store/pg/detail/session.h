// One PostgreSQL connection as repositories see it. Not thread-safe: a Session belongs to the one
// Pool::Run call that holds it. Exec() throws libpqxx exceptions; Pool::Run converts them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/pg/detail/params.h"
#include "store/pg/options.h"

namespace store::pg {

// A named SQL statement: the constant beside the repository that uses it. `name` is the
// server-side prepared statement name (unique in the program); `sql` uses $1, $2, ... parameters.
struct Statement {
  std::string_view name;
  std::string_view sql;
};

// Thrown by row decoders when the server answers something the store cannot read.
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Pool;

// `url` with connect_timeout and application_name added unless it sets them already (URL and
// key=value forms alike: libpq accepts query parameters on URLs). For the pool's sessions and the
// listener's connection.
std::string EffectiveConnString(std::string url, std::chrono::seconds connect_timeout,
                                std::string_view application_name);

class Session {
 public:
  Session(const PoolOptions& options, Pool* pool);  // connects; throws pqxx::broken_connection
  ~Session();

  // Runs one statement: one round trip (plus one for preparing it the first time this connection
  // sees it, when prepared statements are on).
  pqxx::result Exec(const Statement& st, const detail::Params& params = detail::Params());

  // Runs `body` inside BEGIN ... COMMIT (two extra round trips); rolls back if `body` throws.
  template <class F>
  auto InTransaction(F&& body) {
    if constexpr (std::is_void_v<decltype(body())>) {
      InTransactionIf([&] {
        body();
        return true;
      });
    } else {
      std::optional<decltype(body())> out;
      InTransactionIf([&] {
        out.emplace(body());
        return true;
      });
      return std::move(*out);
    }
  }

  // Like InTransaction, but `body` decides: true commits, false rolls back.
  template <class F>
  void InTransactionIf(F&& body) {
    pqxx::work tx(conn_);
    Count(1);  // BEGIN
    tx_ = &tx;
    struct Reset {
      Session* s;
      ~Reset() { s->tx_ = nullptr; }
    } reset{this};
    if (body()) {
      tx.commit();
    } else {
      tx.abort();
    }
    Count(1);
  }

  // Marks the connection as not to be reused (its state is unknown); the Pool drops it.
  void Poison() { poisoned_ = true; }

  // Runs SQL text with no parameters (migrations, DDL). Counts one round trip.
  void ExecScript(std::string_view sql);

  bool is_open() const { return !poisoned_ && conn_.is_open(); }
  std::uint64_t round_trips() const { return round_trips_; }

 private:
  void Count(std::uint64_t n);

  pqxx::connection conn_;
  const PoolOptions& options_;
  Pool* pool_;
  pqxx::transaction_base* tx_ = nullptr;
  std::unordered_set<std::string_view> prepared_;
  std::uint64_t round_trips_ = 0;
  bool poisoned_ = false;
};

// Field decoders. A NULL where a value is required, or unreadable text, throws DecodeError.
namespace detail {
std::string Text(const pqxx::field& f);
std::optional<std::string> OptText(const pqxx::field& f);
bool Bool(const pqxx::field& f);
double Double(const pqxx::field& f);
std::int64_t Int(const pqxx::field& f);
std::optional<std::int64_t> OptInt(const pqxx::field& f);
std::optional<double> OptDouble(const pqxx::field& f);
core::Timestamp Time(const pqxx::field& f);
std::optional<core::Timestamp> OptTime(const pqxx::field& f);
Date DateOf(const pqxx::field& f);
Uuid UuidOf(const pqxx::field& f);
std::optional<Uuid> OptUuid(const pqxx::field& f);
std::vector<std::string> TextArray(const pqxx::field& f);
template <class IdT>
IdT IdOf(const pqxx::field& f) {
  auto id = IdT::Parse(Text(f));
  if (!id) throw DecodeError(std::string("column ") + f.name() + ": " + id.error().message);
  return *id;
}
template <class IdT>
std::optional<IdT> OptId(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return IdOf<IdT>(f);
}
template <class E, class ParseFn>
E EnumOf(const pqxx::field& f, ParseFn parse) {
  auto v = parse(Text(f));
  if (!v) throw DecodeError(std::string("column ") + f.name() + ": " + v.error().message);
  return *v;
}
template <class E, class ParseFn>
std::optional<E> OptEnum(const pqxx::field& f, ParseFn parse) {
  if (f.is_null()) return std::nullopt;
  return EnumOf<E>(f, parse);
}
}  // namespace detail

}  // namespace store::pg

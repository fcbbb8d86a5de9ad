#include "store/pg/detail/session.h"

#include <pqxx/prepared_statement>

#include "store/pg/pool.h"

namespace store::pg {
std::string EffectiveConnString(std::string url, std::chrono::seconds connect_timeout,
                                std::string_view application_name) {
  std::string s = std::move(url);
  const bool is_url = s.starts_with("postgresql://") || s.starts_with("postgres://");
  auto add = [&](std::string_view key, std::string_view value) {
    if (s.find(std::string(key) + "=") != std::string::npos) return;
    if (is_url) {
      s += (s.find('?') == std::string::npos) ? '?' : '&';
      s += std::string(key) + "=" + std::string(value);
    } else {
      s += " " + std::string(key) + "='" + std::string(value) + "'";
    }
  };
  add("connect_timeout", std::to_string(connect_timeout.count()));
  add("application_name", application_name);
  return s;
}

Session::Session(const PoolOptions& options, Pool* pool)
    : conn_(EffectiveConnString(options.url, options.connect_timeout, options.application_name)),
      options_(options),
      pool_(pool) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  conn_.inhibit_reactivation(true);  // a broken connection stays broken; the Pool replaces it
#pragma GCC diagnostic pop
  // Verbose errors carry the server's CONSTRAINT NAME field, which the Pool reports as the
  // error's subject (libpqxx 6 has no accessor for it).
  conn_.set_verbosity(pqxx::connection_base::verbose);
  // The decoders read ISO timestamps; pin the output format whatever the client environment
  // (PGDATESTYLE) or the database's default says.
  {
    pqxx::nontransaction tx(conn_);
    tx.exec("SET DateStyle TO ISO");
  }
  Count(1);
  Count(1);  // the connection start-up
}

Session::~Session() = default;

void Session::Count(std::uint64_t n) {
  round_trips_ += n;
  if (pool_) pool_->round_trips_.fetch_add(n, std::memory_order_relaxed);
}

pqxx::result Session::Exec(const Statement& st, const detail::Params& params) {
  std::vector<const char*> ptrs;
  ptrs.reserve(params.values().size());
  for (const auto& v : params.values()) ptrs.push_back(v ? v->c_str() : nullptr);
  auto dyn = pqxx::prepare::make_dynamic_params(ptrs);

  auto run = [&](pqxx::transaction_base& tx) {
    if (options_.prepared_statements) {
      if (!prepared_.contains(st.name)) {
        conn_.prepare(std::string(st.name), std::string(st.sql));
        prepared_.insert(st.name);
        Count(1);
      }
      Count(1);
      return tx.exec_prepared(std::string(st.name), dyn);
    }
    Count(1);
    return tx.exec_params(std::string(st.sql), dyn);
  };
  if (tx_) return run(*tx_);
  pqxx::nontransaction tx(conn_);
  return run(tx);
}

void Session::ExecScript(std::string_view sql) {
  Count(1);
  if (tx_) {
    tx_->exec(std::string(sql));
    return;
  }
  pqxx::nontransaction tx(conn_);
  tx.exec(std::string(sql));
}

namespace detail {
namespace {
[[noreturn]] void NullField(const pqxx::field& f) {
  throw DecodeError(std::string("column ") + f.name() + " is NULL where a value is required");
}
template <class T>
T Unwrap(const pqxx::field& f, core::Result<T> r) {
  if (!r) throw DecodeError(std::string("column ") + f.name() + ": " + r.error().message);
  return std::move(*r);
}
}  // namespace

std::string Text(const pqxx::field& f) {
  if (f.is_null()) NullField(f);
  return std::string(f.c_str(), f.size());
}
std::optional<std::string> OptText(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return std::string(f.c_str(), f.size());
}
bool Bool(const pqxx::field& f) {
  if (f.is_null()) NullField(f);
  return f.as<bool>();
}
double Double(const pqxx::field& f) {
  if (f.is_null()) NullField(f);
  return f.as<double>();
}
std::int64_t Int(const pqxx::field& f) {
  if (f.is_null()) NullField(f);
  return f.as<long long>();
}
std::optional<std::int64_t> OptInt(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<long long>();
}
std::optional<double> OptDouble(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<double>();
}
core::Timestamp Time(const pqxx::field& f) { return Unwrap(f, ParseTimestamp(Text(f))); }
std::optional<core::Timestamp> OptTime(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return Time(f);
}
Date DateOf(const pqxx::field& f) { return Unwrap(f, ParseDate(Text(f))); }
Uuid UuidOf(const pqxx::field& f) { return Uuid{Text(f)}; }
std::optional<Uuid> OptUuid(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return Uuid{Text(f)};
}
std::vector<std::string> TextArray(const pqxx::field& f) {
  return Unwrap(f, ParseTextArray(Text(f)));
}
}  // namespace detail

}  // namespace store::pg

#include "store/pg/pool.h"

#include <spdlog/spdlog.h>

#include <regex>
#include <tuple>
#include <utility>

#include "core/redact.h"
#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using core::ErrorCode;
using core::Fail;

// The constraint of a server error. Errors are verbose (session.cpp), so the server's constraint
// field arrives as a "CONSTRAINT NAME:" line; messages without it (e.g. from older servers) fall
// back to the name quoted in the text ("... violates check constraint \"x\"").
std::string ConstraintIn(std::string_view message) {
  static const std::regex kField(R"re(\nCONSTRAINT NAME:\s*([^\n]+))re");
  static const std::regex kQuoted(R"re(constraint "([^"]+)")re");
  std::match_results<std::string_view::const_iterator> m;
  if (std::regex_search(message.begin(), message.end(), m, kField)) return m[1].str();
  if (std::regex_search(message.begin(), message.end(), m, kQuoted)) return m[1].str();
  return {};
}

// The first line of a server message, without the SQLSTATE that verbose errors put after the
// severity ("ERROR:  23505: duplicate key ..." -> "ERROR:  duplicate key ...").
std::string FirstLine(std::string_view s) {
  static const std::regex kState(R"(^([A-Z]+:\s+)[0-9A-Z]{5}: )");
  std::string line(s.substr(0, s.find('\n')));
  return std::regex_replace(line, kState, "$1");
}

// "<what>: <first line of the server message>", naming the constraint when the line does not.
core::Error Describe(std::string_view what, ErrorCode code, std::string_view msg,
                     std::string subject = {}) {
  std::string text = std::string(what) + ": " + core::RedactSecrets(FirstLine(msg));
  if (!subject.empty() && text.find(subject) == std::string::npos) {
    text += " (constraint " + subject + ")";
  }
  return core::Error{code, std::move(text), std::move(subject)};
}

core::Error FromSqlError(std::string_view what, const pqxx::sql_error& e) {
  std::string_view msg = e.what();
  // libpqxx 6 leaves sqlstate() empty for some classes it throws: decide those by type.
  if (dynamic_cast<const pqxx::insufficient_privilege*>(&e)) {
    return Describe(what, ErrorCode::kPermissionDenied, msg);
  }
  const std::string& state = e.sqlstate();
  if (state == "23505") return Describe(what, ErrorCode::kConflict, msg, ConstraintIn(msg));
  if (state.starts_with("23")) {
    return Describe(what, ErrorCode::kConstraintViolation, msg, ConstraintIn(msg));
  }
  if (state.starts_with("22")) return Describe(what, ErrorCode::kInvalidArgument, msg);
  if (state == "40001" || state == "40P01") return Describe(what, ErrorCode::kConflict, msg);
  if (state == "42501") return Describe(what, ErrorCode::kPermissionDenied, msg);
  if (state.starts_with("08") || state.starts_with("57P")) {
    return Describe(what, ErrorCode::kConnectionLost, msg);
  }
  if (state == "57014") return Describe(what, ErrorCode::kTimeout, msg);  // query_canceled
  return Describe(what, ErrorCode::kInternal, msg, state);
}

// The error for the exception being handled, and whether its connection must be dropped. Call
// only from a catch block.
std::pair<core::Error, bool> Classify(std::string_view what) {
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    return {Describe(what, ErrorCode::kConnectionLost, e.what()), true};
  } catch (const pqxx::in_doubt_error& e) {
    return {Describe(what, ErrorCode::kConnectionLost,
                     std::string("the connection broke during COMMIT; outcome unknown: ") +
                         e.what()),
            true};
  } catch (const pqxx::statement_completion_unknown& e) {
    return {Describe(what, ErrorCode::kConnectionLost, e.what()), true};
  } catch (const pqxx::transaction_rollback& e) {  // serialization failure, deadlock: retryable
    return {Describe(what, ErrorCode::kConflict, e.what()), false};
  } catch (const pqxx::sql_error& e) {
    return {FromSqlError(what, e), false};
  } catch (const DecodeError& e) {
    return {Describe(what, ErrorCode::kInternal, e.what()), false};
  } catch (const pqxx::usage_error& e) {
    return {Describe(what, ErrorCode::kInternal, e.what()), false};
  } catch (const std::exception& e) {
    return {Describe(what, ErrorCode::kInternal, e.what()), true};  // unknown state: drop it
  } catch (...) {
    return {core::Error{ErrorCode::kInternal, std::string(what) + ": unknown exception", {}}, true};
  }
}

void LogError(const core::Error& error) {
  if (error.code == ErrorCode::kConnectionLost || error.code == ErrorCode::kInternal) {
    spdlog::warn("database: {}", error.ToString());
  }
}

// The transaction that Run() calls on this thread join (Pool::Transaction).
struct Joined {
  const Pool* pool = nullptr;
  Session* session = nullptr;
  std::optional<core::Error> error;  // the first statement that failed in it
  bool discard = false;
};
thread_local Joined* joined = nullptr;

}  // namespace

Pool::Pool(PoolOptions options) : options_(std::move(options)) {
  if (options_.size < 1) options_.size = 1;
}

Pool::~Pool() = default;

core::Result<std::unique_ptr<Session>> Pool::Acquire() {
  {
    std::unique_lock lock(mu_);
    const bool ready = cv_.wait_for(lock, options_.acquire_timeout, [&] {
      return !idle_.empty() || open_ < options_.size;
    });
    if (!ready) {
      return Fail(ErrorCode::kUnavailable,
                  "no free database connection within " +
                      std::to_string(options_.acquire_timeout.count()) + " ms (pool size " +
                      std::to_string(options_.size) + ")");
    }
    if (!idle_.empty()) {
      auto s = std::move(idle_.back());
      idle_.pop_back();
      return s;
    }
    ++open_;  // reserve the slot, then connect without holding the lock
  }
  try {
    return std::make_unique<Session>(options_, this);
  } catch (const std::exception& e) {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    cv_.notify_one();
    return Fail(ErrorCode::kUnavailable,
                "cannot connect to PostgreSQL at " + core::RedactSecrets(options_.url) + ": " +
                    core::RedactSecrets(FirstLine(e.what())));
  }
}

void Pool::Release(std::unique_ptr<Session> session) {
  {
    std::lock_guard lock(mu_);
    if (session && session->is_open()) {
      idle_.push_back(std::move(session));
    } else {
      --open_;  // dropped; the next Acquire opens a fresh connection
    }
  }
  cv_.notify_one();
}

core::Result<void> Pool::RunImpl(std::string_view what,
                                 const std::function<void(Session&)>& body) {
  if (joined != nullptr && joined->pool == this) {
    // Inside Transaction(): on its connection. A failed statement has aborted the transaction,
    // so it is remembered and the whole transaction rolls back.
    try {
      body(*joined->session);
      return {};
    } catch (...) {
      auto [error, discard] = Classify(what);
      LogError(error);
      if (!joined->error) joined->error = error;
      joined->discard = joined->discard || discard;
      return std::unexpected(std::move(error));
    }
  }
  auto acquired = Acquire();
  if (!acquired) {
    acquired.error().message = std::string(what) + ": " + acquired.error().message;
    return std::unexpected(acquired.error());
  }
  std::unique_ptr<Session> session = std::move(*acquired);
  std::optional<core::Error> error;
  bool discard = false;
  try {
    body(*session);
  } catch (...) {
    std::tie(error, discard) = Classify(what);
  }
  if (discard || !session->is_open()) session.reset();
  Release(std::move(session));
  if (error) {
    LogError(*error);
    return std::unexpected(std::move(*error));
  }
  return {};
}

core::Result<void> Pool::TransactionImpl(std::string_view what,
                                         const std::function<bool()>& body) {
  if (joined != nullptr) {
    return Fail(ErrorCode::kInternal, std::string(what) + ": transactions do not nest");
  }
  Joined state;
  auto run = RunImpl(what, [&](Session& s) {
    state.pool = this;
    state.session = &s;
    joined = &state;
    struct Leave {
      ~Leave() { joined = nullptr; }
    } leave;
    s.InTransactionIf([&] { return body() && !state.error; });
    if (state.discard) s.Poison();
  });
  if (!run) return run;
  if (state.error) return std::unexpected(std::move(*state.error));
  return {};
}

core::Result<void> Pool::Ping() {
  static constexpr Statement kPing{"ping", "SELECT 1"};
  return Run("ping", [](Session& s) { s.Exec(kPing); });
}

}  // namespace store::pg

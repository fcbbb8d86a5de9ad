#include "store/pg/pool.h"

#include <spdlog/spdlog.h>

#include <regex>

#include "core/redact.h"
#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using core::ErrorCode;
using core::Fail;

// The constraint named in a server error message ("... violates check constraint \"x\"").
// libpqxx 6 does not expose the error's constraint field, so it is read from the (English)
// message text; when absent the subject stays empty and the message carries the full text.
std::string ConstraintIn(std::string_view message) {
  static const std::regex kConstraint(R"re(constraint "([^"]+)")re");
  std::match_results<std::string_view::const_iterator> m;
  if (std::regex_search(message.begin(), message.end(), m, kConstraint)) return m[1].str();
  return {};
}

// The first line of a server message, without libpqxx's trailing newline.
std::string FirstLine(std::string_view s) {
  auto end = s.find('\n');
  return std::string(s.substr(0, end));
}

core::Error Describe(std::string_view what, ErrorCode code, std::string_view msg,
                     std::string subject = {}) {
  return core::Error{code, std::string(what) + ": " + core::RedactSecrets(FirstLine(msg)),
                     std::move(subject)};
}

core::Error FromSqlError(std::string_view what, const pqxx::sql_error& e) {
  const std::string& state = e.sqlstate();
  std::string_view msg = e.what();
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
  } catch (const pqxx::broken_connection& e) {
    discard = true;
    error = Describe(what, ErrorCode::kConnectionLost, e.what());
  } catch (const pqxx::in_doubt_error& e) {
    discard = true;
    error = Describe(what, ErrorCode::kConnectionLost,
                     std::string("the connection broke during COMMIT; outcome unknown: ") + e.what());
  } catch (const pqxx::sql_error& e) {
    error = FromSqlError(what, e);
  } catch (const DecodeError& e) {
    error = Describe(what, ErrorCode::kInternal, e.what());
  } catch (const pqxx::usage_error& e) {
    error = Describe(what, ErrorCode::kInternal, e.what());
  } catch (const std::exception& e) {
    discard = true;  // unknown state: do not reuse the connection
    error = Describe(what, ErrorCode::kInternal, e.what());
  }
  if (discard || !session->is_open()) session.reset();
  Release(std::move(session));
  if (error) {
    if (error->code == ErrorCode::kConnectionLost || error->code == ErrorCode::kInternal) {
      spdlog::warn("database: {}", error->ToString());
    }
    return std::unexpected(std::move(*error));
  }
  return {};
}

core::Result<void> Pool::Ping() {
  static constexpr Statement kPing{"ping", "SELECT 1"};
  return Run("ping", [](Session& s) { s.Exec(kPing); });
}

}  // namespace store::pg

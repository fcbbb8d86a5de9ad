// Result<T>: the return type of every operation whose failure is expected (a database outage, an
// unknown id, a constraint violation, a Discord refusal). Exceptions are for bugs and start-up only.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace core {

// A small fixed vocabulary of failure kinds, modelled on absl::StatusCode. Pick the most specific:
//   kInvalidArgument     the caller's input is malformed (not a snowflake, out of range); retrying
//                        the same call cannot succeed.
//   kNotFound            the named row or object does not exist.
//   kConflict            a uniqueness rule or a concurrent writer got there first (also a
//                        serialization failure); re-reading and retrying may succeed.
//   kConstraintViolation a schema rule refused the write; `subject` names the constraint.
//   kFailedPrecondition  the object is in a state that forbids the operation (an invalid status
//                        transition); `subject` names the current state.
//   kPermissionDenied    the caller (database role, Discord member) lacks the right.
//   kConnectionLost      the connection broke; the outcome of a write in flight is unknown.
//   kUnavailable         the dependency cannot be reached at all (refused, pool exhausted).
//   kTimeout             a deadline passed.
//   kInternal            anything else: a bug or an unexpected server answer.
enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kConflict,
  kConstraintViolation,
  kFailedPrecondition,
  kPermissionDenied,
  kConnectionLost,
  kUnavailable,
  kTimeout,
  kInternal,
};

std::string_view ToString(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // for people: what failed and why; never contains secrets
  std::string subject;  // machine-readable detail: constraint name, current status, field name

  // "constraint_violation: <message> [<subject>]"
  std::string ToString() const;
};

template <class T>
using Result = std::expected<T, Error>;

// Builds the error side of a Result: `return core::Fail(ErrorCode::kNotFound, "no such case");`
[[nodiscard]] inline std::unexpected<Error> Fail(ErrorCode code, std::string message,
                                                 std::string subject = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(subject)});
}

}  // namespace core

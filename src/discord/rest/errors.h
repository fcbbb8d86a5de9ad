// Discord's refusals as typed outcomes (../shared/discord/PROTOCOL.md §4.1): a non-2xx answer
// becomes a core::Error whose kind says what the caller can do about it and whose `subject` is
// Discord's JSON error code, so "Unknown Member" or "Missing Permissions" is something to report on
// a case, never a crash.
//
//   404 and 10xxx codes          kNotFound            the user left, the message is gone
//   401                          kPermissionDenied    the token was rejected (the client stops)
//   403, 50001, 50013            kPermissionDenied    missing access or permissions, role hierarchy
//   40060 (already acknowledged) kConflict
//   other 4xx                    kInvalidArgument     the request itself was wrong
//   429 after the retries        kUnavailable
//   5xx after the retries        kUnavailable
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace discord::rest {

// JSON error codes an anti-spam bot meets ("opcodes-and-status-codes.mdx" §JSON).
namespace api_code {
inline constexpr int kUnknownChannel = 10003;
inline constexpr int kUnknownGuild = 10004;
inline constexpr int kUnknownMember = 10007;
inline constexpr int kUnknownMessage = 10008;
inline constexpr int kUnknownRole = 10011;
inline constexpr int kUnknownUser = 10013;
inline constexpr int kUnknownBan = 10026;
inline constexpr int kUnknownInteraction = 10062;
inline constexpr int kAlreadyAcknowledged = 40060;
inline constexpr int kMissingAccess = 50001;
inline constexpr int kCannotDmUser = 50007;
inline constexpr int kMissingPermissions = 50013;
inline constexpr int kBulkDeleteCount = 50016;
inline constexpr int kMessageTooOld = 50034;
inline constexpr int kInvalidFormBody = 50035;
inline constexpr int kArchivedThread = 50083;
inline constexpr int kThreadAlreadyExists = 160004;
}  // namespace api_code

// The error for a non-2xx response to `method` on `route` (the route template, for the message):
// its kind from the status and code, its message "Discord refused DELETE /guilds/:id/members/:id:
// Unknown Member (10007, HTTP 404)", its subject the JSON code in decimal ("" when the body had
// none). The body is read only for `code` and `message`; anything else in it is ignored, and a
// body that is not JSON still gives an error by status.
core::Error ErrorFromResponse(std::string_view method, std::string_view route, int status,
                              std::string_view body);

// Discord's JSON error code in an error from this client, or 0 when it has none (a timeout, a
// connection failure, a status without a code).
int ApiCode(const core::Error& error);

}  // namespace discord::rest

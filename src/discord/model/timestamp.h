// Discord's ISO 8601 timestamps (https://discord.com/developers/docs/reference#iso8601-datetime).
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace discord {

// ISO 8601 as Discord writes it ("2026-08-06T10:15:09.871000+00:00", also "Z", any UTC offset, no
// fraction or one beyond microseconds, which is cut). Anything else is kInvalidArgument.
core::Result<core::Timestamp> ParseTimestamp(std::string_view text);

// The form Discord sends in gateway events and REST responses: "2026-08-06T10:15:09.871000+00:00".
std::string FormatTimestamp(core::Timestamp t);

// The form for request bodies (communication_disabled_until, embed timestamps): milliseconds and
// "Z", "2026-08-06T10:20:05.000Z". Microseconds are cut.
std::string FormatRequestTimestamp(core::Timestamp t);

}  // namespace discord

// What a gateway shard does after its connection closes: resume the session, start a new one, or
// stop with an error a person can act on. The table is ../shared/discord/PROTOCOL.md §1.8 (close
// codes 4000-4014 of the main gateway; no close frame at all; op 7 and op 9 are handled by the
// shard before a close).
#pragma once

#include <optional>
#include <string_view>

namespace discord::gateway {

enum class AfterClose {
  kResume,      // reconnect to resume_gateway_url and send Resume (op 6) with the last sequence
  kNewSession,  // drop session_id and sequence, reconnect to the /gateway/bot URL, Identify
  kFatal,       // stop this shard: reconnecting cannot help (bad token, intents, shards, version)
};

struct CloseDecision {
  AfterClose next = AfterClose::kResume;
  // For the log: the code's meaning and, for a fatal close, what the operator must fix.
  std::string_view reason;
  // Whether to slow down before reconnecting (exponential back-off with jitter) rather than
  // reconnect at once.
  bool back_off = false;
};

// `code`: the close code received, or nullopt when the connection dropped without a close frame
// (TCP reset, 1006). Codes outside the table resume, as the protocol advises; if the resume is
// refused (op 9 d=false), the shard identifies anew, so there is no endless resume loop.
CloseDecision DecideAfterClose(std::optional<int> code);

std::string_view ToString(AfterClose a);

}  // namespace discord::gateway

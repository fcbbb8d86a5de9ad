#include "discord/gateway/close_codes.h"

namespace discord::gateway {

CloseDecision DecideAfterClose(std::optional<int> code) {
  using enum AfterClose;
  if (!code) return {kResume, "connection dropped without a close frame", true};
  switch (*code) {
    case 4000:
      return {kResume, "unknown error", true};
    case 4001:
      return {kResume, "unknown opcode: we sent an invalid payload (a bug)", true};
    case 4002:
      return {kResume, "decode error: we sent a payload Discord could not decode (a bug)", true};
    case 4003:
      return {kNewSession, "not authenticated: sent before Identify, or the session is gone",
              false};
    case 4004:
      return {kFatal,
              "authentication failed: the bot token is wrong or was reset; set a valid "
              "discord.token",
              false};
    case 4005:
      return {kNewSession, "already authenticated: a second Identify on one connection (a bug)",
              false};
    case 4007:
      return {kNewSession, "invalid sequence on Resume", false};
    case 4008:
      return {kNewSession, "rate limited: more than 120 gateway sends in 60 s", true};
    case 4009:
      return {kNewSession, "session timed out", false};
    case 4010:
      return {kFatal, "invalid shard: check the shard range and --shard-count", false};
    case 4011:
      return {kFatal,
              "sharding required: the bot is in too many guilds for this shard count; raise "
              "--shard-count (at most 2,500 guilds per shard)",
              false};
    case 4012:
      return {kFatal, "invalid API version: this build speaks gateway v10", false};
    case 4013:
      return {kFatal, "invalid intents: the intents bit mask is malformed (a bug)", false};
    case 4014:
      return {kFatal,
              "disallowed intents: enable the privileged intents (Server Members, Message "
              "Content) for the application in the Discord Developer Portal",
              false};
    default:
      return {kResume, "closed with a code outside the gateway table", true};
  }
}

std::string_view ToString(AfterClose a) {
  switch (a) {
    case AfterClose::kResume:
      return "resume";
    case AfterClose::kNewSession:
      return "new session";
    case AfterClose::kFatal:
      return "fatal";
  }
  return "?";
}

}  // namespace discord::gateway

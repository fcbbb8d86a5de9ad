// Sample builders for tests and benchmarks: an established member (old account, joined long ago,
// many messages) in a quiet channel unless told otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "detect/sample.h"

namespace detect::testing {

// A fixed "now" (2026-01-01T00:00:00Z), so account ages are deterministic.
inline core::Timestamp Now() { return core::Timestamp(std::chrono::seconds(1767225600)); }

// A user id whose snowflake says the account was created `age` before `at`.
inline core::UserId UserCreated(core::Timestamp at, std::chrono::hours age,
                                std::uint64_t salt = 1) {
  return core::UserId::CreatedAtTime(at - age, salt);
}

inline Author EstablishedMember(std::uint64_t salt = 1, core::Timestamp at = Now()) {
  Author a;
  a.id = UserCreated(at, std::chrono::hours(24 * 800), salt);
  a.username = "regular";
  a.joined_at = at - std::chrono::hours(24 * 400);
  a.messages_in_guild = 500;
  return a;
}

inline Author FreshAccount(std::uint64_t salt = 1, core::Timestamp at = Now()) {
  Author a;
  a.id = UserCreated(at, std::chrono::hours(2), salt);
  a.username = "newbie";
  a.has_avatar = false;
  a.joined_at = at - std::chrono::minutes(5);
  a.messages_in_guild = 0;
  return a;
}

inline MessageSample Message(std::string_view text, Author author = EstablishedMember(),
                             core::Timestamp at = Now()) {
  MessageSample s;
  s.guild = core::GuildId(700000000000000001ULL);
  s.channel = core::ChannelId(700000000000000002ULL);
  s.message = core::MessageId(700000000000000003ULL);
  s.author = author;
  s.text = text;
  s.at = at;
  return s;
}

}  // namespace detect::testing

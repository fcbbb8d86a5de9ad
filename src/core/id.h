// Strong types for Discord snowflakes: a GuildId cannot be passed where a UserId is expected.
// https://discord.com/developers/docs/reference#snowflakes
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace core {

// Parses 1–20 decimal digits that fit in 64 bits. Anything else (empty, sign, spaces, letters,
// overflow) is kInvalidArgument naming `what`.
Result<std::uint64_t> ParseSnowflake(std::string_view text, std::string_view what = "snowflake");

template <class Tag>
class Id {
 public:
  constexpr Id() = default;
  constexpr explicit Id(std::uint64_t value) : value_(value) {}

  static Result<Id> Parse(std::string_view text) {
    auto v = ParseSnowflake(text, Tag::kName);
    if (!v) return std::unexpected(v.error());
    return Id(*v);
  }

  constexpr std::uint64_t value() const { return value_; }
  std::string ToString() const { return std::to_string(value_); }

  // The creation time encoded in the snowflake (milliseconds since the Discord epoch, 2015).
  std::chrono::sys_time<std::chrono::milliseconds> CreatedAt() const {
    return std::chrono::sys_time<std::chrono::milliseconds>(
        std::chrono::milliseconds((value_ >> 22) + kDiscordEpochMs));
  }

  // An id created at `at` (not before the Discord epoch); `low` fills the 22 worker/sequence bits.
  template <class Duration>
  static Id CreatedAtTime(std::chrono::sys_time<Duration> at, std::uint64_t low = 0) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
    return Id(((static_cast<std::uint64_t>(ms) - kDiscordEpochMs) << 22) | (low & 0x3FFFFF));
  }

  friend constexpr auto operator<=>(Id, Id) = default;

  static constexpr std::uint64_t kDiscordEpochMs = 1420070400000ULL;

 private:
  std::uint64_t value_ = 0;
};

struct GuildTag {
  static constexpr std::string_view kName = "guild id";
};
struct UserTag {
  static constexpr std::string_view kName = "user id";
};
struct ChannelTag {
  static constexpr std::string_view kName = "channel id";
};
struct RoleTag {
  static constexpr std::string_view kName = "role id";
};
struct MessageTag {
  static constexpr std::string_view kName = "message id";
};

using GuildId = Id<GuildTag>;
using UserId = Id<UserTag>;
using ChannelId = Id<ChannelTag>;
using RoleId = Id<RoleTag>;
using MessageId = Id<MessageTag>;

}  // namespace core

template <class Tag>
struct std::hash<core::Id<Tag>> {
  std::size_t operator()(core::Id<Tag> id) const noexcept {
    return std::hash<std::uint64_t>{}(id.value());
  }
};

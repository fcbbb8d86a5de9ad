// Rich embeds (https://discord.com/developers/docs/resources/message#embed-object), the parts a
// moderation bot reads in spam and writes in its reports. Empty strings stand for absent fields.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace discord {

struct EmbedField {
  std::string name;
  std::string value;
  bool inline_ = false;  // "inline"

  bool operator==(const EmbedField&) const = default;
};

struct Embed {
  std::string title;
  std::string description;
  std::string url;
  std::optional<std::uint32_t> color;  // 0xRRGGBB
  std::vector<EmbedField> fields;
  std::string footer;       // footer.text
  std::string author_name;  // author.name
  std::optional<core::Timestamp> timestamp;

  bool operator==(const Embed&) const = default;
};

// Discord's limits for embeds in one message (PROTOCOL.md §4.4): at most 10; title 256,
// description 4096, 25 fields, field name 256 / value 1024, footer 2048, author name 256 (Unicode
// code points), 6000 across all embeds. kInvalidArgument names the first broken limit.
core::Result<void> ValidateEmbeds(std::span<const Embed> embeds);

// {"type":"rich", ...}: fields present only when set; also the request form.
nlohmann::json ToJson(const Embed& embed);

}  // namespace discord

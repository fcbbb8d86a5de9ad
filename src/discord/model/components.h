// Message components a moderation bot sends and reads back: action rows of buttons
// (https://discord.com/developers/docs/components/reference). Other component types in a received
// message (selects, Components V2 layouts) are skipped by the decoders.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "discord/model/ids.h"

namespace discord {

enum class ComponentType : int {
  kActionRow = 1,
  kButton = 2,
  kStringSelect = 3,
  kTextInput = 4,
  kUserSelect = 5,
  kRoleSelect = 6,
  kMentionableSelect = 7,
  kChannelSelect = 8,
  kLabel = 18,
};

enum class ButtonStyle : int {
  kPrimary = 1,
  kSecondary = 2,
  kSuccess = 3,
  kDanger = 4,
  kLink = 5,  // `url`, no `custom_id`; clicking sends no interaction
  kPremium = 6,
};

// A custom emoji has an id; a Unicode emoji only a name ("🔨").
struct Emoji {
  std::optional<EmojiId> id;
  std::string name;
  bool animated = false;

  bool operator==(const Emoji&) const = default;
};

struct Button {
  ButtonStyle style = ButtonStyle::kSecondary;
  std::string label;      // ≤ 80 characters
  std::string custom_id;  // 1-100 characters, all styles but Link and Premium
  std::string url;        // Link buttons only, ≤ 512 characters
  bool disabled = false;
  std::optional<Emoji> emoji;

  bool operator==(const Button&) const = default;
};

struct ActionRow {
  std::vector<Button> components;  // 1-5

  bool operator==(const ActionRow&) const = default;
};

// Limits of a message without IS_COMPONENTS_V2: ≤ 5 rows of 1-5 buttons, custom_id 1-100 and
// unique, label ≤ 80, Link buttons with a url ≤ 512 and no custom_id, the others the reverse.
core::Result<void> ValidateComponents(std::span<const ActionRow> rows);

nlohmann::json ToJson(const Button& button);
nlohmann::json ToJson(const ActionRow& row);

}  // namespace discord

#include "discord/model/components.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "discord/model/detail/limits.h"
#include "discord/model/detail/readers.h"

namespace discord {
namespace detail {
namespace {

core::Result<Emoji> ReadEmoji(const object& o, const Path& path) {
  Reader r(o, path);
  Emoji e;
  e.id = r.OptId<EmojiId>("id");
  e.name = r.Str("name");
  e.animated = r.Bool("animated");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return e;
}

core::Result<Button> ReadButton(const object& o, const Path& path) {
  Reader r(o, path);
  Button b;
  b.style = static_cast<ButtonStyle>(r.ReqInt("style", 1, 255));
  b.label = r.Str("label");
  b.custom_id = r.Str("custom_id");
  b.url = r.Str("url");
  b.disabled = r.Bool("disabled");
  b.emoji = r.Nested<Emoji>("emoji", ReadEmoji);
  if (!r.ok()) return std::unexpected(r.TakeError());
  return b;
}

// A button, or nullopt for another component type (selects).
core::Result<std::optional<Button>> ReadRowChild(const object& o, const Path& path) {
  Reader r(o, path);
  const auto type = r.ReqInt("type", 0, 1 << 16);
  if (!r.ok()) return std::unexpected(r.TakeError());
  if (type != static_cast<int>(ComponentType::kButton)) return std::nullopt;
  auto button = ReadButton(o, path);
  if (!button) return std::unexpected(std::move(button.error()));
  return std::optional<Button>(std::move(*button));
}

// An action row, or nullopt for another top-level component (Components V2 layouts).
core::Result<std::optional<ActionRow>> ReadRow(const object& o, const Path& path) {
  Reader r(o, path);
  const auto type = r.ReqInt("type", 0, 1 << 16);
  if (!r.ok()) return std::unexpected(r.TakeError());
  if (type != static_cast<int>(ComponentType::kActionRow)) return std::nullopt;
  ActionRow row;
  for (auto& child : r.Objects<std::optional<Button>>("components", ReadRowChild)) {
    if (child) row.components.push_back(std::move(*child));
  }
  if (!r.ok()) return std::unexpected(r.TakeError());
  return std::optional<ActionRow>(std::move(row));
}

}  // namespace

std::vector<ActionRow> ReadActionRows(Field components) {
  std::vector<ActionRow> rows;
  for (auto& row : components.Objects<std::optional<ActionRow>>(ReadRow)) {
    if (row) rows.push_back(std::move(*row));
  }
  return rows;
}

}  // namespace detail

core::Result<void> ValidateComponents(std::span<const ActionRow> rows) {
  using detail::CheckLength;
  using detail::Invalid;
  if (rows.size() > 5) {
    return Invalid(fmt::format("{} action rows (at most 5)", rows.size()), "components");
  }
  std::set<std::string_view> custom_ids;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string row = fmt::format("components[{}]", i);
    if (rows[i].components.empty() || rows[i].components.size() > 5) {
      return Invalid(fmt::format("{} has {} buttons (1 to 5)", row, rows[i].components.size()),
                     row);
    }
    for (std::size_t j = 0; j < rows[i].components.size(); ++j) {
      const Button& b = rows[i].components[j];
      const std::string at = fmt::format("{}.components[{}]", row, j);
      DISCORD_MODEL_CHECK(CheckLength(at + ".label", b.label, 0, 80));
      if (b.label.empty() && !b.emoji) return Invalid(at + " has neither label nor emoji", at);
      if (b.style == ButtonStyle::kLink) {
        DISCORD_MODEL_CHECK(CheckLength(at + ".url", b.url, 1, 512));
        if (!b.custom_id.empty()) return Invalid(at + " is a link button with a custom_id", at);
      } else if (b.style >= ButtonStyle::kPrimary && b.style <= ButtonStyle::kDanger) {
        DISCORD_MODEL_CHECK(CheckLength(at + ".custom_id", b.custom_id, 1, 100));
        if (!b.url.empty()) return Invalid(at + " has a url but is not a link button", at);
        if (!custom_ids.insert(b.custom_id).second) {
          return Invalid(fmt::format("{}.custom_id \"{}\" is used twice", at, b.custom_id), at);
        }
      } else {
        return Invalid(fmt::format("{}.style {} is not supported", at, static_cast<int>(b.style)),
                       at + ".style");
      }
    }
  }
  return {};
}

nlohmann::json ToJson(const Button& button) {
  nlohmann::json j = {{"type", static_cast<int>(ComponentType::kButton)},
                      {"style", static_cast<int>(button.style)}};
  if (!button.label.empty()) j["label"] = button.label;
  if (!button.custom_id.empty()) j["custom_id"] = button.custom_id;
  if (!button.url.empty()) j["url"] = button.url;
  if (button.disabled) j["disabled"] = true;
  if (button.emoji) {
    j["emoji"] = {
        {"id", button.emoji->id ? nlohmann::json(button.emoji->id->ToString()) : nlohmann::json()},
        {"name", button.emoji->name}};
    if (button.emoji->animated) j["emoji"]["animated"] = true;
  }
  return j;
}

nlohmann::json ToJson(const ActionRow& row) {
  nlohmann::json buttons = nlohmann::json::array();
  for (const Button& b : row.components) buttons.push_back(ToJson(b));
  return {{"type", static_cast<int>(ComponentType::kActionRow)},
          {"components", std::move(buttons)}};
}

}  // namespace discord

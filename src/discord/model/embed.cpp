#include "discord/model/embed.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "discord/model/detail/limits.h"
#include "discord/model/detail/readers.h"
#include "discord/model/timestamp.h"

namespace discord {
namespace detail {
namespace {

core::Result<EmbedField> ReadField(const object& o, const Path& path) {
  Reader r(o, path);
  EmbedField f;
  f.name = r.Str("name");
  f.value = r.Str("value");
  f.inline_ = r.Bool("inline");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return f;
}

// The "text" or "name" of an embed's footer or author.
core::Result<std::string> ReadText(const object& o, const Path& path, std::string_view key) {
  Reader r(o, path);
  std::string text = r.Str(key);
  if (!r.ok()) return std::unexpected(r.TakeError());
  return text;
}

}  // namespace

core::Result<Embed> ReadEmbed(const object& o, const Path& path) {
  Reader r(o, path);
  Embed e;
  e.title = r.Str("title");
  e.description = r.Str("description");
  e.url = r.Str("url");
  if (auto color = r.OptInt("color", 0, 0xFFFFFF)) e.color = static_cast<std::uint32_t>(*color);
  e.timestamp = r.OptTime("timestamp");
  e.fields = r.Objects<EmbedField>("fields", ReadField);
  e.footer = r.Nested<std::string>("footer", [](const object& f, const Path& p) {
                return ReadText(f, p, "text");
              }).value_or("");
  e.author_name = r.Nested<std::string>("author", [](const object& a, const Path& p) {
                     return ReadText(a, p, "name");
                   }).value_or("");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return e;
}

}  // namespace detail

core::Result<void> ValidateEmbeds(std::span<const Embed> embeds) {
  using detail::CheckLength;
  if (embeds.size() > 10) {
    return detail::Invalid(fmt::format("{} embeds (at most 10)", embeds.size()), "embeds");
  }
  std::size_t total = 0;
  for (std::size_t i = 0; i < embeds.size(); ++i) {
    const Embed& e = embeds[i];
    const std::string at = fmt::format("embeds[{}]", i);
    DISCORD_MODEL_CHECK(CheckLength(at + ".title", e.title, 0, 256));
    DISCORD_MODEL_CHECK(CheckLength(at + ".description", e.description, 0, 4096));
    DISCORD_MODEL_CHECK(CheckLength(at + ".footer.text", e.footer, 0, 2048));
    DISCORD_MODEL_CHECK(CheckLength(at + ".author.name", e.author_name, 0, 256));
    DISCORD_MODEL_CHECK(CheckLength(at + ".url", e.url, 0, 2048));
    if (e.fields.size() > 25) {
      return detail::Invalid(fmt::format("{} has {} fields (at most 25)", at, e.fields.size()),
                             at + ".fields");
    }
    total += detail::CodePoints(e.title) + detail::CodePoints(e.description) +
             detail::CodePoints(e.footer) + detail::CodePoints(e.author_name);
    for (std::size_t f = 0; f < e.fields.size(); ++f) {
      const std::string field = fmt::format("{}.fields[{}]", at, f);
      DISCORD_MODEL_CHECK(CheckLength(field + ".name", e.fields[f].name, 1, 256));
      DISCORD_MODEL_CHECK(CheckLength(field + ".value", e.fields[f].value, 1, 1024));
      total += detail::CodePoints(e.fields[f].name) + detail::CodePoints(e.fields[f].value);
    }
  }
  if (total > 6000) {
    return detail::Invalid(
        fmt::format("the embeds hold {} characters in all (at most 6000)", total), "embeds");
  }
  return {};
}

nlohmann::json ToJson(const Embed& embed) {
  nlohmann::json j = {{"type", "rich"}};
  if (!embed.title.empty()) j["title"] = embed.title;
  if (!embed.description.empty()) j["description"] = embed.description;
  if (!embed.url.empty()) j["url"] = embed.url;
  if (embed.color) j["color"] = *embed.color;
  if (embed.timestamp) j["timestamp"] = FormatTimestamp(*embed.timestamp);
  if (!embed.fields.empty()) {
    nlohmann::json fields = nlohmann::json::array();
    for (const EmbedField& f : embed.fields) {
      fields.push_back({{"name", f.name}, {"value", f.value}, {"inline", f.inline_}});
    }
    j["fields"] = std::move(fields);
  }
  if (!embed.footer.empty()) j["footer"] = {{"text", embed.footer}};
  if (!embed.author_name.empty()) j["author"] = {{"name", embed.author_name}};
  return j;
}

}  // namespace discord

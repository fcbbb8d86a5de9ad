#include "discord/model/interaction_response.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "discord/model/components.h"
#include "discord/model/detail/limits.h"
#include "discord/model/detail/message_json.h"

namespace discord {
namespace {

using detail::CheckLength;
using detail::Invalid;

core::Result<nlohmann::json> ModalJson(const Modal& modal) {
  DISCORD_MODEL_CHECK(CheckLength("modal.custom_id", modal.custom_id, 1, 100));
  DISCORD_MODEL_CHECK(CheckLength("modal.title", modal.title, 1, 45));
  if (modal.inputs.empty() || modal.inputs.size() > 5) {
    return Invalid(fmt::format("modal has {} inputs (1 to 5)", modal.inputs.size()),
                   "modal.components");
  }
  std::set<std::string_view> ids;
  nlohmann::json components = nlohmann::json::array();
  for (std::size_t i = 0; i < modal.inputs.size(); ++i) {
    const TextInput& t = modal.inputs[i];
    const std::string at = fmt::format("modal.components[{}]", i);
    DISCORD_MODEL_CHECK(CheckLength(at + ".custom_id", t.custom_id, 1, 100));
    DISCORD_MODEL_CHECK(CheckLength(at + ".label", t.label, 1, 45));
    DISCORD_MODEL_CHECK(CheckLength(at + ".placeholder", t.placeholder, 0, 100));
    DISCORD_MODEL_CHECK(CheckLength(at + ".value", t.value, 0, 4000));
    if (t.min_length)
      DISCORD_MODEL_CHECK(detail::CheckRange(at + ".min_length", *t.min_length, 0, 4000));
    if (t.max_length)
      DISCORD_MODEL_CHECK(detail::CheckRange(at + ".max_length", *t.max_length, 1, 4000));
    if (t.min_length && t.max_length && *t.min_length > *t.max_length) {
      return Invalid(at + ".min_length is above max_length", at);
    }
    if (!ids.insert(t.custom_id).second) {
      return Invalid(at + ".custom_id is used twice", at);
    }
    nlohmann::json input = {{"type", static_cast<int>(ComponentType::kTextInput)},
                            {"custom_id", t.custom_id},
                            {"style", static_cast<int>(t.style)},
                            {"required", t.required}};
    if (t.min_length) input["min_length"] = *t.min_length;
    if (t.max_length) input["max_length"] = *t.max_length;
    if (!t.placeholder.empty()) input["placeholder"] = t.placeholder;
    if (!t.value.empty()) input["value"] = t.value;
    components.push_back({{"type", static_cast<int>(ComponentType::kLabel)},
                          {"label", t.label},
                          {"component", std::move(input)}});
  }
  return nlohmann::json{{"custom_id", modal.custom_id},
                        {"title", modal.title},
                        {"components", std::move(components)}};
}

core::Result<nlohmann::json> ChoicesJson(const std::vector<CommandChoice>& choices) {
  if (choices.size() > 25) {
    return Invalid(fmt::format("{} choices (at most 25)", choices.size()), "choices");
  }
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < choices.size(); ++i) {
    DISCORD_MODEL_CHECK(CheckLength(fmt::format("choices[{}].name", i), choices[i].name, 1, 100));
    list.push_back(
        {{"name", choices[i].name},
         {"value", std::visit([](const auto& v) { return nlohmann::json(v); }, choices[i].value)}});
  }
  return nlohmann::json{{"choices", std::move(list)}};
}

}  // namespace

core::Result<std::string> EncodeInteractionResponse(const InteractionResponse& r) {
  const int type = static_cast<int>(r.type);
  auto unexpected_data = [&](std::string_view what) {
    return Invalid(fmt::format("an interaction response of type {} takes no {}", type, what),
                   std::string(what));
  };
  const bool takes_message = r.type == ResponseType::kChannelMessage ||
                             r.type == ResponseType::kUpdateMessage ||
                             r.type == ResponseType::kDeferredChannelMessage;
  if (r.message && !takes_message) return unexpected_data("message");
  if (!r.choices.empty() && r.type != ResponseType::kAutocompleteResult) {
    return unexpected_data("choices");
  }
  if (r.modal && r.type != ResponseType::kModal) {
    return unexpected_data("modal");
  }
  nlohmann::json body = {{"type", type}};
  switch (r.type) {
    case ResponseType::kPong:
    case ResponseType::kDeferredUpdate:
      break;
    case ResponseType::kChannelMessage:
    case ResponseType::kUpdateMessage: {
      if (!r.message) {
        if (r.type == ResponseType::kUpdateMessage) break;  // Discord allows an empty update
        return Invalid("a CHANNEL_MESSAGE_WITH_SOURCE response needs a message", "data");
      }
      auto data = detail::MessageJson(*r.message, r.type == ResponseType::kUpdateMessage
                                                      ? detail::MessageJsonMode::kReplace
                                                      : detail::MessageJsonMode::kCreate);
      if (!data) return std::unexpected(std::move(data.error()));
      body["data"] = std::move(*data);
      break;
    }
    case ResponseType::kDeferredChannelMessage:
      if (r.message) {
        const CreateMessage& m = *r.message;
        if (!m.content.empty() || !m.embeds.empty() || !m.components.empty() || m.reply_to) {
          return Invalid("a deferred response carries only flags (edit @original for the rest)",
                         "data");
        }
        body["data"] = {{"flags", m.flags}};
      }
      break;
    case ResponseType::kAutocompleteResult: {
      auto data = ChoicesJson(r.choices);
      if (!data) return std::unexpected(std::move(data.error()));
      body["data"] = std::move(*data);
      break;
    }
    case ResponseType::kModal: {
      if (!r.modal) {
        return Invalid("a MODAL response needs a modal", "data");
      }
      auto data = ModalJson(*r.modal);
      if (!data) return std::unexpected(std::move(data.error()));
      body["data"] = std::move(*data);
      break;
    }
    default:
      return Invalid(fmt::format("interaction response type {} is not supported", type), "type");
  }
  return body.dump();
}

}  // namespace discord

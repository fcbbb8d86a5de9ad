#include "discord/model/message_body.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "discord/model/detail/limits.h"
#include "discord/model/detail/message_json.h"

namespace discord {
namespace {

using detail::Invalid;

core::Result<void> CheckMentions(const AllowedMentions& m) {
  if (m.parse_users && !m.users.empty()) {
    return Invalid("allowed_mentions parses users and lists them too", "allowed_mentions.users");
  }
  if (m.parse_roles && !m.roles.empty()) {
    return Invalid("allowed_mentions parses roles and lists them too", "allowed_mentions.roles");
  }
  if (m.users.size() > 100 || m.roles.size() > 100) {
    return Invalid("allowed_mentions lists more than 100 users or roles", "allowed_mentions");
  }
  return {};
}

nlohmann::json List(const auto& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& item : items) out.push_back(ToJson(item));
  return out;
}

}  // namespace

namespace detail {

core::Result<nlohmann::json> MessageJson(const CreateMessage& m, MessageJsonMode mode) {
  DISCORD_MODEL_CHECK(CheckLength("content", m.content, 0, 2000));
  DISCORD_MODEL_CHECK(ValidateEmbeds(m.embeds));
  DISCORD_MODEL_CHECK(ValidateComponents(m.components));
  DISCORD_MODEL_CHECK(CheckLength("nonce", m.nonce, 0, 25));
  DISCORD_MODEL_CHECK(CheckMentions(m.allowed_mentions));
  nlohmann::json j = nlohmann::json::object();
  if (mode == MessageJsonMode::kReplace) {  // every field, so that empty ones are cleared
    j["content"] = m.content;
    j["embeds"] = List(m.embeds);
    j["components"] = List(m.components);
  } else {
    if (m.content.empty() && m.embeds.empty() && m.components.empty()) {
      return std::unexpected(core::Error{core::ErrorCode::kInvalidArgument,
                                         "a message needs content, embeds or components",
                                         "content"});
    }
    if (!m.content.empty()) j["content"] = m.content;
    if (!m.embeds.empty()) j["embeds"] = List(m.embeds);
    if (!m.components.empty()) j["components"] = List(m.components);
  }
  j["allowed_mentions"] = ToJson(m.allowed_mentions);
  if (m.flags != 0) j["flags"] = m.flags;
  if (m.reply_to) {
    j["message_reference"] = {{"message_id", m.reply_to->message_id.ToString()},
                              {"fail_if_not_exists", m.reply_to->fail_if_not_exists}};
  }
  if (!m.nonce.empty()) {
    j["nonce"] = m.nonce;
    j["enforce_nonce"] = true;
  }
  return j;
}

}  // namespace detail

core::Result<nlohmann::json> MessageJson(const CreateMessage& message) {
  return detail::MessageJson(message, detail::MessageJsonMode::kCreate);
}

core::Result<std::string> EncodeCreateMessage(const CreateMessage& message) {
  auto j = MessageJson(message);
  if (!j) return std::unexpected(std::move(j.error()));
  return j->dump();
}

core::Result<std::string> EncodeEditMessage(const EditMessage& m) {
  if (!m.content && !m.embeds && !m.components && !m.flags) {
    return Invalid("an edit changes nothing", "content");
  }
  nlohmann::json j = nlohmann::json::object();
  if (m.content) {
    DISCORD_MODEL_CHECK(detail::CheckLength("content", *m.content, 0, 2000));
    j["content"] = *m.content;
  }
  if (m.embeds) {
    DISCORD_MODEL_CHECK(ValidateEmbeds(*m.embeds));
    j["embeds"] = List(*m.embeds);
  }
  if (m.components) {
    DISCORD_MODEL_CHECK(ValidateComponents(*m.components));
    j["components"] = List(*m.components);
  }
  DISCORD_MODEL_CHECK(CheckMentions(m.allowed_mentions));
  j["allowed_mentions"] = ToJson(m.allowed_mentions);
  if (m.flags) j["flags"] = *m.flags;
  return j.dump();
}

nlohmann::json ToJson(const AllowedMentions& m) {
  nlohmann::json parse = nlohmann::json::array();
  if (m.parse_users) parse.push_back("users");
  if (m.parse_roles) parse.push_back("roles");
  if (m.parse_everyone) parse.push_back("everyone");
  nlohmann::json j = {{"parse", std::move(parse)}};
  auto ids = [](const auto& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& id : list) out.push_back(id.ToString());
    return out;
  };
  if (!m.users.empty()) j["users"] = ids(m.users);
  if (!m.roles.empty()) j["roles"] = ids(m.roles);
  if (m.replied_user) j["replied_user"] = true;
  return j;
}

}  // namespace discord

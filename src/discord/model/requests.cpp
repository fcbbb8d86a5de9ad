#include "discord/model/requests.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "discord/model/detail/limits.h"
#include "discord/model/timestamp.h"

namespace discord {
namespace {

using detail::CheckLength;
using detail::CheckRange;
using detail::Invalid;

core::Result<void> CheckArchiveDuration(std::optional<int> minutes) {
  if (!minutes || *minutes == 60 || *minutes == 1440 || *minutes == 4320 || *minutes == 10080) {
    return {};
  }
  return Invalid(fmt::format("auto_archive_duration {} is not 60, 1440, 4320 or 10080", *minutes),
                 "auto_archive_duration");
}

core::Result<void> CheckSlowMode(std::optional<int> seconds) {
  if (!seconds) return {};
  return CheckRange("rate_limit_per_user", *seconds, 0, 21600);
}

nlohmann::json Overwrites(const std::vector<Overwrite>& overwrites) {
  nlohmann::json out = nlohmann::json::array();
  for (const Overwrite& o : overwrites) out.push_back(ToJson(o));
  return out;
}

core::Result<void> CheckOverwrites(const std::vector<Overwrite>& overwrites) {
  std::set<std::pair<std::uint64_t, int>> seen;
  for (const Overwrite& o : overwrites) {
    if (!seen.emplace(o.id, static_cast<int>(o.type)).second) {
      return Invalid(fmt::format("permission_overwrites has {} twice", o.id),
                     "permission_overwrites");
    }
    if (o.allow & o.deny) {
      return Invalid(fmt::format("permission_overwrites for {} both allows and denies {}", o.id,
                                 o.allow & o.deny),
                     "permission_overwrites");
    }
  }
  return {};
}

core::Result<nlohmann::json> ThreadJson(const StartThread& t) {
  DISCORD_MODEL_CHECK(CheckLength("name", t.name, 1, 100));
  DISCORD_MODEL_CHECK(CheckArchiveDuration(t.auto_archive_duration));
  DISCORD_MODEL_CHECK(CheckSlowMode(t.rate_limit_per_user));
  nlohmann::json j = {{"name", t.name}};
  if (t.auto_archive_duration) j["auto_archive_duration"] = *t.auto_archive_duration;
  if (t.rate_limit_per_user) j["rate_limit_per_user"] = *t.rate_limit_per_user;
  return j;
}

}  // namespace

core::Result<std::string> EncodeModifyMember(const ModifyMember& body) {
  nlohmann::json j = nlohmann::json::object();
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, Clear>) {
          j["communication_disabled_until"] = nullptr;
        } else if constexpr (std::is_same_v<V, core::Timestamp>) {
          j["communication_disabled_until"] = FormatRequestTimestamp(v);
        }
      },
      body.communication_disabled_until);
  if (const auto* nick = std::get_if<std::string>(&body.nick)) {
    DISCORD_MODEL_CHECK(CheckLength("nick", *nick, 1, 32));
    j["nick"] = *nick;
  } else if (std::holds_alternative<Clear>(body.nick)) {
    j["nick"] = nullptr;
  }
  if (body.roles) {
    nlohmann::json roles = nlohmann::json::array();
    for (core::RoleId r : *body.roles) roles.push_back(r.ToString());
    j["roles"] = std::move(roles);
  }
  if (j.empty()) return Invalid("the member update changes nothing", "member");
  return j.dump();
}

core::Result<std::string> EncodeCreateBan(const CreateBan& body) {
  const std::int64_t seconds = body.delete_message_seconds.count();
  DISCORD_MODEL_CHECK(CheckRange<std::int64_t>("delete_message_seconds", seconds, 0, 604800));
  return nlohmann::json{{"delete_message_seconds", seconds}}.dump();
}

core::Result<std::string> EncodeBulkDelete(const BulkDelete& body) {
  if (body.messages.size() < 2 || body.messages.size() > 100) {
    return Invalid(fmt::format("bulk delete takes 2 to 100 messages, not {}", body.messages.size()),
                   "messages");
  }
  std::set<core::MessageId> seen;
  nlohmann::json ids = nlohmann::json::array();
  for (core::MessageId id : body.messages) {
    if (!seen.insert(id).second) {
      return Invalid(fmt::format("bulk delete lists message {} twice", id.value()), "messages");
    }
    ids.push_back(id.ToString());
  }
  return nlohmann::json{{"messages", std::move(ids)}}.dump();
}

core::Result<std::string> EncodeStartThread(const StartThread& body) {
  if (!IsThread(body.type)) {
    return Invalid(fmt::format("thread type {} is not 10, 11 or 12", static_cast<int>(body.type)),
                   "type");
  }
  auto j = ThreadJson(body);
  if (!j) return std::unexpected(std::move(j.error()));
  (*j)["type"] = static_cast<int>(body.type);
  if (body.invitable) (*j)["invitable"] = *body.invitable;
  return j->dump();
}

core::Result<std::string> EncodeStartThreadFromMessage(const StartThread& body) {
  auto j = ThreadJson(body);
  if (!j) return std::unexpected(std::move(j.error()));
  return j->dump();
}

core::Result<std::string> EncodeModifyChannel(const ModifyChannel& body) {
  nlohmann::json j = nlohmann::json::object();
  if (body.name) {
    DISCORD_MODEL_CHECK(CheckLength("name", *body.name, 1, 100));
    j["name"] = *body.name;
  }
  if (body.topic) {
    DISCORD_MODEL_CHECK(CheckLength("topic", *body.topic, 0, 1024));
    j["topic"] = *body.topic;
  }
  DISCORD_MODEL_CHECK(CheckSlowMode(body.rate_limit_per_user));
  if (body.rate_limit_per_user) j["rate_limit_per_user"] = *body.rate_limit_per_user;
  if (body.permission_overwrites) {
    DISCORD_MODEL_CHECK(CheckOverwrites(*body.permission_overwrites));
    j["permission_overwrites"] = Overwrites(*body.permission_overwrites);
  }
  if (body.archived) j["archived"] = *body.archived;
  if (body.locked) j["locked"] = *body.locked;
  if (body.invitable) j["invitable"] = *body.invitable;
  DISCORD_MODEL_CHECK(CheckArchiveDuration(body.auto_archive_duration));
  if (body.auto_archive_duration) j["auto_archive_duration"] = *body.auto_archive_duration;
  if (j.empty()) return Invalid("the channel update changes nothing", "channel");
  return j.dump();
}

core::Result<std::string> EncodeCreateChannel(const CreateChannel& body) {
  DISCORD_MODEL_CHECK(CheckLength("name", body.name, 1, 100));
  DISCORD_MODEL_CHECK(CheckLength("topic", body.topic, 0, 1024));
  DISCORD_MODEL_CHECK(CheckSlowMode(body.rate_limit_per_user));
  DISCORD_MODEL_CHECK(CheckOverwrites(body.permission_overwrites));
  if (IsThread(body.type) || body.type == ChannelType::kDm || body.type == ChannelType::kGroupDm) {
    return Invalid(
        fmt::format("channel type {} cannot be created in a guild", static_cast<int>(body.type)),
        "type");
  }
  nlohmann::json j = {{"name", body.name},
                      {"type", static_cast<int>(body.type)},
                      {"permission_overwrites", Overwrites(body.permission_overwrites)}};
  if (body.parent_id) j["parent_id"] = body.parent_id->ToString();
  if (!body.topic.empty()) j["topic"] = body.topic;
  if (body.rate_limit_per_user) j["rate_limit_per_user"] = *body.rate_limit_per_user;
  return j.dump();
}

core::Result<std::string> EncodeEditOverwrite(const Overwrite& overwrite) {
  DISCORD_MODEL_CHECK(CheckOverwrites({overwrite}));
  return nlohmann::json{{"allow", std::to_string(overwrite.allow)},
                        {"deny", std::to_string(overwrite.deny)},
                        {"type", static_cast<int>(overwrite.type)}}
      .dump();
}

std::string EncodeCreateDm(core::UserId recipient) {
  return nlohmann::json{{"recipient_id", recipient.ToString()}}.dump();
}

}  // namespace discord

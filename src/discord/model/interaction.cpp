#include "discord/model/interaction.h"

#include <nlohmann/json.hpp>

#include "core/id.h"
#include "discord/model/detail/readers.h"
#include "discord/model/role.h"

namespace discord {
namespace detail {
namespace {

// Discord nests three levels (group, subcommand, value); more is refused rather than recursed into.
constexpr int kMaxOptionDepth = 8;

core::Result<CommandOption> ReadOption(const object& o, const Path& path, int depth) {
  if (depth > kMaxOptionDepth) return std::unexpected(Bad(path, "nests options too deeply"));
  Reader r(o, path);
  CommandOption opt;
  opt.name = r.ReqStr("name");
  opt.type = static_cast<OptionType>(r.ReqInt("type", 1, 255));
  opt.focused = r.Bool("focused");
  if (!r.ok()) return std::unexpected(r.TakeError());
  auto need = [&](auto v) -> CommandOption::Value {
    if (!v) {
      r.Missing("value");
      return {};
    }
    return *v;
  };
  if (opt.focused) {  // autocomplete: the partial text, whatever the type
    opt.value = need(r.OptStr("value"));
  } else {
    switch (opt.type) {
      case OptionType::kSubCommand:
      case OptionType::kSubCommandGroup:
        opt.options = r.Objects<CommandOption>(
            "options",
            [depth](const object& sub, const Path& p) { return ReadOption(sub, p, depth + 1); });
        break;
      case OptionType::kString:
        opt.value = need(r.OptStr("value"));
        break;
      case OptionType::kInteger:
        opt.value = need(r.Opt<std::int64_t>("value"));
        break;
      case OptionType::kNumber:
        opt.value = need(r.Opt<double>("value"));
        break;
      case OptionType::kBoolean:
        opt.value = need(r.Opt<bool>("value"));
        break;
      case OptionType::kUser:
      case OptionType::kChannel:
      case OptionType::kRole:
      case OptionType::kMentionable:
      case OptionType::kAttachment:
        opt.value = need(r.OptId<Snowflake>("value"));
        break;
      default:  // a type newer than this decoder: keep the name, ignore the value
        break;
    }
  }
  if (!r.ok()) return std::unexpected(r.TakeError());
  return opt;
}

// An object keyed by snowflakes: {"<id>": {...}, ...}.
template <class IdT, class T, class F>
core::Result<std::map<IdT, T>> ReadById(const object& o, const Path& path, F&& read) {
  std::map<IdT, T> out;
  for (auto [key, value] : o) {
    const Path at(path, key);
    auto id = core::ParseSnowflake(key);
    if (!id) return std::unexpected(Bad(at, "is keyed by something other than a snowflake"));
    object item;
    if (value.get(item) != simdjson::SUCCESS) return std::unexpected(Bad(at, "is not an object"));
    auto v = read(item, at);
    if (!v) return std::unexpected(std::move(v.error()));
    out.emplace(IdT(*id), std::move(*v));
  }
  return out;
}

core::Result<Resolved> ReadResolved(const object& o, const Path& path) {
  Reader r(o, path);
  Resolved res;
  auto map = [&]<class IdT, class T>(std::string_view key, auto read, std::map<IdT, T>& out) {
    auto by_id = r.Nested<std::map<IdT, T>>(
        key, [&](const object& m, const Path& p) { return ReadById<IdT, T>(m, p, read); });
    if (by_id) out = std::move(*by_id);
  };
  map("users", ReadUser, res.users);
  map("members", ReadMember, res.members);
  map("roles", ReadRole, res.roles);
  map("channels", ReadChannel, res.channels);
  map(
      "messages",
      [](const object& m, const Path& p) { return ReadMessage(m, p, MessageShape::kPartial); },
      res.messages);
  if (!r.ok()) return std::unexpected(r.TakeError());
  return res;
}

core::Result<CommandData> ReadCommandData(const object& o, const Path& path) {
  Reader r(o, path);
  CommandData d;
  d.id = r.ReqId<CommandId>("id");
  d.name = r.ReqStr("name");
  d.type = static_cast<CommandType>(r.ReqInt("type", 1, 255));
  d.guild_id = r.OptId<core::GuildId>("guild_id");
  d.options = r.Objects<CommandOption>(
      "options", [](const object& sub, const Path& p) { return ReadOption(sub, p, 1); });
  d.resolved = r.Nested<Resolved>("resolved", ReadResolved).value_or(Resolved{});
  d.target_id = r.OptId<Snowflake>("target_id");
  if (!r.ok()) return std::unexpected(r.TakeError());
  return d;
}

core::Result<ComponentData> ReadComponentData(const object& o, const Path& path) {
  Reader r(o, path);
  ComponentData d;
  d.custom_id = r.ReqStr("custom_id");
  d.component_type = static_cast<ComponentType>(r.ReqInt("component_type", 1, 255));
  if (auto values = r.Opt<array>("values")) {
    const Path list(path, "values");
    std::size_t i = 0;
    for (element v : *values) {
      const Path at(list, i++);
      std::string_view text;
      if (v.get(text) != simdjson::SUCCESS) {
        r.Fail(Bad(at, "is not a string"));
        break;
      }
      d.values.emplace_back(text);
    }
  }
  if (!r.ok()) return std::unexpected(r.TakeError());
  return d;
}

// Collects text inputs' {custom_id, value} through Labels ("component") and Action Rows
// ("components").
void CollectFields(const object& o, const Path& path, Reader& outer, int depth,
                   std::vector<ModalData::Field>& out) {
  if (depth > kMaxOptionDepth) {
    outer.Fail(Bad(path, "nests components too deeply"));
    return;
  }
  Reader r(o, path);
  auto value = r.Opt<std::string_view>("value");
  if (value) out.push_back({r.Str("custom_id"), std::string(*value)});
  if (auto child = r.Opt<object>("component")) {
    const Path at(path, "component");
    CollectFields(*child, at, outer, depth + 1, out);
  }
  if (auto children = r.Opt<array>("components")) {
    const Path list(path, "components");
    std::size_t i = 0;
    for (element c : *children) {
      const Path at(list, i++);
      object child;
      if (c.get(child) != simdjson::SUCCESS) {
        outer.Fail(Bad(at, "is not an object"));
        return;
      }
      CollectFields(child, at, outer, depth + 1, out);
    }
  }
  if (!r.ok()) outer.Fail(r.TakeError());
}

core::Result<ModalData> ReadModalData(const object& o, const Path& path) {
  Reader r(o, path);
  ModalData d;
  d.custom_id = r.ReqStr("custom_id");
  CollectFields(o, path, r, 0, d.fields);
  if (!r.ok()) return std::unexpected(r.TakeError());
  return d;
}

}  // namespace

core::Result<Interaction> ReadInteraction(const object& o, const Path& path) {
  Reader r(o, path);
  Interaction i;
  i.id = r.ReqId<InteractionId>("id");
  i.application_id = r.ReqId<ApplicationId>("application_id");
  i.type = static_cast<InteractionType>(r.ReqInt("type", 1, 255));
  i.token = r.ReqStr("token");
  i.version = static_cast<int>(r.OptInt("version", 0, 1 << 16).value_or(1));
  i.guild_id = r.OptId<core::GuildId>("guild_id");
  i.channel_id = r.OptId<core::ChannelId>("channel_id");
  i.channel = r.Nested<Channel>("channel", ReadChannel);
  i.member = r.Nested<Member>("member", ReadMember);
  i.user = r.Nested<User>("user", ReadUser);
  i.message = r.Nested<Message>("message", [](const object& m, const Path& p) {
    return ReadMessage(m, p, MessageShape::kPartial);
  });
  i.app_permissions = r.OptPermissions("app_permissions");
  i.locale = r.Str("locale");
  i.guild_locale = r.Str("guild_locale");
  if (auto context = r.OptInt("context", 0, 255)) i.context = static_cast<int>(*context);
  if (!r.ok()) return std::unexpected(r.TakeError());
  switch (i.type) {
    case InteractionType::kApplicationCommand:
    case InteractionType::kAutocomplete:
      if (auto d = r.Nested<CommandData>("data", ReadCommandData)) i.data = std::move(*d);
      break;
    case InteractionType::kMessageComponent:
      if (auto d = r.Nested<ComponentData>("data", ReadComponentData)) i.data = std::move(*d);
      break;
    case InteractionType::kModalSubmit:
      if (auto d = r.Nested<ModalData>("data", ReadModalData)) i.data = std::move(*d);
      break;
    default:  // PING, or a type newer than this decoder
      break;
  }
  if (r.ok() && i.type != InteractionType::kPing && i.data.index() == 0 &&
      (i.type == InteractionType::kApplicationCommand || i.type == InteractionType::kAutocomplete ||
       i.type == InteractionType::kMessageComponent || i.type == InteractionType::kModalSubmit)) {
    r.Missing("data");
  }
  if (!r.ok()) return std::unexpected(r.TakeError());
  return i;
}

}  // namespace detail

const CommandOption* CommandOption::Find(std::string_view wanted) const {
  for (const CommandOption& o : options) {
    if (o.name == wanted) return &o;
  }
  return nullptr;
}

const std::string* CommandOption::AsString() const { return std::get_if<std::string>(&value); }

std::optional<std::int64_t> CommandOption::AsInteger() const {
  if (const auto* v = std::get_if<std::int64_t>(&value)) return *v;
  return std::nullopt;
}

std::optional<double> CommandOption::AsNumber() const {
  if (const auto* v = std::get_if<double>(&value)) return *v;
  if (const auto* v = std::get_if<std::int64_t>(&value)) return static_cast<double>(*v);
  return std::nullopt;
}

std::optional<bool> CommandOption::AsBool() const {
  if (const auto* v = std::get_if<bool>(&value)) return *v;
  return std::nullopt;
}

std::optional<Snowflake> CommandOption::AsId() const {
  if (const auto* v = std::get_if<Snowflake>(&value)) return *v;
  return std::nullopt;
}

CommandData::Route CommandData::Leaf() const {
  Route route{.options = &options};
  const std::vector<CommandOption>* level = &options;
  if (level->size() == 1 && (*level)[0].type == OptionType::kSubCommandGroup) {
    route.group = (*level)[0].name;
    level = &(*level)[0].options;
    route.options = level;
  }
  if (level->size() == 1 && (*level)[0].type == OptionType::kSubCommand) {
    route.subcommand = (*level)[0].name;
    route.options = &(*level)[0].options;
  }
  return route;
}

const User* Interaction::Invoker() const {
  if (member && member->user) return &*member->user;
  if (user) return &*user;
  return nullptr;
}

core::Result<Interaction> DecodeInteraction(std::string_view json) {
  return detail::DecodeOne<Interaction>(json, "interaction", detail::ReadInteraction);
}

namespace {

nlohmann::json OptionJson(const CommandOption& o) {
  nlohmann::json j = {{"name", o.name}, {"type", static_cast<int>(o.type)}};
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, Snowflake>) {
          j["value"] = v.ToString();
        } else if constexpr (!std::is_same_v<V, std::monostate>) {
          j["value"] = v;
        }
      },
      o.value);
  if (o.focused) j["focused"] = true;
  if (!o.options.empty()) {
    nlohmann::json options = nlohmann::json::array();
    for (const CommandOption& sub : o.options) options.push_back(OptionJson(sub));
    j["options"] = std::move(options);
  }
  return j;
}

template <class Map>
nlohmann::json ById(const Map& map) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [id, item] : map) out[id.ToString()] = ToJson(item);
  return out;
}

nlohmann::json ResolvedJson(const Resolved& r) {
  nlohmann::json j = nlohmann::json::object();
  if (!r.users.empty()) j["users"] = ById(r.users);
  if (!r.members.empty()) j["members"] = ById(r.members);
  if (!r.roles.empty()) j["roles"] = ById(r.roles);
  if (!r.channels.empty()) j["channels"] = ById(r.channels);
  if (!r.messages.empty()) j["messages"] = ById(r.messages);
  return j;
}

nlohmann::json DataJson(const CommandData& d) {
  nlohmann::json j = {
      {"id", d.id.ToString()}, {"name", d.name}, {"type", static_cast<int>(d.type)}};
  if (d.guild_id) j["guild_id"] = d.guild_id->ToString();
  if (!d.options.empty()) {
    nlohmann::json options = nlohmann::json::array();
    for (const CommandOption& o : d.options) options.push_back(OptionJson(o));
    j["options"] = std::move(options);
  }
  if (d.resolved != Resolved{}) j["resolved"] = ResolvedJson(d.resolved);
  if (d.target_id) j["target_id"] = d.target_id->ToString();
  return j;
}

nlohmann::json DataJson(const ComponentData& d) {
  nlohmann::json j = {{"custom_id", d.custom_id},
                      {"component_type", static_cast<int>(d.component_type)}};
  if (!d.values.empty()) j["values"] = d.values;
  return j;
}

nlohmann::json DataJson(const ModalData& d) {
  nlohmann::json components = nlohmann::json::array();
  for (const ModalData::Field& f : d.fields) {
    components.push_back({{"type", static_cast<int>(ComponentType::kLabel)},
                          {"component",
                           {{"type", static_cast<int>(ComponentType::kTextInput)},
                            {"custom_id", f.custom_id},
                            {"value", f.value}}}});
  }
  return {{"custom_id", d.custom_id}, {"components", std::move(components)}};
}

}  // namespace

nlohmann::json ToJson(const Interaction& i) {
  nlohmann::json j = {
      {"id", i.id.ToString()},
      {"application_id", i.application_id.ToString()},
      {"type", static_cast<int>(i.type)},
      {"token", i.token},
      {"version", i.version},
      {"entitlements", nlohmann::json::array()},
  };
  if (i.guild_id) j["guild_id"] = i.guild_id->ToString();
  if (i.channel_id) j["channel_id"] = i.channel_id->ToString();
  if (i.channel) j["channel"] = ToJson(*i.channel);
  if (i.member) j["member"] = ToJson(*i.member);
  if (i.user) j["user"] = ToJson(*i.user);
  std::visit(
      [&](const auto& d) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(d)>, std::monostate>) {
          j["data"] = DataJson(d);
        }
      },
      i.data);
  if (i.message) j["message"] = ToJson(*i.message);
  if (i.app_permissions) j["app_permissions"] = std::to_string(*i.app_permissions);
  if (!i.locale.empty()) j["locale"] = i.locale;
  if (!i.guild_locale.empty()) j["guild_locale"] = i.guild_locale;
  if (i.context) j["context"] = *i.context;
  return j;
}

}  // namespace discord

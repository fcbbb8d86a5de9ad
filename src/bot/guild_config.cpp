#include "bot/guild_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <nlohmann/json.hpp>

namespace bot {
namespace {

using Json = nlohmann::json;

core::Error Invalid(std::string message, std::string_view key) {
  return core::Error{core::ErrorCode::kInvalidArgument, std::move(message), std::string(key)};
}

core::Result<int> ParseWhole(std::string_view key, std::string_view v, int lo, int hi,
                             std::string_view unit = {}) {
  int n = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < lo || n > hi) {
    return std::unexpected(Invalid(
        fmt::format("{} must be a whole number{} from {} to {}, not \"{}\"", key, unit, lo, hi, v),
        key));
  }
  return n;
}

// One workflow setting: how to read and write it on WorkflowSettings.
struct WorkflowKey {
  std::string_view key;
  std::function<std::string(const WorkflowSettings&)> get;
  std::function<core::Result<void>(WorkflowSettings&, std::string_view value)> set;
};

const std::vector<WorkflowKey>& WorkflowKeys() {
  static const std::vector<WorkflowKey> keys = [] {
    std::vector<WorkflowKey> k;
    k.push_back(
        {"workflow.delete_message",
         [](const WorkflowSettings& w) { return std::string(ToString(w.delete_message)); },
         [](WorkflowSettings& w, std::string_view v) -> core::Result<void> {
           for (auto d : {DeleteMessage::kNever, DeleteMessage::kHigh, DeleteMessage::kFlagged}) {
             if (v == ToString(d)) {
               w.delete_message = d;
               return {};
             }
           }
           return std::unexpected(
               Invalid(fmt::format("workflow.delete_message must be never, high or flagged, not "
                                   "\"{}\"",
                                   v),
                       "workflow.delete_message"));
         }});
    k.push_back({"workflow.timeout_minutes",
                 [](const WorkflowSettings& w) { return std::to_string(w.timeout.count()); },
                 [](WorkflowSettings& w, std::string_view v) -> core::Result<void> {
                   // Discord's longest timeout is 28 days.
                   auto n = ParseWhole("workflow.timeout_minutes", v, 1, 28 * 24 * 60);
                   if (!n) return std::unexpected(n.error());
                   w.timeout = std::chrono::minutes(*n);
                   return {};
                 }});
    k.push_back({"workflow.ban_delete_seconds",
                 [](const WorkflowSettings& w) { return std::to_string(w.ban_delete_seconds); },
                 [](WorkflowSettings& w, std::string_view v) -> core::Result<void> {
                   auto n = ParseWhole("workflow.ban_delete_seconds", v, 0, 7 * 24 * 60 * 60);
                   if (!n) return std::unexpected(n.error());
                   w.ban_delete_seconds = *n;
                   return {};
                 }});
    k.push_back({"workflow.verification_prompt",
                 [](const WorkflowSettings& w) { return w.verification_prompt; },
                 [](WorkflowSettings& w, std::string_view v) -> core::Result<void> {
                   // Discord allows 2,000 characters in a message; leave room for the mention.
                   if (v.empty() || v.size() > 1500) {
                     return std::unexpected(
                         Invalid("workflow.verification_prompt must be 1 to 1500 bytes of text",
                                 "workflow.verification_prompt"));
                   }
                   w.verification_prompt = std::string(v);
                   return {};
                 }});
    k.push_back(
        {"workflow.judge_moderators",
         [](const WorkflowSettings& w) -> std::string {
           return w.judge_moderators ? "true" : "false";
         },
         [](WorkflowSettings& w, std::string_view v) -> core::Result<void> {
           if (v == "true" || v == "on" || v == "yes" || v == "1") {
             w.judge_moderators = true;
           } else if (v == "false" || v == "off" || v == "no" || v == "0") {
             w.judge_moderators = false;
           } else {
             return std::unexpected(Invalid(
                 fmt::format("workflow.judge_moderators must be true or false, not \"{}\"", v),
                 "workflow.judge_moderators"));
           }
           return {};
         }});
    k.push_back({"workflow.store_messages",
                 [](const WorkflowSettings& w) { return std::to_string(w.store_messages); },
                 [](WorkflowSettings& w, std::string_view v) -> core::Result<void> {
                   auto n = ParseWhole("workflow.store_messages", v, 0, 50);
                   if (!n) return std::unexpected(n.error());
                   w.store_messages = *n;
                   return {};
                 }});
    k.push_back(
        {"retention.messages_days",
         [](const WorkflowSettings& w) { return std::to_string(w.message_retention.count()); },
         [](WorkflowSettings& w, std::string_view v) -> core::Result<void> {
           auto n = ParseWhole("retention.messages_days", v, 1, 365);
           if (!n) return std::unexpected(n.error());
           w.message_retention = std::chrono::days(*n);
           return {};
         }});
    return k;
  }();
  return keys;
}

const WorkflowKey* FindWorkflowKey(std::string_view key) {
  for (const auto& k : WorkflowKeys()) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

bool IsPolicyKey(std::string_view key) {
  for (const auto& [k, v] : detect::PolicyData::Defaults().Describe()) {
    if (k == key) return true;
  }
  return false;
}

int IdIndex(std::string_view key) {
  for (std::size_t i = 0; i < kIdKeys.size(); ++i) {
    if (kIdKeys[i] == key) return static_cast<int>(i);
  }
  return -1;
}

// The distance of two short strings, for "did you mean".
std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

core::Error UnknownKey(std::string_view key) {
  std::vector<std::pair<std::size_t, std::string>> near;
  for (auto& k : SettingKeys()) near.emplace_back(EditDistance(key, k), std::move(k));
  std::sort(near.begin(), near.end());
  std::string hint;
  for (std::size_t i = 0; i < near.size() && i < 3 && near[i].first <= 6; ++i) {
    hint += hint.empty() ? "; did you mean " : ", ";
    hint += near[i].second;
  }
  return core::Error{core::ErrorCode::kNotFound,
                     fmt::format("unknown setting \"{}\"{}", key, hint.empty() ? "" : hint + "?"),
                     std::string(key)};
}

// The stored overrides of `settings`: {"key": "text"}; numbers and booleans (written by hand or by
// another tool) are read as their text, lists of strings as "a, b".
struct StoredOverrides {
  Overrides values;
  std::vector<std::string> problems;
};

StoredOverrides ReadOverrides(const std::string& settings) {
  StoredOverrides out;
  Json j = Json::parse(settings, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    out.problems.push_back(
        "servers.settings is not a JSON object; every setting is at its default");
    return out;
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    const Json& v = it.value();
    if (v.is_string()) {
      out.values[it.key()] = v.get<std::string>();
    } else if (v.is_boolean()) {
      out.values[it.key()] = v.get<bool>() ? "true" : "false";
    } else if (v.is_number_integer()) {
      out.values[it.key()] = std::to_string(v.get<std::int64_t>());
    } else if (v.is_number()) {
      out.values[it.key()] = fmt::format("{}", v.get<double>());
    } else if (v.is_array() &&
               std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_string(); })) {
      std::string joined;
      for (const auto& e : v) {
        if (!joined.empty()) joined += ", ";
        joined += e.get<std::string>();
      }
      out.values[it.key()] = std::move(joined);
    } else {
      out.problems.push_back(
          fmt::format("{}: a stored value must be text, not {}", it.key(), v.type_name()));
    }
  }
  return out;
}

std::string WriteOverrides(const Overrides& values) {
  Json j = Json::object();
  for (const auto& [k, v] : values) j[k] = v;
  return j.dump();
}

// Applies `overrides` (validated one by one) to the defaults. Returns the overrides in force.
Overrides Apply(const Overrides& overrides, WorkflowSettings& workflow, detect::PolicyData& policy,
                std::vector<std::string>& problems) {
  Overrides used;
  for (const auto& [key, value] : overrides) {
    core::Result<void> r;
    if (const WorkflowKey* w = FindWorkflowKey(key)) {
      r = w->set(workflow, value);
    } else if (IdIndex(key) >= 0) {
      r = std::unexpected(
          Invalid(fmt::format("{} is a column of servers, not a setting", key), key));
    } else {
      r = policy.Set(key, value);
      if (!r && r.error().code == core::ErrorCode::kNotFound) r = std::unexpected(UnknownKey(key));
    }
    if (!r) {
      problems.push_back(r.error().message + " (stored value ignored)");
      continue;
    }
    used.emplace(key, value);
  }
  return used;
}

// The compiled policy of `overrides`; an override that makes the whole invalid is dropped and
// reported. Returns nullptr-free.
std::shared_ptr<const detect::CompiledPolicy> CompileOverrides(Overrides& used,
                                                               WorkflowSettings& workflow,
                                                               std::vector<std::string>& problems) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    detect::PolicyData data = detect::PolicyData::Defaults();
    WorkflowSettings w;
    std::vector<std::string> ignored;
    auto in_force = Apply(used, w, data, ignored);
    auto compiled = detect::CompiledPolicy::Compile(std::move(data));
    if (compiled) {
      workflow = w;
      used = std::move(in_force);
      return *compiled;
    }
    problems.push_back(compiled.error().message + " (stored value ignored)");
    if (used.erase(compiled.error().subject) == 0) break;
  }
  problems.push_back("the stored detection settings do not fit together; using the defaults");
  used.clear();
  workflow = WorkflowSettings{};
  return detect::CompiledPolicy::Default();
}

// `row` storing `values`, if together they compile as the bot will use them; else the error
// naming the conflict.
core::Result<store::Server> WithOverrides(store::Server row, const Overrides& values) {
  std::vector<std::string> problems;
  detect::PolicyData data = detect::PolicyData::Defaults();
  WorkflowSettings all;
  Apply(values, all, data, problems);
  if (auto compiled = detect::CompiledPolicy::Compile(std::move(data)); !compiled) {
    return std::unexpected(compiled.error());
  }
  row.settings = WriteOverrides(values);
  return row;
}

core::Result<std::uint64_t> ParseIdValue(std::string_view key, std::string_view v) {
  // Accept <#id>, <@&id> and a bare id.
  std::string_view text = v;
  if (text.size() > 3 && text.front() == '<' && text.back() == '>') {
    text = text.substr(1, text.size() - 2);
    if (text.starts_with("#")) {
      text.remove_prefix(1);
    } else if (text.starts_with("@&")) {
      text.remove_prefix(2);
    }
  }
  auto id = core::ParseSnowflake(text, key);
  if (!id || *id == 0) {
    return std::unexpected(Invalid(fmt::format("{} must be a {} id or mention, not \"{}\"", key,
                                               key.starts_with("role.") ? "role" : "channel", v),
                                   key));
  }
  return *id;
}

void SetId(store::Server& row, int index, std::optional<std::uint64_t> id) {
  switch (index) {
    case 0:
      row.restricted_role_id = id ? std::optional(core::RoleId(*id)) : std::nullopt;
      break;
    case 1:
      row.admin_notification_role_id = id ? std::optional(core::RoleId(*id)) : std::nullopt;
      break;
    case 2:
      row.admin_channel_id = id ? std::optional(core::ChannelId(*id)) : std::nullopt;
      break;
    case 3:
      row.verification_channel_id = id ? std::optional(core::ChannelId(*id)) : std::nullopt;
      break;
    default:
      break;
  }
}

template <class Id>
void Resolve(std::optional<Id>& out, IdSource& source, std::optional<Id> db, std::optional<Id> env,
             std::string_view key, std::string_view variable, ConfigSource mode,
             std::vector<std::string>& problems) {
  out = db;
  source = db ? IdSource::kDatabase : IdSource::kUnset;
  if (!env || mode == ConfigSource::kDbOnly) return;
  if (db && *db != *env) {
    problems.push_back(fmt::format("{} is {} in the database but {} is {}; the database wins", key,
                                   db->value(), variable, env->value()));
    return;
  }
  if (db) return;
  out = env;
  source = IdSource::kEnvironment;
  if (mode == ConfigSource::kDbPrimary) {
    problems.push_back(fmt::format(
        "{} comes from {}: the database has none (import it with `antispam config import-env`)",
        key, variable));
  }
}

}  // namespace

std::string_view ToString(ConfigSource s) {
  switch (s) {
    case ConfigSource::kEnvFallback:
      return "env-fallback";
    case ConfigSource::kDualWrite:
      return "dual-write";
    case ConfigSource::kDbPrimary:
      return "db-primary";
    case ConfigSource::kDbOnly:
      return "db-only";
  }
  return "?";
}

core::Result<ConfigSource> ParseConfigSource(std::string_view text) {
  for (auto s : {ConfigSource::kEnvFallback, ConfigSource::kDualWrite, ConfigSource::kDbPrimary,
                 ConfigSource::kDbOnly}) {
    if (text == ToString(s)) return s;
  }
  return core::Fail(
      core::ErrorCode::kInvalidArgument,
      fmt::format("config source must be env-fallback, dual-write, db-primary or db-only, not "
                  "\"{}\"",
                  text),
      "config_source");
}

std::string_view ToString(DeleteMessage d) {
  switch (d) {
    case DeleteMessage::kNever:
      return "never";
    case DeleteMessage::kHigh:
      return "high";
    case DeleteMessage::kFlagged:
      return "flagged";
  }
  return "?";
}

std::string_view ToString(IdSource s) {
  switch (s) {
    case IdSource::kUnset:
      return "unset";
    case IdSource::kDatabase:
      return "database";
    case IdSource::kEnvironment:
      return "environment";
  }
  return "?";
}

GuildConfig BuildGuildConfig(const store::Server& row, const LegacyEnv& env, ConfigSource source) {
  GuildConfig c;
  c.guild = row.guild_id;
  c.active = row.is_active;
  Resolve(c.restricted_role, c.id_sources[0], row.restricted_role_id, env.restricted_role,
          kIdKeys[0], "RESTRICTED_ROLE_ID", source, c.problems);
  Resolve(c.notification_role, c.id_sources[1], row.admin_notification_role_id,
          env.notification_role, kIdKeys[1], "ADMIN_NOTIFICATION_ROLE_ID", source, c.problems);
  Resolve(c.admin_channel, c.id_sources[2], row.admin_channel_id, env.admin_channel, kIdKeys[2],
          "ADMIN_CHANNEL_ID", source, c.problems);
  Resolve(c.verification_channel, c.id_sources[3], row.verification_channel_id,
          env.verification_channel, kIdKeys[3], "VERIFICATION_CHANNEL_ID", source, c.problems);

  StoredOverrides stored = ReadOverrides(row.settings);
  c.problems.insert(c.problems.end(), stored.problems.begin(), stored.problems.end());
  detect::PolicyData ignored_policy = detect::PolicyData::Defaults();
  WorkflowSettings ignored_workflow;
  Overrides used = Apply(stored.values, ignored_workflow, ignored_policy, c.problems);
  c.policy = CompileOverrides(used, c.workflow, c.problems);
  c.overrides = std::move(used);
  return c;
}

core::Result<store::Server> WithSetting(store::Server row, std::string_view key,
                                        std::string_view value) {
  if (const int index = IdIndex(key); index >= 0) {
    auto id = ParseIdValue(key, value);
    if (!id) return std::unexpected(id.error());
    SetId(row, index, *id);
    return row;
  }
  StoredOverrides stored = ReadOverrides(row.settings);
  if (!stored.problems.empty()) {
    // Never write over settings the bot cannot read: they may be another tool's.
    return core::Fail(core::ErrorCode::kFailedPrecondition,
                      "the stored settings cannot be read (" + stored.problems.front() +
                          "); fix or reset them first",
                      "settings");
  }
  WorkflowSettings workflow;
  detect::PolicyData policy = detect::PolicyData::Defaults();
  // Check the new value alone first, for an error that names it.
  if (const WorkflowKey* w = FindWorkflowKey(key)) {
    if (auto r = w->set(workflow, value); !r) return std::unexpected(r.error());
  } else if (auto r = policy.Set(key, value); !r) {
    if (r.error().code == core::ErrorCode::kNotFound) return std::unexpected(UnknownKey(key));
    return std::unexpected(r.error());
  }
  // Then the whole, with the other overrides in force, as the bot will use it.
  stored.values[std::string(key)] = std::string(value);
  return WithOverrides(std::move(row), stored.values);
}

core::Result<store::Server> WithReset(store::Server row, std::string_view key) {
  if (const int index = IdIndex(key); index >= 0) {
    SetId(row, index, std::nullopt);
    return row;
  }
  if (key == "all") {
    row.settings = "{}";
    return row;
  }
  if (FindWorkflowKey(key) == nullptr && !IsPolicyKey(key)) return std::unexpected(UnknownKey(key));
  StoredOverrides stored = ReadOverrides(row.settings);
  if (!stored.problems.empty()) {
    return core::Fail(core::ErrorCode::kFailedPrecondition,
                      "the stored settings cannot be read (" + stored.problems.front() +
                          "); reset them all with key \"all\"",
                      "settings");
  }
  stored.values.erase(std::string(key));
  // Resetting one value can make the rest inconsistent (level.high back to 0.75 below a stored
  // level.medium of 0.8): refused, naming the conflict.
  return WithOverrides(std::move(row), stored.values);
}

std::vector<SettingView> Describe(const GuildConfig& config) {
  std::vector<SettingView> out;
  const std::array<std::optional<std::uint64_t>, 4> ids{
      config.restricted_role ? std::optional(config.restricted_role->value()) : std::nullopt,
      config.notification_role ? std::optional(config.notification_role->value()) : std::nullopt,
      config.admin_channel ? std::optional(config.admin_channel->value()) : std::nullopt,
      config.verification_channel ? std::optional(config.verification_channel->value())
                                  : std::nullopt};
  for (std::size_t i = 0; i < kIdKeys.size(); ++i) {
    out.push_back({std::string(kIdKeys[i]), ids[i] ? std::to_string(*ids[i]) : std::string(),
                   ids[i].has_value(), ""});
  }
  const WorkflowSettings defaults;
  for (const auto& k : WorkflowKeys()) {
    out.push_back({std::string(k.key), k.get(config.workflow), config.overrides.contains(k.key),
                   k.get(defaults)});
  }
  const auto now = config.policy->data().Describe();
  const auto base = detect::PolicyData::Defaults().Describe();
  for (std::size_t i = 0; i < now.size(); ++i) {
    out.push_back({now[i].first, now[i].second, config.overrides.contains(now[i].first),
                   i < base.size() ? base[i].second : ""});
  }
  return out;
}

std::vector<std::string> SettingKeys() {
  std::vector<std::string> out(kIdKeys.begin(), kIdKeys.end());
  for (const auto& k : WorkflowKeys()) out.emplace_back(k.key);
  for (auto& [k, v] : detect::PolicyData::Defaults().Describe()) out.push_back(std::move(k));
  return out;
}

}  // namespace bot

// A guild's configuration as the bot uses it (issue 5 item 5): the ids of its roles and channels
// (columns of `servers`), the moderation workflow's settings and the detection policy (both kept
// as overrides of the defaults in `servers.settings`), with the defaults defined once — the
// workflow's in WorkflowSettings' initialisers, the policy's in detect::PolicyData.
//
// Every setting has one key, used by `/config`, the dashboard and `servers.settings`:
//   channel.admin, channel.verification, role.restricted, role.notification   (the columns)
//   workflow.*, retention.*                                                    (WorkflowSettings)
//   weight.*, level.*, action.*, rate.*, ..., llm.*                            (detect::PolicyData)
// `servers.settings` holds only the overrides, as {"key": "value as text"}, so a default changed
// in a new release reaches every guild that did not choose otherwise.
//
// Pure functions over values: no I/O.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/legacy_env.h"
#include "core/id.h"
#include "core/result.h"
#include "detect/policy.h"
#include "store/records.h"

namespace bot {

// Where the four legacy ids come from while a deployment moves from environment variables to the
// database (DESIGN §7; ../shared/ORIGINAL-PLAN.md "Migration Strategy"), in migration order.
enum class ConfigSource {
  kEnvFallback,  // read the database; an id it lacks comes from the environment; differences logged
  kDualWrite,    // as env-fallback, and the environment's ids are written to guilds lacking them
  kDbPrimary,    // the database; the environment only fills gaps, each time with a warning
  kDbOnly,       // the database alone; set legacy variables are reported once and ignored
};
std::string_view ToString(ConfigSource s);
core::Result<ConfigSource> ParseConfigSource(std::string_view text);

// What happens to the message that got its author flagged.
enum class DeleteMessage { kNever, kHigh, kFlagged };  // never; when the level is HIGH; always
std::string_view ToString(DeleteMessage d);

// Stored overrides, key -> value text.
using Overrides = std::map<std::string, std::string, std::less<>>;

struct WorkflowSettings {
  DeleteMessage delete_message = DeleteMessage::kHigh;
  // Used when the guild has no restricted role, and for the timeout action.
  std::chrono::minutes timeout{24 * 60};
  // Seconds of the banned user's messages Discord deletes with a ban (0 to 7 days).
  int ban_delete_seconds = 24 * 60 * 60;
  // Posted in the verification thread; {user} becomes a mention of the flagged user.
  std::string verification_prompt =
      "{user}, our anti-spam check flagged one of your messages and limited your access while a "
      "moderator takes a look. If this was a mistake, tell us here; nothing else is needed.";
  bool judge_moderators = false;
  // Recent messages of a flagged user kept in `messages` with the case (0: none).
  int store_messages = 10;
  std::chrono::days message_retention{7};
};

// Where one of the four ids came from.
enum class IdSource { kUnset, kDatabase, kEnvironment };
std::string_view ToString(IdSource s);

struct GuildConfig {
  core::GuildId guild;
  std::optional<core::RoleId> restricted_role;
  std::optional<core::RoleId> notification_role;
  std::optional<core::ChannelId> admin_channel;
  std::optional<core::ChannelId> verification_channel;
  // Indexed like kIdKeys: restricted role, notification role, admin channel, verification channel.
  std::array<IdSource, 4> id_sources{};
  WorkflowSettings workflow;
  std::shared_ptr<const detect::CompiledPolicy> policy = detect::CompiledPolicy::Default();
  bool active = true;
  // The stored overrides that are in force, key -> value text.
  Overrides overrides;
  // Stored values that could not be used (the default applies instead), each naming its key and
  // why; and the legacy-variable discrepancies found. For the log and `/config view`.
  std::vector<std::string> problems;
};

// The keys of the four columns, in GuildConfig::id_sources order.
inline constexpr std::array<std::string_view, 4> kIdKeys{"role.restricted", "role.notification",
                                                         "channel.admin", "channel.verification"};

// One row of `/config view`.
struct SettingView {
  std::string key;
  std::string value;          // "" for an unset id
  bool overridden = false;    // set for this guild (or, for ids, set at all)
  std::string default_value;  // "" for ids
};

// The configuration of `row`: its stored overrides applied to the defaults (a bad one is skipped
// and reported in `problems`, never fatal: a guild keeps being protected), and its ids filled
// from `env` as `source` says.
GuildConfig BuildGuildConfig(const store::Server& row, const LegacyEnv& env, ConfigSource source);

// `row` with `key` set to `value` (text, as typed in `/config set`; ids also as mentions
// <#id>/<@&id>). Checked as the bot would use it: the whole policy must still compile.
// kInvalidArgument with a message for the user (the key, what is allowed) and nothing changed
// otherwise; kNotFound for an unknown key (the message suggests close keys).
core::Result<store::Server> WithSetting(store::Server row, std::string_view key,
                                        std::string_view value);
// `row` with `key` back to its default (an id: unset); key "all" resets every setting but the
// ids. kNotFound for an unknown key.
core::Result<store::Server> WithReset(store::Server row, std::string_view key);

// Every setting of `config` with its value, in a stable order: ids, workflow, policy.
std::vector<SettingView> Describe(const GuildConfig& config);
// Every key (for autocomplete and the docs).
std::vector<std::string> SettingKeys();

}  // namespace bot

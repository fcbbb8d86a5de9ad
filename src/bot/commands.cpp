#include "bot/commands.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bot/blocking.h"
#include "discord/model/permissions.h"

namespace bot {

namespace asio = boost::asio;
namespace perm = discord::permission;
using discord::CommandOptionSpec;
using discord::OptionType;

namespace {

// An ok result, built outside co_return: GCC 12 mishandles a braced temporary there.
core::Result<void> Done() { return {}; }

CommandOptionSpec Opt(OptionType type, std::string name, std::string description,
                      bool required = false) {
  CommandOptionSpec o;
  o.type = type;
  o.name = std::move(name);
  o.description = std::move(description);
  o.required = required;
  return o;
}

discord::ApplicationCommand Command(std::string name, std::string description,
                                    discord::Permissions default_permissions) {
  discord::ApplicationCommand c;
  c.name = std::move(name);
  c.description = std::move(description);
  c.default_member_permissions = default_permissions;
  c.contexts = {discord::InteractionContext::kGuild};
  return c;
}

discord::CreateMessage Ephemeral(std::string text) {
  discord::CreateMessage m;
  if (text.size() > 2000) text.resize(2000);
  m.content = std::move(text);
  m.flags = discord::message_flag::kEphemeral;
  return m;
}

const discord::CommandData* DataOf(const discord::Interaction& i) {
  return std::get_if<discord::CommandData>(&i.data);
}

std::string InvokerName(const discord::Interaction& i) {
  const discord::User* u = i.Invoker();
  return u ? fmt::format("{} ({})", u->username, u->id.value()) : std::string("someone");
}

std::optional<core::UserId> ActorOf(const discord::Interaction& i) {
  const discord::User* who = i.Invoker();
  return who ? std::optional(who->id) : std::nullopt;
}

std::optional<core::UserId> UserOption(discord::interactions::Context& c) {
  const discord::CommandOption* o = c.Option("user");
  if (o == nullptr) return std::nullopt;
  auto id = o->AsId();
  if (!id) return std::nullopt;
  return core::UserId(id->value());
}

std::string Text(discord::interactions::Context& c, std::string_view name) {
  const discord::CommandOption* o = c.Option(name);
  if (o == nullptr) return {};
  const std::string* s = o->AsString();
  return s ? *s : std::string();
}

int HighestPosition(const discord::GuildRoles& guild, const std::vector<core::RoleId>& roles) {
  int top = 0;
  for (const auto id : roles) {
    if (const discord::Role* r = guild.Find(id)) top = std::max(top, r->position);
  }
  return top;
}

// What one case decision looks like to the moderator who made it.
std::string Summary(const CaseResult& r, CaseAction action, core::UserId user) {
  std::string out;
  switch (action) {
    case CaseAction::kVerify:
      out = fmt::format("<@{}> verified: restriction lifted", user.value());
      break;
    case CaseAction::kBan:
      out = fmt::format("<@{}> banned", user.value());
      break;
    case CaseAction::kKick:
      out = fmt::format("<@{}> kicked", user.value());
      break;
    case CaseAction::kReopen:
      out = fmt::format("<@{}>'s case reopened: restricted again", user.value());
      break;
  }
  if (!r.had_case && action != CaseAction::kVerify) out += " (no open case)";
  for (const auto& n : r.notes) out += "\n⚠ " + n;
  return out;
}

}  // namespace

std::vector<discord::ApplicationCommand> CommandDefinitions() {
  std::vector<discord::ApplicationCommand> out;

  auto config =
      Command("config", "View or change this server's anti-spam settings", perm::kManageGuild);
  auto view = Opt(OptionType::kSubCommand, "view", "Show the settings (or one of them)");
  view.options.push_back(Opt(OptionType::kString, "key", "A setting, e.g. action.restrict"));
  auto set = Opt(OptionType::kSubCommand, "set", "Change one setting");
  set.options.push_back(Opt(OptionType::kString, "key", "A setting, e.g. action.restrict", true));
  set.options.push_back(Opt(OptionType::kString, "value", "Its new value", true));
  auto reset = Opt(OptionType::kSubCommand, "reset", "Put one setting back to its default");
  reset.options.push_back(
      Opt(OptionType::kString, "key", "A setting, or \"all\" for every one but the ids", true));
  config.options = {view, set, reset};
  out.push_back(config);

  out.push_back(Command("setupverification",
                        "Create the verification channel: hidden from everyone but restricted "
                        "members and the bot",
                        perm::kManageGuild));

  // Shown by default to Moderate Members (Discord requires every bit listed); the handlers also
  // accept Kick Members, and a server can widen who sees them in its Integrations settings.
  const discord::Permissions moderate = perm::kModerateMembers;
  auto verify = Command("verify", "Lift a member's restriction and close their case", moderate);
  verify.options.push_back(Opt(OptionType::kUser, "user", "The member", true));
  out.push_back(verify);

  auto ban = Command("ban", "Ban a member and close their case", perm::kBanMembers);
  ban.options.push_back(Opt(OptionType::kUser, "user", "The member", true));
  ban.options.push_back(Opt(OptionType::kString, "reason", "For the audit log"));
  auto days = Opt(OptionType::kInteger, "delete_messages", "Days of their messages to delete");
  days.min_value = 0;
  days.max_value = 7;
  ban.options.push_back(days);
  out.push_back(ban);

  auto kick = Command("kick", "Kick a member and close their case", moderate);
  kick.options.push_back(Opt(OptionType::kUser, "user", "The member", true));
  kick.options.push_back(Opt(OptionType::kString, "reason", "For the audit log"));
  out.push_back(kick);

  auto history = Command("history", "A member's detections, cases and moderator actions", moderate);
  history.options.push_back(Opt(OptionType::kUser, "user", "The member", true));
  out.push_back(history);

  auto flag = Command("flag", "Open a case for a member by hand (restricts them)", moderate);
  flag.options.push_back(Opt(OptionType::kUser, "user", "The member", true));
  auto why = Opt(OptionType::kString, "reason", "Why", true);
  why.max_length = 300;
  flag.options.push_back(why);
  out.push_back(flag);
  return out;
}

Commands::Commands(Moderator& moderator, ConfigService& config, discord::rest::Client& rest,
                   asio::thread_pool& db)
    : moderator_(moderator), config_(config), rest_(rest), db_(db) {}

void Commands::Register(discord::interactions::Router& router) {
  using discord::interactions::RouteOptions;
  const RouteOptions manage{.required = perm::kManageGuild, .ephemeral = true};
  router.OnCommand(
      "config view", [this](Context& c) { return ConfigView(c); }, manage);
  router.OnCommand(
      "config set", [this](Context& c) { return ConfigSet(c); }, manage);
  router.OnCommand(
      "config reset", [this](Context& c) { return ConfigReset(c); }, manage);
  router.OnCommand("setupverification", [this](Context& c) { return SetupVerification(c); },
                   {.required = perm::kManageGuild, .slow = true, .ephemeral = true});
  // Moderate Members or Kick Members: checked in the handlers (the router checks "all of").
  const RouteOptions moderate{.slow = true, .ephemeral = true};
  router.OnCommand(
      "verify", [this](Context& c) { return Verify(c); }, moderate);
  router.OnCommand(
      "kick", [this](Context& c) { return Kick(c); }, moderate);
  router.OnCommand(
      "history", [this](Context& c) { return HistoryCommand(c); }, moderate);
  router.OnCommand(
      "flag", [this](Context& c) { return FlagCommand(c); }, moderate);
  router.OnCommand("ban", [this](Context& c) { return Ban(c); },
                   {.required = perm::kBanMembers, .slow = true, .ephemeral = true});

  router.OnComponent(kVerifyButton,
                     [this](Context& c) { return CaseButton(c, CaseAction::kVerify); });
  router.OnComponent(kKickButton, [this](Context& c) { return CaseButton(c, CaseAction::kKick); });
  router.OnComponent(kReopenButton,
                     [this](Context& c) { return CaseButton(c, CaseAction::kReopen); });
  router.OnComponent(kBanButton, [this](Context& c) { return CaseButton(c, CaseAction::kBan); },
                     {.required = perm::kBanMembers});
  router.OnComponent(
      kHistoryButton, [this](Context& c) { return HistoryButton(c); },
      {.slow = true, .ephemeral = true, .defer = discord::interactions::DeferStyle::kMessage});
}

void Commands::Refused(const discord::Interaction& interaction, std::string_view route,
                       discord::Permissions missing) {
  ++stats_.refused;
  spdlog::warn("guild {}: {} tried \"{}\" without the permissions it needs (missing {:#x})",
               interaction.guild_id ? interaction.guild_id->value() : 0, InvokerName(interaction),
               route, missing);
}

asio::awaitable<bool> Commands::CanModerate(Context& c) {
  const auto& i = c.interaction();
  const discord::Permissions granted =
      i.member && i.member->permissions ? *i.member->permissions : 0;
  const discord::Permissions any = perm::kModerateMembers | perm::kKickMembers;
  if ((granted & perm::kAdministrator) != 0 || (granted & any) != 0) co_return true;
  Refused(i, c.route(), any);
  auto refusal = Ephemeral("You need Moderate Members or Kick Members for this.");
  co_await c.Reply(refusal);
  co_return false;
}

asio::awaitable<bool> Commands::MayActOn(Context& c, core::UserId target,
                                         const std::vector<core::RoleId>* target_roles) {
  const auto& i = c.interaction();
  auto guild_roles = moderator_.RolesOf(*i.guild_id);
  const discord::User* actor = i.Invoker();
  if (!guild_roles || actor == nullptr || !i.member) co_return true;  // nothing to check against
  if (actor->id == guild_roles->owner) co_return true;
  // Roles change after GUILD_CREATE (and the bot does not follow role events): ask for the
  // positions now; moderators' actions are rare.
  auto current = co_await rest_.GetGuildRoles(*i.guild_id);
  if (current) guild_roles->roles = std::move(*current);
  std::vector<core::RoleId> fetched;
  if (target_roles == nullptr && target != guild_roles->owner) {
    auto member = co_await rest_.GetMember(*i.guild_id, target);
    if (!member) co_return true;  // not (or no longer) a member: no rank to outrank
    fetched = member->roles;
    target_roles = &fetched;
  }
  const bool allowed =
      target != guild_roles->owner &&
      HighestPosition(*guild_roles, *target_roles) < HighestPosition(*guild_roles, i.member->roles);
  if (allowed) co_return true;
  ++stats_.refused;
  spdlog::warn("guild {}: {} tried \"{}\" on {}, whose highest role is not below theirs",
               i.guild_id->value(), InvokerName(i), c.route(), target.value());
  auto refusal = Ephemeral(fmt::format(
      "You cannot do that to <@{}>: their highest role is not below yours.", target.value()));
  co_await c.Reply(refusal);
  co_return false;
}

Commands::Task Commands::ConfigView(Context& c) {
  const core::GuildId guild = *c.interaction().guild_id;
  auto ensure = [this, guild] { return config_.Ensure(guild); };
  auto config = co_await OnPool(db_, std::move(ensure));
  if (!config) co_return std::unexpected(config.error());
  const std::string key = Text(c, "key");
  const auto rows = Describe(**config);
  std::string text;
  if (!key.empty()) {
    for (const auto& v : rows) {
      if (v.key != key) continue;
      text = fmt::format("`{}` = `{}`{}", v.key, v.value.empty() ? "(not set)" : v.value,
                         v.default_value.empty() || !v.overridden
                             ? std::string()
                             : fmt::format(" (default `{}`)", v.default_value));
    }
    if (text.empty()) {
      co_return core::Fail(core::ErrorCode::kNotFound, fmt::format("unknown setting \"{}\"", key));
    }
  } else {
    text =
        "**Anti-spam settings** (changed ones marked •; `/config view key:<name>` for one, "
        "docs/configuration.md for all)\n";
    int hidden = 0;
    for (const auto& v : rows) {
      const bool id = v.default_value.empty() && v.key.find('.') != std::string::npos &&
                      (v.key.starts_with("role.") || v.key.starts_with("channel."));
      if (!id && !v.overridden && !v.key.starts_with("workflow.")) {
        ++hidden;
        continue;
      }
      std::string value = v.value.empty() ? "(not set)" : v.value;
      if (value.size() > 80) value = value.substr(0, 77) + "...";
      text += fmt::format("{}`{}` = `{}`\n", v.overridden && !id ? "• " : "", v.key, value);
    }
    text += fmt::format("…and {} detection settings at their defaults.", hidden);
    for (const auto& p : (*config)->problems) text += "\n⚠ " + p;
  }
  auto reply = Ephemeral(std::move(text));
  co_return co_await c.Reply(reply);
}

Commands::Task Commands::ConfigSet(Context& c) {
  const core::GuildId guild = *c.interaction().guild_id;
  const std::string key = Text(c, "key");
  const std::string value = Text(c, "value");
  const std::optional<core::UserId> actor = ActorOf(c.interaction());
  auto set = [this, guild, key, value, actor] { return config_.Set(guild, key, value, actor); };
  auto changed = co_await OnPool(db_, std::move(set));
  if (!changed) co_return std::unexpected(changed.error());
  auto reply = Ephemeral(fmt::format("`{}` is now `{}`.", key, value));
  co_return co_await c.Reply(reply);
}

Commands::Task Commands::ConfigReset(Context& c) {
  const core::GuildId guild = *c.interaction().guild_id;
  const std::string key = Text(c, "key");
  const std::optional<core::UserId> actor = ActorOf(c.interaction());
  auto reset = [this, guild, key, actor] { return config_.Reset(guild, key, actor); };
  auto changed = co_await OnPool(db_, std::move(reset));
  if (!changed) co_return std::unexpected(changed.error());
  auto reply = Ephemeral(key == "all" ? std::string("Every setting but the ids is back to its "
                                                    "default.")
                                      : fmt::format("`{}` is back to its default.", key));
  co_return co_await c.Reply(reply);
}

Commands::Task Commands::SetupVerification(Context& c) {
  const core::GuildId guild = *c.interaction().guild_id;
  auto ensure = [this, guild] { return config_.Ensure(guild); };
  auto config = co_await OnPool(db_, std::move(ensure));
  if (!config) co_return std::unexpected(config.error());
  if (!(*config)->restricted_role) {
    co_return core::Fail(core::ErrorCode::kFailedPrecondition,
                         "set the restricted role first: /config set key:role.restricted "
                         "value:@Role");
  }
  const auto bot = moderator_.self();
  discord::CreateChannel body;
  body.name = "verification";
  body.topic = "Private verification threads for members the anti-spam check flagged.";
  // @everyone cannot see it; the restricted role can read and talk in its threads; the bot runs
  // them.
  body.permission_overwrites.push_back(
      {.id = guild.value(), .type = discord::Overwrite::Type::kRole, .deny = perm::kViewChannel});
  body.permission_overwrites.push_back(
      {.id = (*config)->restricted_role->value(),
       .type = discord::Overwrite::Type::kRole,
       .allow = perm::kViewChannel | perm::kReadMessageHistory | perm::kSendMessagesInThreads,
       .deny = perm::kSendMessages});
  if ((*config)->notification_role) {  // the moderators who handle the cases
    body.permission_overwrites.push_back({.id = (*config)->notification_role->value(),
                                          .type = discord::Overwrite::Type::kRole,
                                          .allow = perm::kViewChannel | perm::kReadMessageHistory |
                                                   perm::kSendMessagesInThreads |
                                                   perm::kManageThreads});
  }
  if (bot) {
    body.permission_overwrites.push_back(
        {.id = bot->value(),
         .type = discord::Overwrite::Type::kMember,
         .allow = perm::kViewChannel | perm::kSendMessages | perm::kSendMessagesInThreads |
                  perm::kManageThreads | perm::kCreatePrivateThreads | perm::kReadMessageHistory});
  }
  std::string reason = "antispam: /setupverification by " + InvokerName(c.interaction());
  auto channel = co_await rest_.CreateChannel(guild, body, reason);
  if (!channel) co_return std::unexpected(channel.error());
  const std::optional<core::UserId> actor = ActorOf(c.interaction());
  const std::string id = channel->id.ToString();
  auto set = [this, guild, id, actor] {
    return config_.Set(guild, "channel.verification", id, actor);
  };
  auto changed = co_await OnPool(db_, std::move(set));
  if (!changed) co_return std::unexpected(changed.error());
  auto reply = Ephemeral(fmt::format(
      "Created <#{}>: hidden from @everyone, open to the restricted role, managed by the bot. "
      "Flagged members get their private thread there.",
      channel->id.value()));
  co_return co_await c.Reply(reply);
}

Commands::Task Commands::MemberAction(Context& c, CaseAction action) {
  const auto& i = c.interaction();
  const auto user = UserOption(c);
  if (!user) co_return core::Fail(core::ErrorCode::kInvalidArgument, "no member given");
  CaseRequest r;
  r.guild = *i.guild_id;
  r.user = *user;
  r.action = action;
  r.actor = i.Invoker()->id;
  r.reason = Text(c, "reason");
  if (const auto* days = c.Option("delete_messages")) {
    if (auto n = days->AsInteger()) r.ban_delete_seconds = static_cast<int>(*n) * 86400;
  }
  if (action != CaseAction::kVerify) {
    const std::vector<core::RoleId>* roles = nullptr;
    if (const auto* data = DataOf(i)) {
      if (auto it = data->resolved.members.find(*user); it != data->resolved.members.end()) {
        roles = &it->second.roles;
      }
    }
    const bool may = co_await MayActOn(c, *user, roles);
    if (!may) co_return Done();
  }
  auto done = co_await moderator_.Resolve(r);
  if (!done) co_return std::unexpected(done.error());
  ++stats_.handled;
  if (done->card && done->admin_channel && done->admin_message) {
    discord::EditMessage edit = CaseEdit(*done->card);
    auto edited = co_await rest_.EditMessage(*done->admin_channel, *done->admin_message, edit);
    if (!edited) spdlog::warn("could not update the case embed: {}", edited.error().ToString());
  }
  auto reply = Ephemeral(Summary(*done, action, *user));
  co_return co_await c.Reply(reply);
}

Commands::Task Commands::Verify(Context& c) {
  const bool allowed = co_await CanModerate(c);
  if (!allowed) co_return Done();
  co_return co_await MemberAction(c, CaseAction::kVerify);
}

Commands::Task Commands::Ban(Context& c) { co_return co_await MemberAction(c, CaseAction::kBan); }

Commands::Task Commands::Kick(Context& c) {
  const bool allowed = co_await CanModerate(c);
  if (!allowed) co_return Done();
  co_return co_await MemberAction(c, CaseAction::kKick);
}

Commands::Task Commands::HistoryCommand(Context& c) {
  const bool allowed = co_await CanModerate(c);
  if (!allowed) co_return Done();
  const auto user = UserOption(c);
  if (!user) co_return core::Fail(core::ErrorCode::kInvalidArgument, "no member given");
  auto text = co_await moderator_.History(*c.interaction().guild_id, *user);
  if (!text) co_return std::unexpected(text.error());
  auto reply = Ephemeral(std::move(*text));
  co_return co_await c.Reply(reply);
}

Commands::Task Commands::FlagCommand(Context& c) {
  const bool allowed = co_await CanModerate(c);
  if (!allowed) co_return Done();
  const auto& i = c.interaction();
  const auto user = UserOption(c);
  if (!user) co_return core::Fail(core::ErrorCode::kInvalidArgument, "no member given");
  std::string username = user->ToString();
  if (const auto* data = DataOf(i)) {
    if (auto it = data->resolved.users.find(*user); it != data->resolved.users.end()) {
      username = it->second.username;
    }
  }
  const std::vector<core::RoleId>* roles = nullptr;
  if (const auto* data = DataOf(i)) {
    if (auto it = data->resolved.members.find(*user); it != data->resolved.members.end()) {
      roles = &it->second.roles;
    }
  }
  const bool may = co_await MayActOn(c, *user, roles);
  if (!may) co_return Done();
  const std::string reason = Text(c, "reason");
  auto flagged = co_await moderator_.Flag(*i.guild_id, *user, username, reason, i.Invoker()->id);
  if (!flagged) co_return std::unexpected(flagged.error());
  ++stats_.handled;
  auto reply = Ephemeral(fmt::format("Flagged <@{}>: restricted, case opened.", user->value()));
  co_return co_await c.Reply(reply);
}

Commands::Task Commands::CaseButton(Context& c, CaseAction action) {
  if (action != CaseAction::kBan) {
    const bool allowed = co_await CanModerate(c);
    if (!allowed) co_return Done();
  }
  const auto& i = c.interaction();
  CaseRequest r;
  r.guild = *i.guild_id;
  r.case_id = store::Uuid{std::string(c.argument())};
  r.action = action;
  r.actor = i.Invoker()->id;
  if (action != CaseAction::kVerify) {
    auto member = co_await moderator_.CaseMember(r.guild, *r.case_id);
    if (!member) co_return std::unexpected(member.error());
    const bool may = co_await MayActOn(c, *member, nullptr);
    if (!may) co_return Done();
  }
  auto done = co_await moderator_.Resolve(r);
  if (!done) co_return std::unexpected(done.error());
  ++stats_.handled;
  if (!done->card) co_return Done();
  // The clicked message is the case's embed: update it in place (one callback).
  discord::CreateMessage updated = CaseMessage(*done->card, std::nullopt);
  co_return co_await c.Update(updated);
}

Commands::Task Commands::HistoryButton(Context& c) {
  const bool allowed = co_await CanModerate(c);
  if (!allowed) co_return Done();
  const core::GuildId guild = *c.interaction().guild_id;
  const store::Uuid case_id{std::string(c.argument())};
  auto member = co_await moderator_.CaseMember(guild, case_id);
  if (!member) co_return std::unexpected(member.error());
  auto text = co_await moderator_.History(guild, *member);
  if (!text) co_return std::unexpected(text.error());
  auto reply = Ephemeral(std::move(*text));
  co_return co_await c.Reply(reply);
}

}  // namespace bot

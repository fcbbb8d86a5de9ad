#include "sim/world.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <sstream>

#include "discord/model/timestamp.h"

namespace sim {
namespace {

using json = nlohmann::json;
using discord::Permissions;
namespace perm = discord::permission;

constexpr int kUnknownChannel = 10003;
constexpr int kUnknownGuild = 10004;
constexpr int kUnknownMember = 10007;
constexpr int kUnknownMessage = 10008;
constexpr int kUnknownRole = 10011;
constexpr int kUnknownUser = 10013;
constexpr int kUnknownBan = 10026;
constexpr int kUnknownWebhook = 10015;
constexpr int kUnknownInteraction = 10062;
constexpr int kAlreadyAcknowledged = 40060;
constexpr int kMissingAccess = 50001;
constexpr int kCannotEditOthers = 50005;
constexpr int kEmptyMessage = 50006;
constexpr int kMissingPermissions = 50013;
constexpr int kBulkDeleteCount = 50016;
constexpr int kMessageTooOld = 50034;
constexpr int kInvalidForm = 50035;
constexpr int kArchivedThread = 50083;
constexpr int kThreadExists = 160004;

std::optional<std::uint64_t> IdOf(std::string_view text) {
  auto v = core::ParseSnowflake(text);
  if (!v) return std::nullopt;
  return *v;
}

std::string PermString(Permissions p) { return std::to_string(p); }

Answer Invalid(std::string_view field, std::string_view why) {
  Answer a = Answer::Error(400, kInvalidForm, "Invalid Form Body");
  json body = json::parse(a.body);
  body["errors"][std::string(field)]["_errors"] =
      json::array({{{"code", "BASE_TYPE_INVALID"}, {"message", std::string(why)}}});
  a.body = body.dump();
  return a;
}

}  // namespace

std::string IsoTime(core::Timestamp t) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto micros = (t - secs).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}+00:00", secs, micros);
}

Answer Answer::Json(int status, const json& body) { return Answer{status, body.dump(), {}, 0}; }

Answer Answer::NoContent() { return Answer{204, "", {}, 0}; }

Answer Answer::Error(int status, int code, std::string_view message) {
  return Answer{status, json{{"message", std::string(message)}, {"code", code}}.dump(), {}, code};
}

World::World(const core::Clock& clock, core::UserId bot, std::uint64_t application_id)
    : clock_(clock), bot_(bot), application_id_(application_id) {
  users_[bot.value()] = User{bot, "antispam", std::nullopt, true, true};
}

std::uint64_t World::NewId() {
  return core::UserId::CreatedAtTime(clock_.Now(), ++sequence_).value();
}

User& World::AddUser(std::string username, bool bot, bool avatar,
                     std::optional<core::Timestamp> created) {
  const std::uint64_t id =
      created ? core::UserId::CreatedAtTime(*created, ++sequence_).value() : NewId();
  User& u = users_[id];
  u = User{core::UserId(id), std::move(username), std::nullopt, bot, avatar};
  return u;
}

Guild& World::AddGuild(std::string name, core::UserId owner) {
  const std::uint64_t id = NewId();
  Guild& g = guilds_[id];
  g.id = core::GuildId(id);
  g.name = std::move(name);
  g.owner = owner;
  g.roles.push_back(discord::Role{core::RoleId(id), 0,
                                  perm::kViewChannel | perm::kSendMessages |
                                      perm::kReadMessageHistory | perm::kCreatePublicThreads |
                                      perm::kSendMessagesInThreads,
                                  false});
  g.role_names[id] = "@everyone";
  g.members[owner.value()] = Member{owner, {}, std::nullopt, clock_.Now(), std::nullopt};
  return g;
}

core::RoleId World::AddRole(Guild& g, std::string name, int position, Permissions perms,
                            bool managed) {
  const core::RoleId id(NewId());
  g.roles.push_back(discord::Role{id, position, perms, managed});
  g.role_names[id.value()] = std::move(name);
  return id;
}

Channel& World::AddChannel(Guild& g, std::string name, int type,
                           std::vector<discord::Overwrite> overwrites) {
  const std::uint64_t id = NewId();
  Channel& c = g.channels[id];
  c.id = core::ChannelId(id);
  c.type = type;
  c.guild = g.id;
  c.name = std::move(name);
  c.overwrites = std::move(overwrites);
  channel_guild_[id] = g.id.value();
  return c;
}

Guild* World::FindGuild(std::uint64_t id) {
  auto it = guilds_.find(id);
  return it == guilds_.end() ? nullptr : &it->second;
}

Channel* World::FindChannel(std::uint64_t id) {
  auto g = channel_guild_.find(id);
  if (g == channel_guild_.end()) return nullptr;
  Guild* guild = FindGuild(g->second);
  if (guild == nullptr) return nullptr;
  auto it = guild->channels.find(id);
  return it == guild->channels.end() ? nullptr : &it->second;
}

Message* World::FindMessage(std::uint64_t id) {
  auto it = messages_.find(id);
  return it == messages_.end() ? nullptr : &it->second;
}

User* World::FindUser(std::uint64_t id) {
  auto it = users_.find(id);
  return it == users_.end() ? nullptr : &it->second;
}

Guild* World::GuildAt(std::string_view id) {
  const auto v = IdOf(id);
  return v ? FindGuild(*v) : nullptr;
}

Channel* World::ChannelAt(std::string_view id) {
  const auto v = IdOf(id);
  return v ? FindChannel(*v) : nullptr;
}

Message* World::MessageAt(std::string_view id) {
  const auto v = IdOf(id);
  return v ? FindMessage(*v) : nullptr;
}

const World::InteractionState* World::FindInteraction(std::uint64_t id) const {
  auto it = interactions_.find(id);
  return it == interactions_.end() ? nullptr : &it->second;
}

// --- permissions ---

discord::GuildRoles World::RolesOf(const Guild& g) const {
  return discord::GuildRoles{g.id, g.owner, g.roles};
}

discord::MemberRoles World::MemberRolesOf(const Guild&, const Member& m) const {
  return discord::MemberRoles{m.user, m.roles, m.timed_out_until};
}

Permissions World::PermissionsOf(const Guild& g, core::UserId user) const {
  auto it = g.members.find(user.value());
  if (it == g.members.end()) return 0;
  return discord::BasePermissions(RolesOf(g), MemberRolesOf(g, it->second));
}

Permissions World::PermissionsIn(const Channel& c, core::UserId user) const {
  auto g = guilds_.find(c.guild.value());
  if (g == guilds_.end()) return 0;
  auto m = g->second.members.find(user.value());
  if (m == g->second.members.end()) return 0;
  const Channel* source = &c;
  if (c.IsThread() && c.parent) {
    if (auto p = g->second.channels.find(c.parent->value()); p != g->second.channels.end()) {
      source = &p->second;
    }
  }
  Permissions p = discord::ChannelPermissions(
      RolesOf(g->second), MemberRolesOf(g->second, m->second), source->overwrites, clock_.Now());
  // A private thread is visible only to its members and to those who may manage threads.
  if (c.type == 12 && !c.thread_members.contains(user.value()) &&
      (p & (perm::kManageThreads | perm::kAdministrator)) == 0) {
    p &= ~perm::kViewChannel;
  }
  return p;
}

Answer World::Refuse(discord::Refusal r) const {
  return Answer::Error(403, kMissingPermissions,
                       fmt::format("Missing Permissions ({})", discord::Explain(r)));
}

// --- JSON ---

json World::UserJson(const User& u) const {
  json j{{"id", u.id.ToString()},
         {"username", u.username},
         {"discriminator", "0"},
         {"global_name", u.global_name ? json(*u.global_name) : json(nullptr)},
         {"avatar", u.avatar ? json(fmt::format("{:032x}", u.id.value())) : json(nullptr)}};
  if (u.bot) j["bot"] = true;
  return j;
}

json World::MemberJson(const Guild&, const Member& m, bool with_user) const {
  json roles = json::array();
  for (core::RoleId r : m.roles) roles.push_back(r.ToString());
  json j{{"roles", roles},
         {"nick", m.nick ? json(*m.nick) : json(nullptr)},
         {"joined_at", IsoTime(m.joined_at)},
         {"deaf", false},
         {"mute", false},
         {"flags", 0},
         {"pending", false},
         {"communication_disabled_until", m.timed_out_until && *m.timed_out_until > clock_.Now()
                                              ? json(IsoTime(*m.timed_out_until))
                                              : json(nullptr)}};
  if (with_user) {
    auto u = users_.find(m.user.value());
    if (u != users_.end()) j["user"] = UserJson(u->second);
  }
  return j;
}

json World::ChannelJson(const Channel& c) const {
  json overwrites = json::array();
  for (const auto& o : c.overwrites) {
    overwrites.push_back({{"id", std::to_string(o.id)},
                          {"type", static_cast<int>(o.type)},
                          {"allow", PermString(o.allow)},
                          {"deny", PermString(o.deny)}});
  }
  json j{{"id", c.id.ToString()},
         {"type", c.type},
         {"guild_id", c.guild.ToString()},
         {"name", c.name},
         {"parent_id", c.parent ? json(c.parent->ToString()) : json(nullptr)},
         {"rate_limit_per_user", c.rate_limit_per_user}};
  if (c.IsThread()) {
    j["owner_id"] = c.owner ? c.owner->ToString() : std::string();
    j["member_count"] = c.thread_members.size();
    j["thread_metadata"] = {{"archived", c.archived},
                            {"locked", c.locked},
                            {"auto_archive_duration", c.auto_archive_duration},
                            {"archive_timestamp", IsoTime(clock_.Now())}};
    if (c.type == 12) j["thread_metadata"]["invitable"] = c.invitable;
  } else {
    j["permission_overwrites"] = overwrites;
  }
  return j;
}

json World::MessageJson(const Message& m) const {
  json mentions = json::array();
  for (core::UserId u : m.mentions) {
    if (auto it = users_.find(u.value()); it != users_.end())
      mentions.push_back(UserJson(it->second));
  }
  const auto author = users_.find(m.author.value());
  json j{{"id", m.id.ToString()},
         {"channel_id", m.channel.ToString()},
         {"author", author != users_.end() ? UserJson(author->second) : json::object()},
         {"content", m.content},
         {"timestamp", IsoTime(m.timestamp)},
         {"edited_timestamp", m.edited ? json(IsoTime(*m.edited)) : json(nullptr)},
         {"tts", false},
         {"mention_everyone", m.mention_everyone},
         {"mentions", mentions},
         {"mention_roles", json::array()},
         {"attachments", json::array()},
         {"embeds", m.embeds},
         {"components", m.components},
         {"pinned", false},
         {"type", m.type},
         {"flags", m.flags}};
  if (m.guild.value() != 0) j["guild_id"] = m.guild.ToString();
  if (m.webhook_id != 0) j["webhook_id"] = std::to_string(m.webhook_id);
  return j;
}

json World::GuildJson(const Guild& g) const {
  json roles = json::array();
  for (const auto& r : g.roles) {
    roles.push_back({{"id", r.id.ToString()},
                     {"name", g.role_names.at(r.id.value())},
                     {"position", r.position},
                     {"permissions", PermString(r.permissions)},
                     {"managed", r.managed},
                     {"color", 0},
                     {"hoist", false},
                     {"mentionable", false}});
  }
  json channels = json::array();
  json threads = json::array();
  for (const auto& [id, c] : g.channels)
    (c.IsThread() ? threads : channels).push_back(ChannelJson(c));
  json members = json::array();
  for (const auto& [id, m] : g.members) members.push_back(MemberJson(g, m));
  return json{{"id", g.id.ToString()},
              {"name", g.name},
              {"owner_id", g.owner.ToString()},
              {"roles", roles},
              {"channels", channels},
              {"threads", threads},
              {"members", members},
              {"member_count", g.members.size()},
              {"large", false},
              {"unavailable", false},
              {"joined_at", IsoTime(clock_.Now())}};
}

// --- scenario ---

Answer World::Join(Guild& g, core::UserId user, std::vector<core::RoleId> roles) {
  if (users_.find(user.value()) == users_.end()) {
    return Answer::Error(404, kUnknownUser, "Unknown User");
  }
  Member& m = g.members[user.value()];
  m = Member{user, std::move(roles), std::nullopt, clock_.Now(), std::nullopt};
  Answer a = Answer::NoContent();
  json d = MemberJson(g, m);
  d["guild_id"] = g.id.ToString();
  a.dispatches.push_back({"GUILD_MEMBER_ADD", std::move(d), g.id.value()});
  return a;
}

Answer World::Post(core::ChannelId channel, core::UserId author, std::string content,
                   std::vector<core::UserId> mentions, bool mention_everyone) {
  Channel* c = FindChannel(channel.value());
  if (c == nullptr) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
  const Permissions p = PermissionsIn(*c, author);
  const Permissions send = c->IsThread() ? perm::kSendMessagesInThreads : perm::kSendMessages;
  if ((p & perm::kViewChannel) == 0 || (p & send) == 0) {
    return Answer::Error(403, kMissingPermissions, "Missing Permissions");
  }
  return NewMessage(*c, author, std::move(content), std::move(mentions), mention_everyone,
                    json::object());
}

Answer World::NewMessage(Channel& c, core::UserId author, std::string content,
                         std::vector<core::UserId> mentions, bool mention_everyone,
                         const json& body, std::uint64_t webhook_id) {
  Message m;
  m.id = core::MessageId(NewId());
  m.channel = c.id;
  m.guild = c.guild;
  m.author = author;
  m.content = std::move(content);
  m.mentions = std::move(mentions);
  m.mention_everyone = mention_everyone;
  m.timestamp = clock_.Now();
  m.webhook_id = webhook_id;
  if (auto e = body.find("embeds"); e != body.end() && e->is_array()) m.embeds = *e;
  if (auto k = body.find("components"); k != body.end() && k->is_array()) m.components = *k;
  if (auto f = body.find("flags"); f != body.end() && f->is_number_unsigned()) m.flags = *f;
  const Message& stored = messages_[m.id.value()] = std::move(m);
  json d = MessageJson(stored);
  Guild& g = guilds_.at(c.guild.value());
  if (auto mem = g.members.find(author.value()); mem != g.members.end()) {
    d["member"] = MemberJson(g, mem->second, /*with_user=*/false);
  }
  Answer a = Answer::Json(200, MessageJson(stored));
  a.dispatches.push_back({"MESSAGE_CREATE", std::move(d), c.guild.value()});
  return a;
}

// --- REST ---

Answer World::GetUser(std::string_view user) {
  if (user == "@me") return Answer::Json(200, UserJson(users_.at(bot_.value())));
  const auto id = IdOf(user);
  User* u = id ? FindUser(*id) : nullptr;
  if (u == nullptr) return Answer::Error(404, kUnknownUser, "Unknown User");
  return Answer::Json(200, UserJson(*u));
}

Answer World::GetMember(std::string_view guild, std::string_view user) {
  Guild* g = GuildAt(guild);
  if (g == nullptr) return Answer::Error(404, kUnknownGuild, "Unknown Guild");
  const auto uid = IdOf(user);
  auto it = uid ? g->members.find(*uid) : g->members.end();
  if (it == g->members.end()) return Answer::Error(404, kUnknownMember, "Unknown Member");
  return Answer::Json(200, MemberJson(*g, it->second));
}

Answer World::AddMemberRole(std::string_view guild, std::string_view user, std::string_view role,
                            bool add) {
  Guild* g = GuildAt(guild);
  if (g == nullptr) return Answer::Error(404, kUnknownGuild, "Unknown Guild");
  const auto uid = IdOf(user);
  auto it = uid ? g->members.find(*uid) : g->members.end();
  if (it == g->members.end()) return Answer::Error(404, kUnknownMember, "Unknown Member");
  const auto rid = IdOf(role);
  const discord::GuildRoles roles = RolesOf(*g);
  if (!rid || roles.Find(core::RoleId(*rid)) == nullptr || *rid == g->id.value()) {
    return Answer::Error(404, kUnknownRole, "Unknown Role");
  }
  const Member& bot = g->members.at(bot_.value());
  if (auto r = discord::CheckRoleAssignment(roles, MemberRolesOf(*g, bot), core::RoleId(*rid));
      r != discord::Refusal::kNone) {
    return Refuse(r);
  }
  Member& m = it->second;
  const auto pos = std::find(m.roles.begin(), m.roles.end(), core::RoleId(*rid));
  if (add && pos == m.roles.end()) m.roles.push_back(core::RoleId(*rid));
  if (!add && pos != m.roles.end()) m.roles.erase(pos);
  Answer a = Answer::NoContent();
  json d = MemberJson(*g, m);
  d["guild_id"] = g->id.ToString();
  a.dispatches.push_back({"GUILD_MEMBER_UPDATE", std::move(d), g->id.value()});
  return a;
}

Answer World::ModifyMember(std::string_view guild, std::string_view user, const json& body) {
  Guild* g = GuildAt(guild);
  if (g == nullptr) return Answer::Error(404, kUnknownGuild, "Unknown Guild");
  const auto uid = IdOf(user);
  auto it = uid ? g->members.find(*uid) : g->members.end();
  if (it == g->members.end()) return Answer::Error(404, kUnknownMember, "Unknown Member");
  if (!body.is_object()) return Invalid("body", "must be an object");
  const discord::GuildRoles roles = RolesOf(*g);
  const discord::MemberRoles bot = MemberRolesOf(*g, g->members.at(bot_.value()));
  const discord::MemberRoles target = MemberRolesOf(*g, it->second);
  Member& m = it->second;
  if (auto t = body.find("communication_disabled_until"); t != body.end()) {
    if (auto r = discord::CheckModeration(roles, bot, target, discord::ModAction::kTimeout);
        r != discord::Refusal::kNone) {
      return Refuse(r);
    }
    if (t->is_null()) {
      m.timed_out_until.reset();
    } else if (!t->is_string()) {
      return Invalid("communication_disabled_until", "must be an ISO 8601 timestamp");
    } else {
      const auto parsed = discord::ParseTimestamp(t->get<std::string>());
      if (!parsed) return Invalid("communication_disabled_until", "is not a timestamp");
      const core::Timestamp until = *parsed;
      if (until > clock_.Now() + std::chrono::days(28)) {
        return Invalid("communication_disabled_until", "may be at most 28 days in the future");
      }
      m.timed_out_until = until;
    }
  }
  if (auto n = body.find("nick"); n != body.end()) {
    m.nick = n->is_string() ? std::optional<std::string>(n->get<std::string>()) : std::nullopt;
  }
  if (auto rs = body.find("roles"); rs != body.end()) {
    if (!rs->is_array()) return Invalid("roles", "must be an array");
    std::vector<core::RoleId> wanted;
    for (const auto& r : *rs) {
      const auto rid = r.is_string() ? IdOf(r.get<std::string>()) : std::nullopt;
      if (!rid || roles.Find(core::RoleId(*rid)) == nullptr) {
        return Answer::Error(404, kUnknownRole, "Unknown Role");
      }
      wanted.emplace_back(*rid);
    }
    // Every role added or removed must be one the bot may assign.
    for (const auto& list : {wanted, m.roles}) {
      for (core::RoleId r : list) {
        const bool changed = std::count(wanted.begin(), wanted.end(), r) !=
                             std::count(m.roles.begin(), m.roles.end(), r);
        if (!changed) continue;
        if (auto refusal = discord::CheckRoleAssignment(roles, bot, r);
            refusal != discord::Refusal::kNone) {
          return Refuse(refusal);
        }
      }
    }
    m.roles = std::move(wanted);
  }
  Answer a = Answer::Json(200, MemberJson(*g, m));
  json d = MemberJson(*g, m);
  d["guild_id"] = g->id.ToString();
  a.dispatches.push_back({"GUILD_MEMBER_UPDATE", std::move(d), g->id.value()});
  return a;
}

Answer World::CreateBan(std::string_view guild, std::string_view user, const json& body,
                        std::string_view reason) {
  Guild* g = GuildAt(guild);
  if (g == nullptr) return Answer::Error(404, kUnknownGuild, "Unknown Guild");
  const auto uid = IdOf(user);
  User* u = uid ? FindUser(*uid) : nullptr;
  if (u == nullptr) return Answer::Error(404, kUnknownUser, "Unknown User");
  int seconds = 0;
  if (body.is_object()) {
    if (auto s = body.find("delete_message_seconds"); s != body.end()) {
      if (!s->is_number_integer() || *s < 0 || *s > 604800) {
        return Invalid("delete_message_seconds", "must be between 0 and 604800");
      }
      seconds = *s;
    }
  }
  const discord::GuildRoles roles = RolesOf(*g);
  const discord::MemberRoles bot = MemberRolesOf(*g, g->members.at(bot_.value()));
  auto it = g->members.find(*uid);
  const discord::MemberRoles target =
      it != g->members.end() ? MemberRolesOf(*g, it->second)
                             : discord::MemberRoles{core::UserId(*uid), {}, std::nullopt};
  if (auto r = discord::CheckModeration(roles, bot, target, discord::ModAction::kBan);
      r != discord::Refusal::kNone) {
    return Refuse(r);
  }
  g->bans[*uid] = Ban{std::string(reason), seconds};
  Answer a = Answer::NoContent();
  if (it != g->members.end()) {
    g->members.erase(it);
    a.dispatches.push_back({"GUILD_MEMBER_REMOVE",
                            {{"guild_id", g->id.ToString()}, {"user", UserJson(*u)}},
                            g->id.value()});
  }
  const core::Timestamp cutoff = clock_.Now() - std::chrono::seconds(seconds);
  json deleted = json::array();
  for (auto m = messages_.begin(); m != messages_.end();) {
    if (m->second.guild == g->id && m->second.author.value() == *uid &&
        m->second.timestamp >= cutoff && seconds > 0) {
      a.dispatches.push_back({"MESSAGE_DELETE",
                              {{"id", m->second.id.ToString()},
                               {"channel_id", m->second.channel.ToString()},
                               {"guild_id", g->id.ToString()}},
                              g->id.value()});
      m = messages_.erase(m);
    } else {
      ++m;
    }
  }
  a.dispatches.push_back(
      {"GUILD_BAN_ADD", {{"guild_id", g->id.ToString()}, {"user", UserJson(*u)}}, g->id.value()});
  return a;
}

Answer World::RemoveBan(std::string_view guild, std::string_view user) {
  Guild* g = GuildAt(guild);
  if (g == nullptr) return Answer::Error(404, kUnknownGuild, "Unknown Guild");
  if ((PermissionsOf(*g, bot_) & perm::kBanMembers) == 0) {
    return Refuse(discord::Refusal::kMissingPermission);
  }
  const auto uid = IdOf(user);
  if (!uid || g->bans.erase(*uid) == 0) return Answer::Error(404, kUnknownBan, "Unknown Ban");
  return Answer::NoContent();
}

Answer World::Kick(std::string_view guild, std::string_view user) {
  Guild* g = GuildAt(guild);
  if (g == nullptr) return Answer::Error(404, kUnknownGuild, "Unknown Guild");
  const auto uid = IdOf(user);
  auto it = uid ? g->members.find(*uid) : g->members.end();
  if (it == g->members.end()) return Answer::Error(404, kUnknownMember, "Unknown Member");
  const discord::GuildRoles roles = RolesOf(*g);
  if (auto r = discord::CheckModeration(roles, MemberRolesOf(*g, g->members.at(bot_.value())),
                                        MemberRolesOf(*g, it->second), discord::ModAction::kKick);
      r != discord::Refusal::kNone) {
    return Refuse(r);
  }
  g->members.erase(it);
  Answer a = Answer::NoContent();
  json u = users_.contains(*uid) ? UserJson(users_.at(*uid)) : json{{"id", std::string(user)}};
  a.dispatches.push_back(
      {"GUILD_MEMBER_REMOVE", {{"guild_id", g->id.ToString()}, {"user", u}}, g->id.value()});
  return a;
}

Answer World::GetMessage(std::string_view channel, std::string_view message) {
  Channel* c = ChannelAt(channel);
  if (c == nullptr) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
  const Permissions p = PermissionsIn(*c, bot_);
  if ((p & perm::kViewChannel) == 0 || (p & perm::kReadMessageHistory) == 0) {
    return Answer::Error(403, kMissingAccess, "Missing Access");
  }
  Message* m = MessageAt(message);
  if (m == nullptr || m->channel != c->id) {
    return Answer::Error(404, kUnknownMessage, "Unknown Message");
  }
  return Answer::Json(200, MessageJson(*m));
}

Answer World::DeleteMessage(std::string_view channel, std::string_view message) {
  Channel* c = ChannelAt(channel);
  if (c == nullptr) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
  Message* m = MessageAt(message);
  if (m == nullptr || m->channel != c->id) {
    return Answer::Error(404, kUnknownMessage, "Unknown Message");
  }
  if (m->author != bot_ && (PermissionsIn(*c, bot_) & perm::kManageMessages) == 0) {
    return Refuse(discord::Refusal::kMissingPermission);
  }
  Answer a = Answer::NoContent();
  a.dispatches.push_back({"MESSAGE_DELETE",
                          {{"id", m->id.ToString()},
                           {"channel_id", c->id.ToString()},
                           {"guild_id", c->guild.ToString()}},
                          c->guild.value()});
  messages_.erase(m->id.value());
  return a;
}

Answer World::BulkDelete(std::string_view channel, const json& body) {
  Channel* c = ChannelAt(channel);
  if (c == nullptr) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
  if ((PermissionsIn(*c, bot_) & perm::kManageMessages) == 0) {
    return Refuse(discord::Refusal::kMissingPermission);
  }
  if (!body.is_object() || !body.contains("messages") || !body["messages"].is_array()) {
    return Invalid("messages", "is required");
  }
  const json& ids = body["messages"];
  if (ids.size() < 2 || ids.size() > 100) {
    return Answer::Error(400, kBulkDeleteCount,
                         "You must provide at least 2 and fewer than 100 messages to delete.");
  }
  std::set<std::uint64_t> seen;
  for (const auto& v : ids) {
    const auto id = v.is_string() ? IdOf(v.get<std::string>()) : std::nullopt;
    if (!id) return Invalid("messages", "must be snowflakes");
    if (!seen.insert(*id).second) return Invalid("messages", "must not repeat an id");
    if (clock_.Now() - core::MessageId(*id).CreatedAt() > std::chrono::days(14)) {
      return Answer::Error(400, kMessageTooOld,
                           "You can only bulk delete messages that are under 14 days old.");
    }
  }
  json deleted = json::array();
  for (std::uint64_t id : seen) {
    auto it = messages_.find(id);
    if (it == messages_.end() || it->second.channel != c->id) continue;  // unknown ids: ignored
    deleted.push_back(std::to_string(id));
    messages_.erase(it);
  }
  Answer a = Answer::NoContent();
  a.dispatches.push_back(
      {"MESSAGE_DELETE_BULK",
       {{"ids", deleted}, {"channel_id", c->id.ToString()}, {"guild_id", c->guild.ToString()}},
       c->guild.value()});
  return a;
}

namespace {

// The shared checks of a message body: PROTOCOL.md §4.4.
std::optional<Answer> CheckMessageBody(const json& body, bool create) {
  if (!body.is_object()) return Invalid("body", "must be an object");
  const auto content = body.find("content");
  if (content != body.end() && !content->is_null()) {
    if (!content->is_string()) return Invalid("content", "must be a string");
    // Discord counts characters; UTF-8 lead bytes are characters.
    const std::string& s = content->get_ref<const std::string&>();
    const auto chars = std::count_if(s.begin(), s.end(), [](char ch) {
      return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
    });
    if (chars > 2000) return Invalid("content", "Must be 2000 or fewer in length.");
  }
  const auto embeds = body.find("embeds");
  if (embeds != body.end() && (!embeds->is_array() || embeds->size() > 10)) {
    return Invalid("embeds", "must be an array of at most 10 embeds");
  }
  const bool has_content = content != body.end() && content->is_string() &&
                           !content->get_ref<const std::string&>().empty();
  const bool has_embeds = embeds != body.end() && embeds->is_array() && !embeds->empty();
  const auto components = body.find("components");
  const bool has_components =
      components != body.end() && components->is_array() && !components->empty();
  if (create && !has_content && !has_embeds && !has_components) {
    return Answer::Error(400, kEmptyMessage, "Cannot send an empty message");
  }
  return std::nullopt;
}

// An edit's fields, applied to a message (PATCH message, callback type 7, edit original).
void ApplyEdit(Message& m, const json& body, core::Timestamp now) {
  if (auto v = body.find("content"); v != body.end() && v->is_string()) m.content = *v;
  if (auto v = body.find("embeds"); v != body.end() && v->is_array()) m.embeds = *v;
  if (auto v = body.find("components"); v != body.end() && v->is_array()) m.components = *v;
  m.edited = now;
}

}  // namespace

Answer World::CreateMessage(std::string_view channel, const json& body) {
  Channel* c = ChannelAt(channel);
  if (c == nullptr) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
  const Permissions p = PermissionsIn(*c, bot_);
  if ((p & perm::kViewChannel) == 0) return Answer::Error(403, kMissingAccess, "Missing Access");
  if ((p & (c->IsThread() ? perm::kSendMessagesInThreads : perm::kSendMessages)) == 0) {
    return Refuse(discord::Refusal::kMissingPermission);
  }
  if (c->IsThread() && c->archived) {
    return Answer::Error(400, kArchivedThread, "Thread is archived");
  }
  if (auto bad = CheckMessageBody(body, true)) return *bad;
  return NewMessage(*c, bot_, body.value("content", std::string()), {}, false, body);
}

Answer World::EditMessage(std::string_view channel, std::string_view message, const json& body) {
  Channel* c = ChannelAt(channel);
  if (c == nullptr) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
  Message* m = MessageAt(message);
  if (m == nullptr || m->channel != c->id) {
    return Answer::Error(404, kUnknownMessage, "Unknown Message");
  }
  if (m->author != bot_) {
    return Answer::Error(403, kCannotEditOthers, "Cannot edit a message authored by another user");
  }
  if (auto bad = CheckMessageBody(body, false)) return *bad;
  ApplyEdit(*m, body, clock_.Now());
  Answer a = Answer::Json(200, MessageJson(*m));
  json d = MessageJson(*m);
  if (c->guild.value() != 0) d["guild_id"] = c->guild.ToString();
  a.dispatches.push_back({"MESSAGE_UPDATE", std::move(d), c->guild.value()});
  return a;
}

Answer World::StartThread(std::string_view channel, std::optional<std::string_view> message,
                          const json& body) {
  Channel* c = ChannelAt(channel);
  if (c == nullptr) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
  if (!body.is_object() || !body.contains("name") || !body["name"].is_string() ||
      body["name"].get_ref<const std::string&>().empty() ||
      body["name"].get_ref<const std::string&>().size() > 100) {
    return Invalid("name", "must be 1 to 100 characters");
  }
  int type = message ? 11 : body.value("type", 12);  // private by default without a message
  if (type != 11 && type != 12) return Invalid("type", "must be 11 or 12");
  if (c->type != 0 && c->type != 5) return Invalid("channel", "cannot hold threads");
  const Permissions p = PermissionsIn(*c, bot_);
  const Permissions need = type == 12 ? perm::kCreatePrivateThreads : perm::kCreatePublicThreads;
  if ((p & perm::kViewChannel) == 0 || (p & need) == 0) {
    return Refuse(discord::Refusal::kMissingPermission);
  }
  std::uint64_t id = 0;
  if (message) {
    Message* m = MessageAt(*message);
    if (m == nullptr || m->channel != c->id) {
      return Answer::Error(404, kUnknownMessage, "Unknown Message");
    }
    id = m->id.value();  // a thread from a message has the message's id
    if (FindChannel(id) != nullptr) {
      return Answer::Error(400, kThreadExists,
                           "A thread has already been created for this message");
    }
  } else {
    id = NewId();
  }
  Guild& g = guilds_.at(c->guild.value());
  Channel& t = g.channels[id];
  t.id = core::ChannelId(id);
  t.type = type;
  t.guild = g.id;
  t.name = body["name"];
  t.parent = c->id;
  t.owner = bot_;
  t.invitable = body.value("invitable", true);
  t.auto_archive_duration = body.value("auto_archive_duration", 1440);
  t.thread_members.insert(bot_.value());
  channel_guild_[id] = g.id.value();
  Answer a = Answer::Json(201, ChannelJson(t));
  json d = ChannelJson(t);
  d["newly_created"] = true;
  a.dispatches.push_back({"THREAD_CREATE", std::move(d), g.id.value()});
  return a;
}

Answer World::AddThreadMember(std::string_view thread, std::string_view user) {
  const auto tid = IdOf(thread);
  Channel* t = tid ? FindChannel(*tid) : nullptr;
  if (t == nullptr || !t->IsThread()) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
  if (t->archived) return Answer::Error(400, kArchivedThread, "Thread is archived");
  Guild& g = guilds_.at(t->guild.value());
  const auto uid = user == "@me" ? std::optional<std::uint64_t>(bot_.value()) : IdOf(user);
  if (!uid || !g.members.contains(*uid)) {
    return Answer::Error(404, kUnknownMember, "Unknown Member");
  }
  const Permissions p = PermissionsIn(*t, bot_);
  if ((p & perm::kViewChannel) == 0 || (p & perm::kSendMessagesInThreads) == 0) {
    return Refuse(discord::Refusal::kMissingPermission);
  }
  t->thread_members.insert(*uid);
  Answer a = Answer::NoContent();
  a.dispatches.push_back({"THREAD_MEMBERS_UPDATE",
                          {{"id", t->id.ToString()},
                           {"guild_id", g.id.ToString()},
                           {"member_count", t->thread_members.size()},
                           {"added_members", json::array({{{"user_id", std::to_string(*uid)}}})}},
                          g.id.value()});
  return a;
}

Answer World::ModifyChannel(std::string_view channel, const json& body) {
  Channel* c = ChannelAt(channel);
  if (c == nullptr) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
  if (!body.is_object()) return Invalid("body", "must be an object");
  const Permissions p = PermissionsIn(*c, bot_);
  if (c->IsThread()) {
    const bool owner = c->owner == bot_;
    const bool locking = body.contains("locked");
    if ((p & perm::kManageThreads) == 0 && (locking || !owner)) {
      return Refuse(discord::Refusal::kMissingPermission);
    }
    if (auto v = body.find("archived"); v != body.end() && v->is_boolean()) c->archived = *v;
    if (auto v = body.find("locked"); v != body.end() && v->is_boolean()) c->locked = *v;
  } else {
    if ((p & perm::kManageChannels) == 0) return Refuse(discord::Refusal::kMissingPermission);
    if (body.contains("permission_overwrites") && (p & perm::kManageRoles) == 0) {
      return Refuse(discord::Refusal::kMissingPermission);
    }
  }
  if (auto v = body.find("rate_limit_per_user"); v != body.end()) {
    if (!v->is_number_integer() || *v < 0 || *v > 21600) {
      return Invalid("rate_limit_per_user", "must be between 0 and 21600");
    }
    c->rate_limit_per_user = *v;
  }
  if (auto v = body.find("name"); v != body.end() && v->is_string()) c->name = *v;
  Answer a = Answer::Json(200, ChannelJson(*c));
  a.dispatches.push_back(
      {c->IsThread() ? "THREAD_UPDATE" : "CHANNEL_UPDATE", ChannelJson(*c), c->guild.value()});
  return a;
}

Answer World::CreateChannel(std::string_view guild, const json& body) {
  Guild* g = GuildAt(guild);
  if (g == nullptr) return Answer::Error(404, kUnknownGuild, "Unknown Guild");
  const Permissions p = PermissionsOf(*g, bot_);
  if ((p & perm::kManageChannels) == 0) return Refuse(discord::Refusal::kMissingPermission);
  if (!body.is_object() || !body.contains("name") || !body["name"].is_string() ||
      body["name"].get_ref<const std::string&>().empty() ||
      body["name"].get_ref<const std::string&>().size() > 100) {
    return Invalid("name", "must be 1 to 100 characters");
  }
  std::vector<discord::Overwrite> overwrites;
  if (auto o = body.find("permission_overwrites"); o != body.end()) {
    if (!o->is_array()) return Invalid("permission_overwrites", "must be an array");
    for (const auto& e : *o) {
      if (!e.is_object() || !e.contains("id") || !e["id"].is_string()) {
        return Invalid("permission_overwrites", "each needs an id");
      }
      const auto id = IdOf(e["id"].get<std::string>());
      auto bits = [&](const char* key) -> std::optional<Permissions> {
        if (!e.contains(key)) return Permissions{0};
        if (!e[key].is_string()) return std::nullopt;
        auto v = discord::ParsePermissions(e[key].get<std::string>());
        return v ? std::optional<Permissions>(*v) : std::nullopt;
      };
      const auto allow = bits("allow");
      const auto deny = bits("deny");
      const int type = e.value("type", 0);
      if (!id || !allow || !deny || (type != 0 && type != 1)) {
        return Invalid("permission_overwrites", "has a bad id, type, allow or deny");
      }
      // The bot may only grant or deny what it has; Manage Roles needs Administrator.
      const bool admin = (p & perm::kAdministrator) != 0;
      if (!admin &&
          (((*allow | *deny) & ~p) != 0 || ((*allow | *deny) & perm::kManageRoles) != 0)) {
        return Refuse(discord::Refusal::kMissingPermission);
      }
      overwrites.push_back(
          discord::Overwrite{*id, static_cast<discord::Overwrite::Type>(type), *allow, *deny});
    }
  }
  Channel& c = AddChannel(*g, body["name"], body.value("type", 0), std::move(overwrites));
  if (auto parent = body.find("parent_id"); parent != body.end() && parent->is_string()) {
    if (auto pid = IdOf(parent->get<std::string>())) c.parent = core::ChannelId(*pid);
  }
  Answer a = Answer::Json(201, ChannelJson(c));
  a.dispatches.push_back({"CHANNEL_CREATE", ChannelJson(c), g->id.value()});
  return a;
}

Answer World::GetRoles(std::string_view guild) {
  Guild* g = GuildAt(guild);
  if (g == nullptr) return Answer::Error(404, kUnknownGuild, "Unknown Guild");
  return Answer::Json(200, GuildJson(*g)["roles"]);
}

Answer World::GetChannels(std::string_view guild) {
  Guild* g = GuildAt(guild);
  if (g == nullptr) return Answer::Error(404, kUnknownGuild, "Unknown Guild");
  return Answer::Json(200, GuildJson(*g)["channels"]);
}

Answer World::OverwriteCommands(std::optional<std::string_view> guild, const json& body) {
  Guild* g = nullptr;
  if (guild) {
    const auto gid = IdOf(*guild);
    g = gid ? FindGuild(*gid) : nullptr;
    if (g == nullptr) return Answer::Error(404, kUnknownGuild, "Unknown Guild");
  }
  if (!body.is_array()) return Invalid("body", "must be an array of commands");
  json out = json::array();
  for (const auto& c : body) {
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string()) {
      return Invalid("name", "is required");
    }
    const std::string& name = c["name"].get_ref<const std::string&>();
    const int type = c.value("type", 1);
    if (name.empty() || name.size() > 32 ||
        (type == 1 && !std::all_of(name.begin(), name.end(), [](char ch) {
           return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
         }))) {
      return Invalid("name", "must be 1-32 lower-case letters, digits, - or _");
    }
    if (type == 1 && (!c.contains("description") || !c["description"].is_string() ||
                      c["description"].get_ref<const std::string&>().empty())) {
      return Invalid("description", "is required for a slash command");
    }
    json stored = c;
    stored["id"] = std::to_string(NewId());
    stored["application_id"] = std::to_string(application_id_);
    stored["type"] = type;
    stored["version"] = stored["id"];
    if (g != nullptr) stored["guild_id"] = g->id.ToString();
    out.push_back(std::move(stored));
  }
  if (g != nullptr) {
    g->commands = out;
  } else {
    global_commands_.assign(out.begin(), out.end());
  }
  return Answer::Json(200, out);
}

// --- interactions ---

Answer World::CreateInteraction(core::ChannelId channel, core::UserId user, int type, json data,
                                std::optional<core::MessageId> message) {
  Channel* c = FindChannel(channel.value());
  if (c == nullptr) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
  Guild& g = guilds_.at(c->guild.value());
  auto member = g.members.find(user.value());
  if (member == g.members.end()) return Answer::Error(404, kUnknownMember, "Unknown Member");
  InteractionState s;
  s.id = NewId();
  s.token = fmt::format("sim-token-{:x}-{:x}", s.id, s.id * 0x9E3779B97F4A7C15ULL);
  s.channel = channel;
  s.user = user;
  s.message = message;
  s.created = clock_.Now();
  json m = MemberJson(g, member->second);
  m["permissions"] = PermString(PermissionsIn(*c, user));
  json d{{"id", std::to_string(s.id)},
         {"application_id", std::to_string(application_id_)},
         {"type", type},
         {"data", std::move(data)},
         {"guild_id", g.id.ToString()},
         {"channel_id", c->id.ToString()},
         {"channel", ChannelJson(*c)},
         {"member", std::move(m)},
         {"token", s.token},
         {"version", 1},
         {"app_permissions", PermString(PermissionsIn(*c, bot_))},
         {"locale", "en-US"},
         {"guild_locale", "en-US"},
         {"entitlements", json::array()},
         {"authorizing_integration_owners", json::object()},
         {"context", 0}};
  if (message) {
    if (Message* clicked = FindMessage(message->value())) d["message"] = MessageJson(*clicked);
  }
  interaction_by_token_[s.token] = s.id;
  interactions_[s.id] = std::move(s);
  Answer a = Answer::Json(200, d);
  a.dispatches.push_back({"INTERACTION_CREATE", std::move(d), g.id.value()});
  return a;
}

Answer World::InteractionCallback(std::string_view id, std::string_view token, const json& body) {
  const auto iid = IdOf(id);
  auto it = iid ? interactions_.find(*iid) : interactions_.end();
  if (it == interactions_.end() || it->second.token != token) {
    return Answer::Error(404, kUnknownInteraction, "Unknown interaction");
  }
  InteractionState& s = it->second;
  if (s.callback_type != 0) {
    return Answer::Error(400, kAlreadyAcknowledged, "Interaction has already been acknowledged.");
  }
  if (clock_.Now() - s.created > kInteractionDeadline) {
    return Answer::Error(404, kUnknownInteraction, "Unknown interaction");
  }
  if (!body.is_object() || !body.contains("type") || !body["type"].is_number_integer()) {
    return Invalid("type", "is required");
  }
  const int type = body["type"];
  const json data = body.value("data", json::object());
  Answer a = Answer::NoContent();
  switch (type) {
    case 4: {  // a message in the channel
      if (auto bad = CheckMessageBody(data, true)) return *bad;
      Channel* c = FindChannel(s.channel.value());
      if (c == nullptr) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
      Answer created = NewMessage(*c, bot_, data.value("content", std::string()), {}, false, data,
                                  application_id_);
      const json m = json::parse(created.body);
      s.original = core::MessageId(*IdOf(m["id"].get<std::string>()));
      a.dispatches = std::move(created.dispatches);
      break;
    }
    case 5:  // deferred message: the original comes with Edit Original
    case 6:  // deferred update of the component's message
    case 9:  // modal
      break;
    case 7: {  // update the component's message
      if (!s.message) return Invalid("type", "7 is only for component interactions");
      if (auto bad = CheckMessageBody(data, false)) return *bad;
      Message* m = FindMessage(s.message->value());
      if (m == nullptr) return Answer::Error(404, kUnknownMessage, "Unknown Message");
      ApplyEdit(*m, data, clock_.Now());
      json d = MessageJson(*m);
      a.dispatches.push_back({"MESSAGE_UPDATE", std::move(d), m->guild.value()});
      break;
    }
    default:
      return Invalid("type", "must be 4, 5, 6, 7 or 9");
  }
  s.callback_type = type;
  s.response = data;
  return a;
}

std::optional<Answer> World::WebhookInteraction(std::string_view token, InteractionState*& out) {
  auto t = interaction_by_token_.find(std::string(token));
  if (t == interaction_by_token_.end()) {
    return Answer::Error(404, kUnknownWebhook, "Unknown Webhook");
  }
  out = &interactions_.at(t->second);
  if (clock_.Now() - out->created > kTokenLifetime) {
    return Answer::Error(401, 50027, "Invalid Webhook Token");
  }
  if (out->callback_type == 0) {
    return Answer::Error(404, kUnknownWebhook, "Unknown Webhook");  // not acknowledged yet
  }
  return std::nullopt;
}

Answer World::Followup(std::string_view token, const json& body) {
  InteractionState* found = nullptr;
  if (auto refused = WebhookInteraction(token, found)) return *refused;
  InteractionState& s = *found;
  if (auto bad = CheckMessageBody(body, true)) return *bad;
  Channel* c = FindChannel(s.channel.value());
  if (c == nullptr) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
  Answer a =
      NewMessage(*c, bot_, body.value("content", std::string()), {}, false, body, application_id_);
  s.followups.emplace_back(*IdOf(json::parse(a.body)["id"].get<std::string>()));
  return a;
}

Answer World::EditOriginal(std::string_view token, const json& body) {
  InteractionState* found = nullptr;
  if (auto refused = WebhookInteraction(token, found)) return *refused;
  InteractionState& s = *found;
  if (auto bad = CheckMessageBody(body, false)) return *bad;
  Channel* c = FindChannel(s.channel.value());
  if (c == nullptr) return Answer::Error(404, kUnknownChannel, "Unknown Channel");
  if (!s.original) {  // a deferred response becomes its message now
    if (s.callback_type == 6 && s.message) {
      s.original = s.message;
    } else {
      Answer a = NewMessage(*c, bot_, body.value("content", std::string()), {}, false, body,
                            application_id_);
      s.original = core::MessageId(*IdOf(json::parse(a.body)["id"].get<std::string>()));
      return a;
    }
  }
  Message* m = FindMessage(s.original->value());
  if (m == nullptr) return Answer::Error(404, kUnknownMessage, "Unknown Message");
  ApplyEdit(*m, body, clock_.Now());
  Answer a = Answer::Json(200, MessageJson(*m));
  a.dispatches.push_back({"MESSAGE_UPDATE", MessageJson(*m), m->guild.value()});
  return a;
}

}  // namespace sim

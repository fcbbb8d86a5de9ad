// The Discord simulator's state model: guilds, roles with positions, channels with overwrites,
// threads, members, users, messages, bans and registered commands, and the business rules Discord
// enforces on them (../shared/discord/PROTOCOL.md §4.3, §6, §8 items 10-13): permissions and the
// role hierarchy (50013), unknown ids (10003/10007/10008/10011/10013/10026), bulk-delete limits
// (50016/50034), timeouts at most 28 days and never on administrators or the owner, private threads
// by default. Every operation answers as Discord would: an HTTP status and a JSON body, plus the
// gateway dispatches the change causes.
//
// Pure data: no I/O, no locks, time from the injected clock. The simulator owns one World and uses
// it from its own thread.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "discord/model/permissions.h"

namespace sim {

// What an operation answers: the status, the JSON body ("" for 204), and the dispatches it causes.
struct Dispatch {
  std::string event;        // "MESSAGE_CREATE", ...
  nlohmann::json data;      // the event's d
  std::uint64_t guild = 0;  // 0: not a guild event (goes to shard 0)
};

struct Answer {
  int status = 200;
  std::string body;
  std::vector<Dispatch> dispatches;
  int code = 0;  // Discord's JSON error code, for the call record

  static Answer Json(int status, const nlohmann::json& body);
  static Answer NoContent();
  static Answer Error(int status, int code, std::string_view message);
};

struct User {
  core::UserId id;
  std::string username;
  std::optional<std::string> global_name;
  bool bot = false;
  bool avatar = false;
};

struct Member {
  core::UserId user;
  std::vector<core::RoleId> roles;
  std::optional<std::string> nick;
  core::Timestamp joined_at{};
  std::optional<core::Timestamp> timed_out_until;
};

struct Channel {
  core::ChannelId id;
  int type = 0;  // 0 text, 4 category, 11 public thread, 12 private thread
  core::GuildId guild;
  std::string name;
  std::optional<core::ChannelId> parent;
  std::vector<discord::Overwrite> overwrites;
  int rate_limit_per_user = 0;
  // Threads.
  std::optional<core::UserId> owner;
  bool archived = false;
  bool locked = false;
  bool invitable = true;
  int auto_archive_duration = 1440;
  std::set<std::uint64_t> thread_members;
  bool IsThread() const { return type == 10 || type == 11 || type == 12; }
};

struct Message {
  core::MessageId id;
  core::ChannelId channel;
  core::GuildId guild;
  core::UserId author;
  std::string content;
  nlohmann::json embeds = nlohmann::json::array();
  nlohmann::json components = nlohmann::json::array();
  std::vector<core::UserId> mentions;
  bool mention_everyone = false;
  int type = 0;
  core::Timestamp timestamp{};
  std::optional<core::Timestamp> edited{};
  std::uint64_t webhook_id = 0;  // interaction responses and follow-ups
  std::uint64_t flags = 0;
};

struct Ban {
  std::string reason;
  int delete_message_seconds = 0;
};

struct Guild {
  core::GuildId id;
  std::string name;
  core::UserId owner;
  std::vector<discord::Role> roles;  // @everyone has the guild's id and position 0
  std::map<std::uint64_t, std::string> role_names;
  std::map<std::uint64_t, Channel> channels;  // and threads
  std::map<std::uint64_t, Member> members;
  std::map<std::uint64_t, Ban> bans;
  nlohmann::json commands = nlohmann::json::array();
  bool unavailable_first = false;  // READY lists it; GUILD_CREATE comes later
};

class World {
 public:
  World(const core::Clock& clock, core::UserId bot, std::uint64_t application_id);

  // A fresh snowflake, created now.
  std::uint64_t NewId();

  // --- building the world (scenario API) ---
  User& AddUser(std::string username, bool bot = false, bool avatar = true,
                std::optional<core::Timestamp> created = std::nullopt);
  Guild& AddGuild(std::string name, core::UserId owner);
  core::RoleId AddRole(Guild& g, std::string name, int position, discord::Permissions perms,
                       bool managed = false);
  Channel& AddChannel(Guild& g, std::string name, int type = 0,
                      std::vector<discord::Overwrite> overwrites = {});
  // A member joins: GUILD_MEMBER_ADD.
  Answer Join(Guild& g, core::UserId user, std::vector<core::RoleId> roles = {});
  // A user posts: MESSAGE_CREATE. 404 for an unknown channel, 403 if they may not send there.
  Answer Post(core::ChannelId channel, core::UserId author, std::string content,
              std::vector<core::UserId> mentions = {}, bool mention_everyone = false);

  // --- the REST endpoints, acting as `actor` (the bot) ---
  Answer GetUser(std::string_view user);
  Answer GetMember(std::string_view guild, std::string_view user);
  Answer AddMemberRole(std::string_view guild, std::string_view user, std::string_view role,
                       bool add);
  Answer ModifyMember(std::string_view guild, std::string_view user, const nlohmann::json& body);
  Answer CreateBan(std::string_view guild, std::string_view user, const nlohmann::json& body,
                   std::string_view reason);
  Answer RemoveBan(std::string_view guild, std::string_view user);
  Answer Kick(std::string_view guild, std::string_view user);
  Answer GetMessage(std::string_view channel, std::string_view message);
  Answer DeleteMessage(std::string_view channel, std::string_view message);
  Answer BulkDelete(std::string_view channel, const nlohmann::json& body);
  Answer CreateMessage(std::string_view channel, const nlohmann::json& body);
  Answer EditMessage(std::string_view channel, std::string_view message,
                     const nlohmann::json& body);
  Answer StartThread(std::string_view channel, std::optional<std::string_view> message,
                     const nlohmann::json& body);
  Answer AddThreadMember(std::string_view thread, std::string_view user);
  Answer ModifyChannel(std::string_view channel, const nlohmann::json& body);
  Answer CreateChannel(std::string_view guild, const nlohmann::json& body);
  Answer GetRoles(std::string_view guild);
  Answer GetChannels(std::string_view guild);
  Answer OverwriteCommands(std::optional<std::string_view> guild, const nlohmann::json& body);

  // --- interactions (PROTOCOL.md §5) ---
  // A member clicks a button or runs a command: INTERACTION_CREATE with `member.permissions`
  // (theirs in the channel) and a token. `type` 2 (command: `data` has name and options) or 3
  // (component: `data` has custom_id and component_type; `message` the message clicked).
  Answer CreateInteraction(core::ChannelId channel, core::UserId user, int type,
                           nlohmann::json data, std::optional<core::MessageId> message = {});
  // POST /interactions/{id}/{token}/callback: 10062 when unknown or past the 3 s deadline without
  // an answer, 40060 when already answered.
  Answer InteractionCallback(std::string_view id, std::string_view token,
                             const nlohmann::json& body);
  // POST /webhooks/{app}/{token} (a follow-up), PATCH .../messages/@original (edit original).
  Answer Followup(std::string_view token, const nlohmann::json& body);
  Answer EditOriginal(std::string_view token, const nlohmann::json& body);

  struct InteractionState {
    std::uint64_t id = 0;
    std::string token;
    core::ChannelId channel;
    core::UserId user;
    std::optional<core::MessageId> message;  // the message a component sits on
    core::Timestamp created{};
    int callback_type = 0;    // 0 while unanswered
    nlohmann::json response;  // the callback's data
    std::optional<core::MessageId> original;
    std::vector<core::MessageId> followups;
  };
  const InteractionState* FindInteraction(std::uint64_t id) const;
  static constexpr std::chrono::seconds kInteractionDeadline{3};
  static constexpr std::chrono::minutes kTokenLifetime{15};

  // --- JSON in Discord's shapes ---
  nlohmann::json UserJson(const User& u) const;
  nlohmann::json MemberJson(const Guild& g, const Member& m, bool with_user = true) const;
  nlohmann::json ChannelJson(const Channel& c) const;
  nlohmann::json MessageJson(const Message& m) const;
  nlohmann::json GuildJson(const Guild& g) const;  // GUILD_CREATE's d

  // A member's permissions guild-wide and in a channel (threads: the parent's overwrites).
  discord::Permissions PermissionsOf(const Guild& g, core::UserId user) const;
  discord::Permissions PermissionsIn(const Channel& c, core::UserId user) const;

  Guild* FindGuild(std::uint64_t id);
  Channel* FindChannel(std::uint64_t id);
  Message* FindMessage(std::uint64_t id);
  User* FindUser(std::uint64_t id);
  std::map<std::uint64_t, Guild>& guilds() { return guilds_; }
  const std::vector<nlohmann::json>& global_commands() const { return global_commands_; }
  core::UserId bot() const { return bot_; }
  std::uint64_t application_id() const { return application_id_; }
  const core::Clock& clock() const { return clock_; }

 private:
  // By an id from a path: nullptr when it is not a snowflake or not there.
  Guild* GuildAt(std::string_view id);
  Channel* ChannelAt(std::string_view id);
  Message* MessageAt(std::string_view id);
  discord::GuildRoles RolesOf(const Guild& g) const;
  discord::MemberRoles MemberRolesOf(const Guild& g, const Member& m) const;
  Answer Refuse(discord::Refusal r) const;
  // The interaction a webhook token names, or the refusal: unknown (10015), expired (50027), not
  // acknowledged yet.
  std::optional<Answer> WebhookInteraction(std::string_view token, InteractionState*& out);
  Answer NewMessage(Channel& c, core::UserId author, std::string content,
                    std::vector<core::UserId> mentions, bool mention_everyone,
                    const nlohmann::json& body, std::uint64_t webhook_id = 0);

  const core::Clock& clock_;
  core::UserId bot_;
  std::uint64_t application_id_;
  std::uint64_t sequence_ = 0;
  std::map<std::uint64_t, User> users_;
  std::map<std::uint64_t, Guild> guilds_;
  std::map<std::uint64_t, std::uint64_t> channel_guild_;
  std::map<std::uint64_t, Message> messages_;
  std::vector<nlohmann::json> global_commands_;
  std::map<std::uint64_t, InteractionState> interactions_;
  std::map<std::string, std::uint64_t> interaction_by_token_;
};

// ISO 8601 with microseconds and "+00:00", as Discord writes timestamps.
std::string IsoTime(core::Timestamp t);

}  // namespace sim

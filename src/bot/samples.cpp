#include "bot/samples.h"

namespace bot {
namespace {

namespace perm = discord::permission;

// Message types people write: DEFAULT and REPLY. Everything else is Discord's (joins, boosts,
// pins, thread notices, ...) or a command's output.
bool Written(int type) { return type == 0 || type == 19; }

detect::Author AuthorOf(const discord::User& u, const MemberContext& c) {
  detect::Author a;
  a.id = u.id;
  a.username = u.username;
  a.global_name = u.global_name ? std::string_view(*u.global_name) : std::string_view();
  a.has_avatar = u.has_avatar;
  a.is_bot = u.bot;
  a.joined_at = c.joined_at;
  a.messages_in_guild = c.messages_in_guild;
  a.prior_detections = c.prior_detections;
  a.prior_false_positives = c.prior_false_positives;
  a.reputation = c.reputation;
  return a;
}

}  // namespace

bool IsModerator(const discord::GuildRoles& guild, const discord::MemberRoles& member) {
  if (member.user == guild.owner) return true;
  constexpr discord::Permissions kModerates = perm::kAdministrator | perm::kManageMessages |
                                              perm::kKickMembers | perm::kBanMembers |
                                              perm::kModerateMembers;
  return (discord::BasePermissions(guild, member) & kModerates) != 0;
}

std::string_view ToString(Skip s) {
  switch (s) {
    case Skip::kJudge:
      return "judge";
    case Skip::kBot:
      return "bot";
    case Skip::kWebhook:
      return "webhook";
    case Skip::kSystemMessage:
      return "system message";
    case Skip::kDirectMessage:
      return "direct message";
    case Skip::kModerator:
      return "moderator";
  }
  return "?";
}

Skip ShouldJudge(const discord::Message& m, bool moderator, bool judge_moderators) {
  if (!m.guild_id) return Skip::kDirectMessage;
  if (m.webhook_id) return Skip::kWebhook;
  if (m.author.bot) return Skip::kBot;
  if (!Written(m.type)) return Skip::kSystemMessage;
  if (moderator && !judge_moderators) return Skip::kModerator;
  return Skip::kJudge;
}

detect::MessageSample MessageSampleOf(const discord::Message& m, const MemberContext& context,
                                      bool moderator) {
  detect::MessageSample s;
  s.guild = m.guild_id.value_or(core::GuildId());
  s.channel = m.channel_id;
  s.message = m.id;
  s.author = AuthorOf(m.author, context);
  s.author.is_moderator = moderator;
  if (!s.author.joined_at && m.member && m.member->joined_at)
    s.author.joined_at = m.member->joined_at;
  s.text = m.content;
  s.at = m.timestamp;
  s.user_mentions = static_cast<std::int32_t>(m.mentions.size());
  s.role_mentions = static_cast<std::int32_t>(m.mention_roles.size());
  s.mentions_everyone = m.mention_everyone;
  s.attachments = m.attachments;
  s.embeds = m.embeds;
  return s;
}

std::optional<detect::JoinSample> JoinSampleOf(const discord::GuildMemberAdd& join,
                                               const MemberContext& context) {
  if (!join.member.user || join.member.user->bot) return std::nullopt;
  detect::JoinSample s;
  s.guild = join.guild_id;
  s.user = AuthorOf(*join.member.user, context);
  s.user.joined_at = join.member.joined_at ? join.member.joined_at : context.joined_at;
  s.at = s.user.joined_at.value_or(core::Timestamp());
  return s;
}

}  // namespace bot

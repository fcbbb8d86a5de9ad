// The typed endpoints of the REST client (PROTOCOL.md §4.3): paths, validated bodies, decoded
// answers. Everything else (limits, retries, errors) is Client::Call's.
#include <fmt/format.h>

#include "discord/model/timestamp.h"
#include "discord/rest/client.h"

namespace discord::rest {
namespace {

std::string G(core::GuildId g) { return "/guilds/" + g.ToString(); }
std::string C(core::ChannelId c) { return "/channels/" + c.ToString(); }

}  // namespace

template <class T>
Client::Task<T> Client::Decoded(std::string_view method, std::string path,
                                core::Result<std::string> body,
                                core::Result<T> (*decode)(std::string_view),
                                std::string_view reason) {
  if (!body) co_return std::unexpected(body.error());
  auto answer = co_await Call(method, std::move(path), std::move(*body), reason);
  if (!answer) co_return std::unexpected(answer.error());
  auto decoded = decode(answer->body);
  if (!decoded) {
    decoded.error().message = fmt::format("{} answer: {}", method, decoded.error().message);
  }
  co_return decoded;
}

Client::Task<void> Client::NoContent(std::string_view method, std::string path,
                                     core::Result<std::string> body, std::string_view reason) {
  if (!body) co_return std::unexpected(body.error());
  auto answer = co_await Call(method, std::move(path), std::move(*body), reason);
  if (!answer) co_return std::unexpected(answer.error());
  co_return core::Result<void>();
}

Client::Task<GatewayBot> Client::GetGatewayBot() {
  return Decoded<GatewayBot>("GET", "/gateway/bot", std::string(), &DecodeGatewayBot);
}

Client::Task<User> Client::GetUser(core::UserId user) {
  return Decoded<User>("GET", "/users/" + user.ToString(), std::string(), &DecodeUser);
}

Client::Task<Member> Client::GetMember(core::GuildId guild, core::UserId user) {
  return Decoded<Member>("GET", G(guild) + "/members/" + user.ToString(), std::string(),
                         &DecodeMember);
}

Client::Task<void> Client::AddMemberRole(core::GuildId guild, core::UserId user, core::RoleId role,
                                         std::string_view reason) {
  return NoContent("PUT", G(guild) + "/members/" + user.ToString() + "/roles/" + role.ToString(),
                   std::string(), reason);
}

Client::Task<void> Client::RemoveMemberRole(core::GuildId guild, core::UserId user,
                                            core::RoleId role, std::string_view reason) {
  return NoContent("DELETE", G(guild) + "/members/" + user.ToString() + "/roles/" + role.ToString(),
                   std::string(), reason);
}

Client::Task<Member> Client::ModifyMember(core::GuildId guild, core::UserId user,
                                          const discord::ModifyMember& body,
                                          std::string_view reason) {
  return Decoded<Member>("PATCH", G(guild) + "/members/" + user.ToString(),
                         EncodeModifyMember(body), &DecodeMember, reason);
}

Client::Task<Member> Client::TimeoutMember(core::GuildId guild, core::UserId user,
                                           std::optional<core::Timestamp> until,
                                           std::string_view reason) {
  discord::ModifyMember body;
  if (until) {
    if (*until > impl_clock().Now() + std::chrono::days(28)) {
      co_return core::Fail(core::ErrorCode::kInvalidArgument,
                           fmt::format("a timeout may last at most 28 days (asked until {})",
                                       FormatTimestamp(*until)),
                           "communication_disabled_until");
    }
    body.communication_disabled_until = *until;
  } else {
    body.communication_disabled_until = Clear{};
  }
  co_return co_await ModifyMember(guild, user, body, reason);
}

Client::Task<void> Client::CreateBan(core::GuildId guild, core::UserId user,
                                     const discord::CreateBan& body, std::string_view reason) {
  return NoContent("PUT", G(guild) + "/bans/" + user.ToString(), EncodeCreateBan(body), reason);
}

Client::Task<void> Client::RemoveBan(core::GuildId guild, core::UserId user,
                                     std::string_view reason) {
  return NoContent("DELETE", G(guild) + "/bans/" + user.ToString(), std::string(), reason);
}

Client::Task<void> Client::RemoveMember(core::GuildId guild, core::UserId user,
                                        std::string_view reason) {
  return NoContent("DELETE", G(guild) + "/members/" + user.ToString(), std::string(), reason);
}

Client::Task<Message> Client::GetMessage(core::ChannelId channel, core::MessageId message) {
  return Decoded<Message>("GET", C(channel) + "/messages/" + message.ToString(), std::string(),
                          &DecodeMessage);
}

Client::Task<void> Client::DeleteMessage(core::ChannelId channel, core::MessageId message,
                                         std::string_view reason) {
  return NoContent("DELETE", C(channel) + "/messages/" + message.ToString(), std::string(), reason);
}

Client::Task<void> Client::BulkDeleteMessages(core::ChannelId channel,
                                              std::vector<core::MessageId> messages,
                                              std::string_view reason) {
  return NoContent("POST", C(channel) + "/messages/bulk-delete",
                   EncodeBulkDelete(BulkDelete{std::move(messages)}), reason);
}

Client::Task<Message> Client::CreateMessage(core::ChannelId channel,
                                            const discord::CreateMessage& message) {
  return Decoded<Message>("POST", C(channel) + "/messages", EncodeCreateMessage(message),
                          &DecodeMessage);
}

Client::Task<Message> Client::EditMessage(core::ChannelId channel, core::MessageId message,
                                          const discord::EditMessage& edit) {
  return Decoded<Message>("PATCH", C(channel) + "/messages/" + message.ToString(),
                          EncodeEditMessage(edit), &DecodeMessage);
}

Client::Task<Channel> Client::StartThread(core::ChannelId channel, const discord::StartThread& body,
                                          std::string_view reason) {
  return Decoded<Channel>("POST", C(channel) + "/threads", EncodeStartThread(body), &DecodeChannel,
                          reason);
}

Client::Task<Channel> Client::StartThreadFromMessage(core::ChannelId channel,
                                                     core::MessageId message,
                                                     const discord::StartThread& body,
                                                     std::string_view reason) {
  return Decoded<Channel>("POST", C(channel) + "/messages/" + message.ToString() + "/threads",
                          EncodeStartThreadFromMessage(body), &DecodeChannel, reason);
}

Client::Task<void> Client::AddThreadMember(core::ChannelId thread, core::UserId user) {
  return NoContent("PUT", C(thread) + "/thread-members/" + user.ToString());
}

Client::Task<Channel> Client::ModifyChannel(core::ChannelId channel,
                                            const discord::ModifyChannel& body,
                                            std::string_view reason) {
  return Decoded<Channel>("PATCH", C(channel), EncodeModifyChannel(body), &DecodeChannel, reason);
}

Client::Task<Channel> Client::CreateChannel(core::GuildId guild, const discord::CreateChannel& body,
                                            std::string_view reason) {
  return Decoded<Channel>("POST", G(guild) + "/channels", EncodeCreateChannel(body), &DecodeChannel,
                          reason);
}

Client::Task<std::vector<Role>> Client::GetGuildRoles(core::GuildId guild) {
  return Decoded<std::vector<Role>>("GET", G(guild) + "/roles", std::string(), &DecodeRoles);
}

Client::Task<std::vector<Channel>> Client::GetGuildChannels(core::GuildId guild) {
  return Decoded<std::vector<Channel>>("GET", G(guild) + "/channels", std::string(),
                                       &DecodeChannels);
}

Client::Task<std::vector<CommandInfo>> Client::BulkOverwriteGlobalCommands(
    std::span<const ApplicationCommand> commands) {
  return Decoded<std::vector<CommandInfo>>(
      "PUT", "/applications/" + options_.application_id + "/commands",
      EncodeApplicationCommands(commands), &DecodeApplicationCommands);
}

Client::Task<std::vector<CommandInfo>> Client::BulkOverwriteGuildCommands(
    core::GuildId guild, std::span<const ApplicationCommand> commands) {
  return Decoded<std::vector<CommandInfo>>(
      "PUT", "/applications/" + options_.application_id + G(guild) + "/commands",
      EncodeApplicationCommands(commands), &DecodeApplicationCommands);
}

Client::Task<void> Client::CreateInteractionResponse(InteractionId interaction,
                                                     std::string_view token,
                                                     const InteractionResponse& response) {
  return NoContent(
      "POST", "/interactions/" + interaction.ToString() + "/" + std::string(token) + "/callback",
      EncodeInteractionResponse(response));
}

Client::Task<Message> Client::CreateFollowupMessage(std::string_view token,
                                                    const discord::CreateMessage& message) {
  return Decoded<Message>("POST", "/webhooks/" + options_.application_id + "/" + std::string(token),
                          EncodeCreateMessage(message), &DecodeMessage);
}

Client::Task<Message> Client::EditOriginalResponse(std::string_view token,
                                                   const discord::EditMessage& edit) {
  return Decoded<Message>(
      "PATCH",
      "/webhooks/" + options_.application_id + "/" + std::string(token) + "/messages/@original",
      EncodeEditMessage(edit), &DecodeMessage);
}

}  // namespace discord::rest

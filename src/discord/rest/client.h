// The Discord REST client (../shared/discord/PROTOCOL.md §4): `Authorization: Bot`, the documented
// User-Agent, the rate limiter (per-route buckets keyed by bucket hash and major parameter, the
// global 50/s, 429s of every scope), `X-Audit-Log-Reason` URL-encoded, bounded retries of 5xx and
// of failed idempotent requests, and Discord's JSON error codes as typed errors (errors.h).
//
// When the global limit binds, requests that act on a member or delete a message (Route::Urgent)
// go before ordinary ones: an ordinary request only takes a place that is free now.
// Requests in one bucket (hash and major parameter; before the hash is known, one route and major
// parameter) go one at a time, in order, so each is limited knowing the previous answer's headers
// (as discord.js' SequentialHandler); different buckets run concurrently.
// After a 401 the token is known bad and every later call fails at once without a request.
//
// Thread-safety: none. Call from coroutines running on the client's executor (one I/O thread).
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "discord/model/channel.h"
#include "discord/model/commands.h"
#include "discord/model/gateway_bot.h"
#include "discord/model/ids.h"
#include "discord/model/interaction_response.h"
#include "discord/model/message.h"
#include "discord/model/message_body.h"
#include "discord/model/requests.h"
#include "discord/model/role.h"
#include "discord/model/user.h"
#include "discord/rest/errors.h"
#include "discord/rest/rate_limiter.h"

namespace net {
class HttpClient;
}

namespace discord::rest {

struct ClientOptions {
  std::string api_base_url = "https://discord.com/api/v10";  // no trailing slash needed
  std::string token;           // the bot token, without "Bot "; never logged
  std::string application_id;  // the bot's application: its interaction webhooks skip the global
                               // limit
  std::string user_agent = "DiscordBot (https://github.com/antispam-bot/antispam, 0.1.0)";
  std::chrono::milliseconds timeout{15'000};     // one attempt: connect, send, answer
  int max_attempts = 5;                          // per call, over 429s, 5xx and failed connections
  std::chrono::milliseconds retry_backoff{500};  // after a 5xx or a failed connection, doubled
                                                 // per attempt
  int global_per_second = 50;
};

struct Response {
  int status = 0;
  std::string body;
};

struct ClientStats {
  std::uint64_t requests = 0;          // HTTP requests sent (attempts, not calls)
  std::uint64_t rate_limited = 0;      // 429s received
  std::uint64_t retried = 0;           // attempts repeated after a 429, 5xx or lost connection
  std::uint64_t invalid_requests = 0;  // 401, 403 and 429 (not shared-scope): Cloudflare counts
                                       // 10,000 of these per 10 min per IP before banning it
  std::uint64_t held_back = 0;  // waits of ordinary requests while the global limit was full
};

class Client {
 public:
  Client(boost::asio::any_io_executor executor, net::HttpClient& http, const core::Clock& clock,
         ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // One call: `path` below the API base ("/guilds/1/members/2", with a query if any), `body` JSON
  // or empty, `reason` the audit-log reason or empty (URL-encoded, cut to 512 characters). A 2xx
  // answer is the Response; anything else is an error (errors.h) once the retries are spent.
  [[nodiscard]] boost::asio::awaitable<core::Result<Response>> Call(std::string_view method,
                                                                    std::string path,
                                                                    std::string body = {},
                                                                    std::string_view reason = {});

  // --- the endpoints an anti-spam bot uses (PROTOCOL.md §4.3; endpoints.cpp) ---
  // Request bodies are validated before anything is sent (kInvalidArgument naming the rule);
  // answers are decoded into entities (a malformed answer is kInvalidArgument).
  template <class T>
  using Task = boost::asio::awaitable<core::Result<T>>;

  [[nodiscard]] Task<GatewayBot> GetGatewayBot();
  [[nodiscard]] Task<User> GetUser(core::UserId user);
  [[nodiscard]] Task<Member> GetMember(core::GuildId guild, core::UserId user);
  [[nodiscard]] Task<void> AddMemberRole(core::GuildId guild, core::UserId user, core::RoleId role,
                                         std::string_view reason = {});
  [[nodiscard]] Task<void> RemoveMemberRole(core::GuildId guild, core::UserId user,
                                            core::RoleId role, std::string_view reason = {});
  [[nodiscard]] Task<Member> ModifyMember(core::GuildId guild, core::UserId user,
                                          const discord::ModifyMember& body,
                                          std::string_view reason = {});
  // A timeout until `until` (at most 28 days from now, by the client's clock), or lifted with
  // nullopt.
  [[nodiscard]] Task<Member> TimeoutMember(core::GuildId guild, core::UserId user,
                                           std::optional<core::Timestamp> until,
                                           std::string_view reason = {});
  [[nodiscard]] Task<void> CreateBan(core::GuildId guild, core::UserId user,
                                     const discord::CreateBan& body, std::string_view reason = {});
  [[nodiscard]] Task<void> RemoveBan(core::GuildId guild, core::UserId user,
                                     std::string_view reason = {});
  // Kick.
  [[nodiscard]] Task<void> RemoveMember(core::GuildId guild, core::UserId user,
                                        std::string_view reason = {});
  [[nodiscard]] Task<Message> GetMessage(core::ChannelId channel, core::MessageId message);
  [[nodiscard]] Task<void> DeleteMessage(core::ChannelId channel, core::MessageId message,
                                         std::string_view reason = {});
  [[nodiscard]] Task<void> BulkDeleteMessages(core::ChannelId channel,
                                              std::vector<core::MessageId> messages,
                                              std::string_view reason = {});
  [[nodiscard]] Task<Message> CreateMessage(core::ChannelId channel,
                                            const discord::CreateMessage& message);
  [[nodiscard]] Task<Message> EditMessage(core::ChannelId channel, core::MessageId message,
                                          const discord::EditMessage& edit);
  // A thread without a message (private by default) or from a message.
  [[nodiscard]] Task<Channel> StartThread(core::ChannelId channel, const discord::StartThread& body,
                                          std::string_view reason = {});
  [[nodiscard]] Task<Channel> StartThreadFromMessage(core::ChannelId channel,
                                                     core::MessageId message,
                                                     const discord::StartThread& body,
                                                     std::string_view reason = {});
  [[nodiscard]] Task<void> AddThreadMember(core::ChannelId thread, core::UserId user);
  // Channels and threads (archive, lock, slow mode, overwrites).
  [[nodiscard]] Task<Channel> ModifyChannel(core::ChannelId channel,
                                            const discord::ModifyChannel& body,
                                            std::string_view reason = {});
  [[nodiscard]] Task<Channel> CreateChannel(core::GuildId guild, const discord::CreateChannel& body,
                                            std::string_view reason = {});
  [[nodiscard]] Task<std::vector<Role>> GetGuildRoles(core::GuildId guild);
  [[nodiscard]] Task<std::vector<Channel>> GetGuildChannels(core::GuildId guild);
  [[nodiscard]] Task<std::vector<CommandInfo>> BulkOverwriteGlobalCommands(
      std::span<const ApplicationCommand> commands);
  [[nodiscard]] Task<std::vector<CommandInfo>> BulkOverwriteGuildCommands(
      core::GuildId guild, std::span<const ApplicationCommand> commands);
  // Interaction callback (types 4, 5, 6, 7, 9): outside the global limit. `token` is a secret:
  // it never appears in errors or logs (the route template has ":token").
  [[nodiscard]] Task<void> CreateInteractionResponse(InteractionId interaction,
                                                     std::string_view token,
                                                     const InteractionResponse& response);
  [[nodiscard]] Task<Message> CreateFollowupMessage(std::string_view token,
                                                    const discord::CreateMessage& message);
  [[nodiscard]] Task<Message> EditOriginalResponse(std::string_view token,
                                                   const discord::EditMessage& edit);

  const ClientStats& stats() const { return stats_; }
  const ClientOptions& options() const { return options_; }
  // The bot's application, once known (READY names it): used by the command endpoints and to
  // keep interaction webhooks outside the global limit.
  void SetApplicationId(std::string id) { options_.application_id = std::move(id); }

 private:
  const core::Clock& impl_clock() const;

 public:
 private:
  template <class T>
  Task<T> Decoded(std::string_view method, std::string path, core::Result<std::string> body,
                  core::Result<T> (*decode)(std::string_view), std::string_view reason = {});
  Task<void> NoContent(std::string_view method, std::string path,
                       core::Result<std::string> body = std::string(),
                       std::string_view reason = {});

  struct Impl;
  std::unique_ptr<Impl> impl_;
  ClientOptions options_;
  ClientStats stats_;
};

// `X-Audit-Log-Reason`: the reason cut to 512 characters (whole UTF-8 sequences) and
// percent-encoded (RFC 3986 unreserved characters stay as they are).
std::string EncodeAuditLogReason(std::string_view reason);

}  // namespace discord::rest

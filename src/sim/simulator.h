// The Discord simulator (issue 4 item 7): Discord's REST API and gateway on 127.0.0.1, over real
// sockets and the same protocol, with a state model that enforces Discord's rules, injectable
// faults and rate limits, a scenario API and a record of every REST call. Tests run it in-process;
// `antispam sim` runs it for manual use; `antispam demo` plays a day of traffic through it.
//
// One port serves REST (/api/v10/...), GET /api/v10/gateway/bot and the gateway WebSocket; a
// second listener is the resume_gateway_url READY names, so a test can see that Resume used it.
//
// Threading: the simulator runs on its own thread. Every public method is thread-safe: it runs
// its work on that thread and waits for it. Never call them from the simulator's own thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "sim/gateway.h"
#include "sim/rate_limits.h"
#include "sim/rest.h"
#include "sim/world.h"

namespace sim {

struct SimulatorOptions {
  std::string token = "sim-bot-token";  // what Identify and `Authorization: Bot` must carry
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;      // 0: an ephemeral port
  int recommended_shards = 1;  // GET /gateway/bot's "shards"
  GatewayOptions gateway;
  RateLimitOptions rate_limits;
  // Set: interactions are POSTed to this URL (the bot's HTTP interactions endpoint), signed with
  // interactions_public_key()'s pair, instead of INTERACTION_CREATE on the gateway; the HTTP
  // answer is the interaction's first response.
  std::string interactions_url;
};

// What the bot's HTTP interactions endpoint answered to one delivery.
struct EndpointAnswer {
  int status = 0;  // 0: no answer (connection failed or timed out)
  std::string body;
};

// The ids of a guild built by AddStandardGuild: an owner, the bot with a role near the top that
// can moderate, a moderator role below it, a restricted role, and channels.
struct StandardGuild {
  core::GuildId guild;
  core::UserId owner;
  core::RoleId bot_role;
  core::RoleId moderator_role;
  core::RoleId restricted_role;
  core::RoleId above_bot_role;  // a role the bot cannot manage
  core::ChannelId general;
  core::ChannelId admin;
  core::ChannelId verification;
};

class Simulator {
 public:
  explicit Simulator(SimulatorOptions options = {},
                     const core::Clock& clock = core::DefaultClock());
  ~Simulator();  // Stop()s
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Binds both listeners and starts the thread. kUnavailable if a port cannot be bound.
  [[nodiscard]] core::Result<void> Start();
  void Stop();

  std::string api_base_url() const;  // "http://127.0.0.1:<port>/api/v10"
  std::string gateway_url() const;   // "ws://127.0.0.1:<port>"
  const std::string& token() const { return options_.token; }
  core::UserId bot() const { return bot_; }
  std::uint64_t application_id() const { return application_id_; }

  // Runs `f` on the simulator's thread with the world; its dispatches reach the gateway.
  void With(const std::function<void(World&)>& f);
  // Runs `f` on the simulator's thread and sends the dispatches of the Answer it returns.
  Answer Act(const std::function<Answer(World&)>& f);

  // --- scenario ---
  StandardGuild AddStandardGuild(std::string name);
  core::UserId AddUser(std::string username, std::optional<core::Timestamp> created = {},
                       bool avatar = true);
  void Join(core::GuildId guild, core::UserId user, std::vector<core::RoleId> roles = {});
  // A message by `author` (MESSAGE_CREATE); its id, or nullopt if Discord would refuse it.
  std::optional<core::MessageId> Post(core::ChannelId channel, core::UserId author,
                                      std::string content);
  // A member clicks a button with `custom_id` on `message`: INTERACTION_CREATE. The interaction
  // id, or 0 when refused (unknown channel or member).
  std::uint64_t ClickButton(core::ChannelId channel, core::MessageId message, core::UserId user,
                            std::string custom_id);
  // A member runs a slash command: `data` is the interaction's data ({"name":..,"options":[..]}).
  std::uint64_t RunCommand(core::ChannelId channel, core::UserId user, nlohmann::json data);
  std::optional<World::InteractionState> Interaction(std::uint64_t id);

  // --- the HTTP interactions mode (options.interactions_url) ---
  std::string interactions_public_key() const;  // hex, for the bot's configuration
  // What the endpoint answered to each interaction delivered so far, in order.
  std::vector<EndpointAnswer> EndpointAnswers();
  // Sends a PING (type 1), signed, or `raw` with a corrupted signature, and waits for the answer.
  EndpointAnswer PingEndpoint();
  EndpointAnswer SendWithBadSignature(std::string raw_body);

  // --- faults ---
  void DropConnections();
  void CloseConnections(int code);
  void SendReconnect();
  void SendInvalidSession(bool resumable);
  void SendHeartbeatRequest();
  void SetAcking(bool ack);
  void Inject429(Injected429 rule);

  // --- observations ---
  std::vector<RecordedCall> Calls();
  GatewayStats gateway_stats();
  int earned_429s();  // 429s the client ran into by not waiting
  int injected_429s();
  int invalid_requests();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  SimulatorOptions options_;
  core::UserId bot_;
  std::uint64_t application_id_ = 0;
};

}  // namespace sim

#include "sim/simulator.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <thread>

#include "net/http_client.h"
#include "net/http_server.h"
#include "sim/interactions_http.h"

namespace sim {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;
namespace perm = discord::permission;

}  // namespace

struct Simulator::Impl {
  Impl(const SimulatorOptions& options, const core::Clock& clock, core::UserId bot,
       std::uint64_t app)
      : world(clock, bot, app),
        limits(clock, options.rate_limits),
        gateway(io.get_executor(), world, options.token, options.gateway),
        rest(
            world, limits, options.token,
            [this, shards = options.recommended_shards,
             concurrency = options.gateway.max_concurrency] {
              return json{{"url", GatewayUrl()},
                          {"shards", shards},
                          {"session_start_limit",
                           {{"total", 1000},
                            {"remaining", 1000 - gateway.stats().identifies},
                            {"reset_after", 14'400'000},
                            {"max_concurrency", concurrency}}}};
            },
            [this](std::vector<Dispatch> d) { Send(d); }) {
    interactions_url = options.interactions_url;
  }

  std::string GatewayUrl() const {
    return "ws://127.0.0.1:" + std::to_string(main ? main->port() : 0);
  }

  template <typename T>
  T Run(const std::function<T()>& f) {
    std::packaged_task<T()> task(f);
    auto result = task.get_future();
    asio::post(io, [&task] { task(); });
    return result.get();
  }

  // Posts one signed interaction body to the endpoint; the answer, also applied as the
  // interaction's callback when it is one.
  asio::awaitable<EndpointAnswer> Deliver(std::string body, bool corrupt, std::uint64_t id,
                                          std::string token) {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(world.clock().Now().time_since_epoch());
    const std::string timestamp = std::to_string(now.count());
    std::string signature = signer.Sign(timestamp, body);
    if (corrupt) signature[0] = signature[0] == '0' ? '1' : '0';
    net::HttpRequest request;
    request.method = "POST";
    request.url = interactions_url;
    request.headers = {{"Content-Type", "application/json"},
                       {"User-Agent", "Discord-Interactions/1.0 (+https://discord.com)"},
                       {"X-Signature-Ed25519", signature},
                       {"X-Signature-Timestamp", timestamp}};
    request.body = std::move(body);
    auto sent = co_await http.Send(std::move(request), std::chrono::seconds(3));
    EndpointAnswer answer;
    if (sent) {
      answer = EndpointAnswer{sent->status, sent->body};
      if (id != 0 && sent->status == 200) {
        const json response = json::parse(sent->body, nullptr, /*allow_exceptions=*/false);
        Answer applied = world.InteractionCallback(std::to_string(id), token, response);
        if (applied.status < 300) gateway.Dispatch(applied.dispatches);
      }
    }
    if (id != 0) endpoint_answers.push_back(answer);
    co_return answer;
  }

  // Dispatches to the gateway, or interactions to the endpoint in HTTP mode.
  void Send(const std::vector<Dispatch>& dispatches) {
    std::vector<Dispatch> rest;
    for (const Dispatch& d : dispatches) {
      if (!interactions_url.empty() && d.event == "INTERACTION_CREATE") {
        const std::uint64_t id = std::stoull(d.data["id"].get<std::string>());
        asio::co_spawn(io, Deliver(d.data.dump(), false, id, d.data["token"].get<std::string>()),
                       asio::detached);
      } else {
        rest.push_back(d);
      }
    }
    if (!rest.empty()) gateway.Dispatch(rest);
  }

  asio::io_context io;
  std::string interactions_url;
  InteractionSigner signer;
  net::HttpClient http{io.get_executor()};
  std::vector<EndpointAnswer> endpoint_answers;
  World world;
  RateLimits limits;
  Gateway gateway;
  RestApi rest;
  std::unique_ptr<net::HttpServer> main;
  std::unique_ptr<net::HttpServer> resume;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
};

Simulator::Simulator(SimulatorOptions options, const core::Clock& clock)
    : options_(std::move(options)) {
  bot_ = core::UserId::CreatedAtTime(clock.Now() - std::chrono::days(400), 1);
  application_id_ = bot_.value();  // Discord's bots share their application's id
  impl_ = std::make_unique<Impl>(options_, clock, bot_, application_id_);
}

Simulator::~Simulator() { Stop(); }

core::Result<void> Simulator::Start() {
  Impl& m = *impl_;
  const auto on_request = [&m](net::ServerRequest r) -> asio::awaitable<net::HttpResponse> {
    co_return m.rest.Handle(r);
  };
  const auto upgrade = [&m](bool resume) {
    return [&m, resume](net::ServerRequest r,
                        std::unique_ptr<net::ServerWebSocket> ws) -> asio::awaitable<void> {
      co_await m.gateway.Serve(std::move(r), std::move(ws), resume);
    };
  };
  net::HttpServerOptions main_options{.address = options_.address, .port = options_.port};
  m.main = std::make_unique<net::HttpServer>(m.io.get_executor(), main_options, on_request,
                                             upgrade(false));
  if (auto ok = m.main->Listen(); !ok) return ok;
  m.resume = std::make_unique<net::HttpServer>(m.io.get_executor(),
                                               net::HttpServerOptions{.address = options_.address},
                                               on_request, upgrade(true));
  if (auto ok = m.resume->Listen(); !ok) return ok;
  m.gateway.set_resume_url("ws://127.0.0.1:" + std::to_string(m.resume->port()));
  m.guard.emplace(m.io.get_executor());
  m.thread = std::thread([&m] { m.io.run(); });
  return {};
}

void Simulator::Stop() {
  Impl& m = *impl_;
  if (!m.thread.joinable()) return;
  m.Run<int>([&m] {
    m.gateway.StopAll();
    if (m.main) m.main->Stop();
    if (m.resume) m.resume->Stop();
    return 0;
  });
  m.guard.reset();
  // Connections wind down on their own now; bound the wait so a stuck one cannot hang a test.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!m.io.stopped() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  m.io.stop();
  m.thread.join();
}

std::string Simulator::api_base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->main ? impl_->main->port() : 0) + "/api/v10";
}

std::string Simulator::gateway_url() const { return impl_->GatewayUrl(); }

void Simulator::With(const std::function<void(World&)>& f) {
  Impl& m = *impl_;
  m.Run<int>([&] {
    f(m.world);
    return 0;
  });
}

Answer Simulator::Act(const std::function<Answer(World&)>& f) {
  Impl& m = *impl_;
  return m.Run<Answer>([&] {
    Answer a = f(m.world);
    if (a.status < 300 && !a.dispatches.empty()) m.Send(a.dispatches);
    return a;
  });
}

StandardGuild Simulator::AddStandardGuild(std::string name) {
  StandardGuild out;
  With([&](World& w) {
    User& owner = w.AddUser(name + "-owner", false, true, w.clock().Now() - std::chrono::days(900));
    Guild& g = w.AddGuild(std::move(name), owner.id);
    out.guild = g.id;
    out.owner = owner.id;
    out.above_bot_role = w.AddRole(g, "Admins", 20, perm::kAdministrator);
    out.bot_role =
        w.AddRole(g, "antispam", 10,
                  perm::kKickMembers | perm::kBanMembers | perm::kManageChannels |
                      perm::kManageRoles | perm::kManageMessages | perm::kManageThreads |
                      perm::kCreatePrivateThreads | perm::kCreatePublicThreads |
                      perm::kSendMessagesInThreads | perm::kModerateMembers | perm::kViewChannel |
                      perm::kSendMessages | perm::kReadMessageHistory | perm::kViewAuditLog,
                  /*managed=*/true);
    out.moderator_role = w.AddRole(
        g, "Moderators", 5,
        perm::kKickMembers | perm::kBanMembers | perm::kModerateMembers | perm::kManageMessages);
    out.restricted_role = w.AddRole(g, "Restricted", 1, 0);
    g.members[w.bot().value()] =
        Member{w.bot(), {out.bot_role}, std::nullopt, w.clock().Now(), std::nullopt};
    out.general = w.AddChannel(g, "general").id;
    const std::uint64_t everyone = g.id.value();
    out.admin =
        w.AddChannel(
             g, "admin", 0,
             {discord::Overwrite{everyone, discord::Overwrite::Type::kRole, 0, perm::kViewChannel},
              discord::Overwrite{out.moderator_role.value(), discord::Overwrite::Type::kRole,
                                 perm::kViewChannel, 0},
              discord::Overwrite{out.bot_role.value(), discord::Overwrite::Type::kRole,
                                 perm::kViewChannel, 0}})
            .id;
    out.verification =
        w.AddChannel(
             g, "verification", 0,
             {discord::Overwrite{everyone, discord::Overwrite::Type::kRole, 0, perm::kViewChannel},
              discord::Overwrite{out.restricted_role.value(), discord::Overwrite::Type::kRole,
                                 perm::kViewChannel | perm::kSendMessagesInThreads, 0},
              discord::Overwrite{out.bot_role.value(), discord::Overwrite::Type::kRole,
                                 perm::kViewChannel, 0}})
            .id;
  });
  return out;
}

core::UserId Simulator::AddUser(std::string username, std::optional<core::Timestamp> created,
                                bool avatar) {
  core::UserId id;
  With([&](World& w) { id = w.AddUser(std::move(username), false, avatar, created).id; });
  return id;
}

void Simulator::Join(core::GuildId guild, core::UserId user, std::vector<core::RoleId> roles) {
  Act([&](World& w) {
    Guild* g = w.FindGuild(guild.value());
    if (g == nullptr) return Answer::Error(404, 10004, "Unknown Guild");
    return w.Join(*g, user, std::move(roles));
  });
}

std::optional<core::MessageId> Simulator::Post(core::ChannelId channel, core::UserId author,
                                               std::string content) {
  const Answer a = Act([&](World& w) { return w.Post(channel, author, std::move(content)); });
  if (a.status >= 300) return std::nullopt;
  return core::MessageId(std::stoull(json::parse(a.body)["id"].get<std::string>()));
}

std::uint64_t Simulator::ClickButton(core::ChannelId channel, core::MessageId message,
                                     core::UserId user, std::string custom_id) {
  const Answer a = Act([&](World& w) {
    return w.CreateInteraction(channel, user, 3,
                               json{{"custom_id", std::move(custom_id)}, {"component_type", 2}},
                               message);
  });
  if (a.status >= 300) return 0;
  return std::stoull(json::parse(a.body)["id"].get<std::string>());
}

std::uint64_t Simulator::RunCommand(core::ChannelId channel, core::UserId user, json data) {
  const Answer a = Act([&](World& w) {
    if (!data.contains("type")) data["type"] = 1;
    if (!data.contains("id")) data["id"] = std::to_string(w.NewId());
    return w.CreateInteraction(channel, user, 2, std::move(data));
  });
  if (a.status >= 300) return 0;
  return std::stoull(json::parse(a.body)["id"].get<std::string>());
}

std::optional<World::InteractionState> Simulator::Interaction(std::uint64_t id) {
  std::optional<World::InteractionState> out;
  With([&](World& w) {
    if (const auto* s = w.FindInteraction(id)) out = *s;
  });
  return out;
}

std::string Simulator::interactions_public_key() const { return impl_->signer.public_key_hex(); }

std::vector<EndpointAnswer> Simulator::EndpointAnswers() {
  return impl_->Run<std::vector<EndpointAnswer>>([this] { return impl_->endpoint_answers; });
}

EndpointAnswer Simulator::PingEndpoint() {
  Impl& m = *impl_;
  const std::string body = json{
      {"id", std::to_string(application_id_ + 1)},
      {"application_id", std::to_string(application_id_)},
      {"type", 1},
      {"token", "ping"},
      {"version", 1}}.dump();
  auto answer = asio::co_spawn(m.io, m.Deliver(body, false, 0, ""), asio::use_future);
  return answer.get();
}

EndpointAnswer Simulator::SendWithBadSignature(std::string raw_body) {
  Impl& m = *impl_;
  auto answer = asio::co_spawn(m.io, m.Deliver(std::move(raw_body), true, 0, ""), asio::use_future);
  return answer.get();
}

void Simulator::DropConnections() {
  impl_->Run<int>([this] {
    impl_->gateway.DropConnections();
    return 0;
  });
}

void Simulator::CloseConnections(int code) {
  impl_->Run<int>([this, code] {
    impl_->gateway.CloseConnections(code);
    return 0;
  });
}

void Simulator::SendReconnect() {
  impl_->Run<int>([this] {
    impl_->gateway.SendReconnect();
    return 0;
  });
}

void Simulator::SendInvalidSession(bool resumable) {
  impl_->Run<int>([this, resumable] {
    impl_->gateway.SendInvalidSession(resumable);
    return 0;
  });
}

void Simulator::SendHeartbeatRequest() {
  impl_->Run<int>([this] {
    impl_->gateway.SendHeartbeatRequest();
    return 0;
  });
}

void Simulator::SetAcking(bool ack) {
  impl_->Run<int>([this, ack] {
    impl_->gateway.SetAcking(ack);
    return 0;
  });
}

void Simulator::Inject429(Injected429 rule) {
  impl_->Run<int>([this, &rule] {
    impl_->limits.Inject(std::move(rule));
    return 0;
  });
}

std::vector<RecordedCall> Simulator::Calls() {
  return impl_->Run<std::vector<RecordedCall>>([this] { return impl_->rest.calls(); });
}

GatewayStats Simulator::gateway_stats() {
  return impl_->Run<GatewayStats>([this] { return impl_->gateway.stats(); });
}

int Simulator::earned_429s() {
  return impl_->Run<int>([this] { return impl_->limits.earned_429s(); });
}

int Simulator::injected_429s() {
  return impl_->Run<int>([this] { return impl_->limits.injected_429s(); });
}

int Simulator::invalid_requests() {
  return impl_->Run<int>([this] { return impl_->rest.invalid_requests(); });
}

}  // namespace sim

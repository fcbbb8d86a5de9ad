#include "app/runtime.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "bot/commands.h"
#include "discord/gateway/dispatch.h"
#include "discord/gateway/shard_manager.h"
#include "discord/interactions/responder.h"
#include "discord/interactions/router.h"
#include "discord/rest/client.h"
#include "net/http_client.h"
#include "store/pg/listener.h"
#include "store/pg/server_repo.h"

namespace app {

namespace asio = boost::asio;

struct Runtime::Impl {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread io_thread;
  std::unique_ptr<asio::thread_pool> db;
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<discord::rest::Client> rest;
  std::unique_ptr<detect::llm::Client> llm;
  std::unique_ptr<store::pg::ServerRepo> servers;
  std::unique_ptr<discord::gateway::Dispatcher> dispatcher;
  std::unique_ptr<discord::gateway::ShardManager> shards;
  std::unique_ptr<store::pg::Listener> listener;
  std::unique_ptr<discord::interactions::RestResponder> responder;
  std::unique_ptr<discord::interactions::Router> router;
  std::unique_ptr<bot::Commands> commands;
  bool commands_registered = false;
  std::future<core::Result<void>> shards_done;
  bool stopped = false;
};

core::Result<std::unique_ptr<Runtime>> Runtime::Start(store::pg::Pool& pool,
                                                      RuntimeOptions options) {
  const DiscordConfig& d = options.discord;
  auto intents = CheckDiscordConfig(d);
  if (!intents) return std::unexpected(intents.error());

  std::unique_ptr<Runtime> rt(new Runtime());
  rt->impl_ = std::make_unique<Impl>();
  Impl& im = *rt->impl_;
  im.db = std::make_unique<asio::thread_pool>(static_cast<std::size_t>(options.db_threads));
  im.http = std::make_unique<net::HttpClient>(
      im.io.get_executor(), net::HttpClientOptions{.max_idle_per_host = 64,
                                                   .on_written = options.on_request_written});
  im.rest = std::make_unique<discord::rest::Client>(
      im.io.get_executor(), *im.http, core::DefaultClock(),
      discord::rest::ClientOptions{.api_base_url = d.api_base_url, .token = d.token});
  im.servers = std::make_unique<store::pg::ServerRepo>(pool, core::DefaultClock());
  rt->config_ = std::make_unique<bot::ConfigService>(*im.servers, options.config);
  if (options.llm) {
    if (auto valid = options.llm->Validate(); !valid) return std::unexpected(valid.error());
    im.llm = std::make_unique<detect::llm::Client>(*options.llm, *im.http, core::DefaultClock());
  }
  rt->moderator_ =
      std::make_unique<bot::Moderator>(bot::Moderator::Deps{.io = im.io.get_executor(),
                                                            .rest = *im.rest,
                                                            .pool = pool,
                                                            .db = *im.db,
                                                            .config = *rt->config_,
                                                            .clock = core::DefaultClock(),
                                                            .llm = im.llm.get()},
                                       options.moderator);
  bot::Moderator* moderator = rt->moderator_.get();
  asio::io_context* io = &im.io;
  rt->config_->OnChanged([io, moderator](const bot::ConfigService::Config& c) {
    asio::post(*io, [moderator, c] { moderator->ApplyConfig(c); });
  });
  im.io_thread = std::thread([io] { io->run(); });

  auto gateway_bot = asio::co_spawn(im.io, im.rest->GetGatewayBot(), asio::use_future);
  if (gateway_bot.wait_for(options.connect_timeout) != std::future_status::ready) {
    return core::Fail(
        core::ErrorCode::kTimeout,
        fmt::format("GET /gateway/bot did not answer in {} s", options.connect_timeout.count()));
  }
  auto gb = gateway_bot.get();
  if (!gb) return std::unexpected(gb.error());
  const int count = d.shard_count > 0 ? d.shard_count : std::max(1, gb->shards);
  auto range = discord::gateway::ShardRange::Parse(d.shards, count);
  if (!range) return std::unexpected(range.error());

  if (!options.listen_url.empty()) {
    bot::ConfigService* config = rt->config_.get();
    auto listener = store::pg::Listener::Create(
        {.url = options.listen_url, .channel = std::string(store::pg::kServerConfigChannel)},
        {.on_notify =
             [config](std::string_view payload) {
               auto guild = core::GuildId::Parse(payload);
               if (!guild) return;
               // Only guilds this process serves are cached; others are not loaded.
               if (config->Cached(*guild) == nullptr) return;
               if (auto r = config->Reload(*guild); !r) {
                 spdlog::warn("config: reloading guild {} failed: {}", guild->value(),
                              r.error().ToString());
               }
             },
         .on_resync = [config] { config->ReloadAll(); }});
    if (!listener) return std::unexpected(listener.error());
    im.listener = std::move(*listener);
    im.listener->Start();
  }

  discord::gateway::ManagerConfig mc;
  mc.token = d.token;
  mc.intents = *intents;
  mc.gateway_url = gb->url;
  mc.shard_count = count;
  mc.shards = *range;
  mc.max_concurrency = std::max(1, gb->session_start_limit.max_concurrency);
  mc.on_frame = options.on_gateway_frame;
  im.responder = std::make_unique<discord::interactions::RestResponder>(*im.rest);
  im.router = std::make_unique<discord::interactions::Router>(*im.responder, core::DefaultClock());
  im.commands = std::make_unique<bot::Commands>(*moderator, *rt->config_, *im.rest, *im.db);
  im.commands->Register(*im.router);
  discord::gateway::EventHandlers handlers = moderator->Handlers();
  Impl* impl = &im;
  handlers.ready = [moderator, impl](const discord::Ready& ready) {
    moderator->OnReady(ready);
    if (impl->commands_registered || !ready.application_id) return;
    impl->commands_registered = true;
    impl->rest->SetApplicationId(ready.application_id->ToString());
    asio::co_spawn(
        impl->io,
        [](Impl* impl) -> asio::awaitable<void> {
          const auto definitions = bot::CommandDefinitions();
          auto registered = co_await impl->rest->BulkOverwriteGlobalCommands(definitions);
          if (registered) {
            spdlog::info("{} slash commands registered", registered->size());
          } else {
            spdlog::error("registering the slash commands failed: {}",
                          registered.error().ToString());
          }
        }(impl),
        asio::detached);
  };
  handlers.interaction_create = [impl](const discord::InteractionCreate& event) {
    const auto arrival = core::DefaultClock().Steady();
    asio::co_spawn(
        impl->io,
        [](Impl* impl, discord::Interaction interaction,
           std::chrono::steady_clock::time_point arrival) -> asio::awaitable<void> {
          const discord::Interaction copy = interaction;
          auto outcome = co_await impl->router->Dispatch(std::move(interaction), arrival);
          using Status = discord::interactions::Outcome::Status;
          if (outcome.status == Status::kRefused) {
            impl->commands->Refused(copy, outcome.route, outcome.missing);
          } else if (outcome.status == Status::kHandlerFailed && outcome.error) {
            spdlog::info("interaction \"{}\" refused: {}", outcome.route,
                         outcome.error->ToString());
          }
          if (outcome.response_error) {
            spdlog::warn("interaction \"{}\": answering failed: {}", outcome.route,
                         outcome.response_error->ToString());
          }
        }(impl, event.interaction, arrival),
        asio::detached);
  };
  im.dispatcher = std::make_unique<discord::gateway::Dispatcher>(std::move(handlers));
  discord::gateway::Dispatcher* dispatcher = im.dispatcher.get();
  im.shards = std::make_unique<discord::gateway::ShardManager>(
      im.io.get_executor(), mc, core::DefaultClock(),
      [dispatcher](int, const discord::GatewayPayload& p) { dispatcher->Dispatch(p); });
  asio::post(im.io, [moderator] { moderator->Start(); });
  im.shards_done = asio::co_spawn(im.io, im.shards->Run(), asio::use_future);
  spdlog::info("running shards {}-{} of {} against {}", range->first, range->last, count,
               d.api_base_url);
  return rt;
}

Runtime::~Runtime() {
  if (impl_ && !impl_->stopped) Stop(std::chrono::seconds(2));
}

bool Runtime::Ended() const {
  return impl_->shards_done.valid() &&
         impl_->shards_done.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

void Runtime::OnIo(const std::function<void()>& f) {
  std::promise<void> done;
  asio::post(impl_->io, [&] {
    f();
    done.set_value();
  });
  done.get_future().wait();
}

core::Result<void> Runtime::Flush() {
  auto f = asio::co_spawn(impl_->io, moderator_->Flush(), asio::use_future);
  return f.get();
}

core::Result<void> Runtime::Stop(std::chrono::milliseconds grace) {
  Impl& im = *impl_;
  if (im.stopped) return {};
  im.stopped = true;
  if (im.listener) im.listener->Stop();
  core::Result<void> result;
  if (im.io_thread.joinable()) {
    // Close the shards first (no new events are taken and acknowledged), then let the workflows
    // in flight finish and write the last counters.
    if (im.shards) {
      asio::post(im.io, [&im] { im.shards->Stop(); });
      if (im.shards_done.valid()) {
        if (im.shards_done.wait_for(std::chrono::seconds(10)) == std::future_status::ready) {
          result = im.shards_done.get();
        } else {
          spdlog::warn("the shards did not close within 10 s; leaving anyway");
        }
      }
    }
    auto drained = asio::co_spawn(im.io, moderator_->Shutdown(grace), asio::use_future);
    drained.wait_for(grace + std::chrono::seconds(5));
    im.work.reset();
    im.io.stop();
    im.io_thread.join();
  }
  if (im.db) im.db->join();
  return result;
}

}  // namespace app

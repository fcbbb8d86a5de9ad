// The gateway shard against the Discord simulator over real sockets (issue 4 acceptance):
// Identify -> READY and GUILD_CREATE; 1,000 events across 5 forced disconnects, each received once
// and in order through Resume (on the resume URL, zlib-stream split across frames); op 9 d=false ->
// a fresh Identify; a stalled ACK caught within two heartbeat intervals, then Resume; fatal 4004
// and 4014 -> a clear error and no reconnect loop.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/testing/wait_for.h"
#include "discord/gateway/shard.h"
#include "discord/gateway/shard_manager.h"
#include "sim/simulator.h"

namespace discord::gateway {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

using core::testing::WaitFor;

// A shard running on its own thread against a simulator, recording what it receives.
class RunningShard {
 public:
  RunningShard(const sim::Simulator& simulator, std::string token = {}) {
    ShardConfig config;
    config.token = token.empty() ? simulator.token() : token;
    config.gateway_url = simulator.gateway_url() + "/?v=10&encoding=json&compress=zlib-stream";
    config.on_frame = [this](std::string_view text, std::chrono::steady_clock::time_point) {
      std::lock_guard lock(mu_);
      ++frames_;
      if (!text.starts_with('{')) ++frames_not_json_;
    };
    shard_ = std::make_unique<Shard>(
        io_.get_executor(), config, core::DefaultClock(),
        [this](const GatewayPayload& p) { Record(p); }, 7);
    result_ = asio::co_spawn(io_, shard_->Run(), asio::use_future);
    thread_ = std::thread([this] { io_.run_for(60s); });
  }
  ~RunningShard() { Stop(); }

  // Stops the shard and returns what Run returned (an error after a fatal close).
  core::Result<void> Stop() {
    if (thread_.joinable()) {
      asio::post(io_, [this] { shard_->Stop(); });
      if (result_.wait_for(10s) != std::future_status::ready) io_.stop();
      thread_.join();
    }
    if (!finished_) {
      finished_ = true;
      outcome_ = result_.wait_for(0s) == std::future_status::ready
                     ? result_.get()
                     : core::Fail(core::ErrorCode::kTimeout, "the shard did not stop");
    }
    return outcome_;
  }
  // Waits for Run to end by itself (a fatal close).
  bool Finished(std::chrono::milliseconds limit) {
    return result_.wait_for(limit) == std::future_status::ready;
  }

  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::vector<std::string> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }
  std::vector<std::int64_t> sequences() {
    std::lock_guard lock(mu_);
    return sequences_;
  }
  int count(std::string_view event) {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count(events_.begin(), events_.end(), event));
  }
  int unavailable() {
    std::lock_guard lock(mu_);
    return unavailable_;
  }
  // Payloads the frame hook saw (inflated), and how many of them were not JSON text.
  std::pair<int, int> frames() {
    std::lock_guard lock(mu_);
    return {frames_, frames_not_json_};
  }
  std::string session_id() {
    std::lock_guard lock(mu_);
    return session_id_;
  }
  int connections() {
    std::promise<int> p;
    asio::post(io_, [&] { p.set_value(shard_->connections()); });
    auto f = p.get_future();
    return f.wait_for(5s) == std::future_status::ready ? f.get() : -1;
  }

 private:
  void Record(const GatewayPayload& p) {
    std::lock_guard lock(mu_);
    events_.push_back(p.event);
    if (p.sequence) sequences_.push_back(*p.sequence);
    if (const auto* m = std::get_if<Message>(&p.data)) messages_.push_back(m->content);
    if (const auto* r = std::get_if<Ready>(&p.data)) session_id_ = r->session_id;
    if (const auto* g = std::get_if<GuildCreate>(&p.data); g && g->guild.unavailable) {
      ++unavailable_;
    }
  }

  asio::io_context io_;
  std::unique_ptr<Shard> shard_;
  std::future<core::Result<void>> result_;
  std::thread thread_;
  bool finished_ = false;
  core::Result<void> outcome_;
  std::mutex mu_;
  std::vector<std::string> events_;
  std::vector<std::string> messages_;
  std::vector<std::int64_t> sequences_;
  std::string session_id_;
  int unavailable_ = 0;
  int frames_ = 0;
  int frames_not_json_ = 0;
};

sim::SimulatorOptions Options() {
  sim::SimulatorOptions o;
  o.gateway.heartbeat_interval = 1000ms;
  o.gateway.identify_spacing = 0ms;
  return o;
}

TEST(ShardSimTest, IdentifyGetsReadyAndAGuildCreatePerGuild) {
  sim::SimulatorOptions options = Options();
  options.gateway.unavailable_first = 1;  // one guild in an outage first, then available
  sim::Simulator simulator(options);
  ASSERT_TRUE(simulator.Start().has_value());
  simulator.AddStandardGuild("first");
  simulator.AddStandardGuild("second");
  RunningShard shard(simulator);
  ASSERT_TRUE(WaitFor([&] { return shard.count("GUILD_CREATE") == 3; }));
  EXPECT_EQ(shard.unavailable(), 1);
  const auto events = shard.events();
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[0], "READY");
  EXPECT_FALSE(shard.session_id().empty());
  EXPECT_EQ(shard.sequences().front(), 1);
  // The measurement hook saw every payload inflated, Hello included, before its dispatch.
  const auto [frames, not_json] = shard.frames();
  EXPECT_GE(frames, static_cast<int>(events.size()) + 1);
  EXPECT_EQ(not_json, 0);
  EXPECT_TRUE(shard.Stop().has_value());
  EXPECT_EQ(simulator.gateway_stats().identifies, 1);
}

TEST(ShardSimTest, AThousandEventsArriveOnceInOrderThroughFiveForcedDisconnects) {
  sim::SimulatorOptions options = Options();
  options.gateway.split_every = 7;  // some payloads arrive in two WebSocket messages
  sim::Simulator simulator(options);
  ASSERT_TRUE(simulator.Start().has_value());
  const sim::StandardGuild g = simulator.AddStandardGuild("busy");
  const core::UserId user = simulator.AddUser("chatter");
  simulator.Join(g.guild, user);
  RunningShard shard(simulator);
  ASSERT_TRUE(WaitFor([&] { return shard.count("GUILD_CREATE") == 1; }));

  constexpr int kEvents = 1000;
  int drops = 0;
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(simulator.Post(g.general, user, "message " + std::to_string(i)).has_value());
    if (i % 200 == 100) {
      // Each drop hits a live, resumed connection; events posted meanwhile wait in the replay.
      ASSERT_TRUE(WaitFor([&] { return simulator.gateway_stats().resumes == drops; }));
      simulator.DropConnections();
      ++drops;
    }
  }
  ASSERT_EQ(drops, 5);
  ASSERT_TRUE(WaitFor([&] { return shard.messages().size() >= kEvents; }, 30s))
      << shard.messages().size() << " of " << kEvents;
  ASSERT_TRUE(shard.Stop().has_value());

  const auto messages = shard.messages();
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(kEvents));
  for (int i = 0; i < kEvents; ++i) ASSERT_EQ(messages[i], "message " + std::to_string(i)) << i;
  const auto seq = shard.sequences();
  for (std::size_t i = 1; i < seq.size(); ++i) ASSERT_EQ(seq[i], seq[i - 1] + 1) << i;
  const sim::GatewayStats stats = simulator.gateway_stats();
  EXPECT_EQ(stats.identifies, 1);
  EXPECT_EQ(stats.resumes, 5);
  EXPECT_EQ(stats.resumes_on_resume_url, 5);  // READY's resume_gateway_url was used
  EXPECT_EQ(shard.count("RESUMED"), 5);
}

TEST(ShardSimTest, InvalidSessionFalseStartsAFreshSession) {
  sim::SimulatorOptions options = Options();
  options.gateway.identify_spacing = 5000ms;  // Discord's: the new Identify must wait for it
  sim::Simulator simulator(options);
  ASSERT_TRUE(simulator.Start().has_value());
  simulator.AddStandardGuild("g");
  RunningShard shard(simulator);
  ASSERT_TRUE(WaitFor([&] { return shard.count("READY") == 1; }));
  const std::string first = shard.session_id();
  simulator.SendInvalidSession(false);
  ASSERT_TRUE(WaitFor([&] { return shard.count("READY") == 2; }))  // after a 1-5 s wait
      << simulator.gateway_stats().connections << " connections, " << shard.connections()
      << " by the shard, " << simulator.gateway_stats().identifies << " identifies";
  EXPECT_NE(shard.session_id(), first);
  EXPECT_EQ(simulator.gateway_stats().identifies, 2);
  EXPECT_EQ(simulator.gateway_stats().resumes, 0);
  EXPECT_EQ(simulator.gateway_stats().invalid_sessions, 1);  // ours; none for an early Identify
  EXPECT_TRUE(shard.Stop().has_value());
}

TEST(ShardSimTest, InvalidSessionTrueAndReconnectResume) {
  sim::Simulator simulator(Options());
  ASSERT_TRUE(simulator.Start().has_value());
  simulator.AddStandardGuild("g");
  RunningShard shard(simulator);
  ASSERT_TRUE(WaitFor([&] { return shard.count("READY") == 1; }));
  simulator.SendReconnect();  // op 7
  ASSERT_TRUE(WaitFor([&] { return shard.count("RESUMED") == 1; }));
  simulator.SendInvalidSession(true);  // op 9 d=true
  ASSERT_TRUE(WaitFor([&] { return shard.count("RESUMED") == 2; }));
  EXPECT_EQ(simulator.gateway_stats().identifies, 1);
  EXPECT_EQ(shard.count("READY"), 1);
  EXPECT_TRUE(shard.Stop().has_value());
}

TEST(ShardSimTest, AStalledAckIsCaughtWithinTwoHeartbeatIntervalsAndTheShardResumes) {
  sim::SimulatorOptions options = Options();
  options.gateway.heartbeat_interval = 400ms;
  sim::Simulator simulator(options);
  ASSERT_TRUE(simulator.Start().has_value());
  simulator.AddStandardGuild("g");
  RunningShard shard(simulator);
  ASSERT_TRUE(WaitFor([&] { return shard.count("READY") == 1; }));
  std::this_thread::sleep_for(500ms);  // heartbeating has begun
  simulator.SetAcking(false);
  const auto stalled = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor([&] { return simulator.gateway_stats().connections == 2; }, 5s));
  const auto caught = std::chrono::steady_clock::now() - stalled;
  simulator.SetAcking(true);
  ASSERT_TRUE(WaitFor([&] { return shard.count("RESUMED") == 1; }));
  // Two intervals, plus the new connection's setup on a busy machine.
  EXPECT_LT(caught, 2 * 400ms + 400ms)
      << std::chrono::duration_cast<std::chrono::milliseconds>(caught).count() << " ms";
  EXPECT_EQ(simulator.gateway_stats().resumes, 1);
  EXPECT_TRUE(shard.Stop().has_value());
}

TEST(ShardSimTest, ABadTokenStopsWithAClearErrorAndNoReconnectLoop) {
  sim::Simulator simulator(Options());
  ASSERT_TRUE(simulator.Start().has_value());
  RunningShard shard(simulator, "not-the-token");
  ASSERT_TRUE(shard.Finished(10s)) << "the shard kept reconnecting";
  const auto result = shard.Stop();
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("token"), std::string::npos) << result.error().message;
  EXPECT_EQ(simulator.gateway_stats().connections, 1);
  EXPECT_EQ(simulator.gateway_stats().closes_sent, std::vector<int>{4004});
}

TEST(ShardSimTest, DisallowedIntentsStopWithAClearErrorAndNoReconnectLoop) {
  sim::SimulatorOptions options = Options();
  options.gateway.privileged_enabled = 0;  // Message Content not switched on in the portal
  sim::Simulator simulator(options);
  ASSERT_TRUE(simulator.Start().has_value());
  RunningShard shard(simulator);
  ASSERT_TRUE(shard.Finished(10s)) << "the shard kept reconnecting";
  const auto result = shard.Stop();
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("Developer Portal"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(simulator.gateway_stats().connections, 1);
  EXPECT_EQ(simulator.gateway_stats().closes_sent, std::vector<int>{4014});
}

}  // namespace
}  // namespace discord::gateway

namespace discord::gateway {
namespace {

TEST(ShardManagerSimTest, TwoShardsIdentifyFiveSecondsApartAndSplitTheGuilds) {
  sim::SimulatorOptions options;
  options.gateway.heartbeat_interval = 1000ms;  // identify spacing stays Discord's 5 s
  sim::Simulator simulator(options);
  ASSERT_TRUE(simulator.Start().has_value());
  std::vector<core::GuildId> guilds;
  std::set<int> homes;  // a guild's shard comes from its id's creation millisecond
  while (guilds.size() < 6 || homes.size() < 2) {
    guilds.push_back(simulator.AddStandardGuild("g").guild);
    homes.insert(static_cast<int>((guilds.back().value() >> 22) % 2));
    std::this_thread::sleep_for(1ms);
  }

  ManagerConfig config;
  config.token = simulator.token();
  config.gateway_url = simulator.gateway_url();
  config.shard_count = 2;
  config.shards = *ShardRange::Parse("0-1", 2);
  config.max_concurrency = 1;
  std::mutex mu;
  std::map<std::uint64_t, int> guild_shard;  // from each GUILD_CREATE
  std::vector<std::chrono::steady_clock::time_point> readies;
  asio::io_context io;
  ShardManager manager(io.get_executor(), config, core::DefaultClock(),
                       [&](int shard, const GatewayPayload& p) {
                         std::lock_guard lock(mu);
                         if (p.event == "READY")
                           readies.push_back(std::chrono::steady_clock::now());
                         if (const auto* g = std::get_if<GuildCreate>(&p.data)) {
                           guild_shard[g->guild.id.value()] = shard;
                         }
                       });
  auto result = asio::co_spawn(io, manager.Run(), asio::use_future);
  std::thread thread([&] { io.run_for(30s); });
  const bool all = WaitFor(
      [&] {
        std::lock_guard lock(mu);
        return guild_shard.size() == guilds.size() && readies.size() == 2;
      },
      20s);
  asio::post(io, [&] { manager.Stop(); });
  thread.join();
  ASSERT_TRUE(all);
  ASSERT_EQ(result.wait_for(0s), std::future_status::ready);
  EXPECT_TRUE(result.get().has_value());
  for (core::GuildId g : guilds) {
    EXPECT_EQ(guild_shard[g.value()], static_cast<int>((g.value() >> 22) % 2)) << g.value();
  }
  ASSERT_EQ(readies.size(), 2u);
  EXPECT_GE(readies[1] - readies[0], 5000ms);  // one Identify per 5 s with max_concurrency 1
  EXPECT_EQ(simulator.gateway_stats().invalid_sessions, 0);  // never identified too early
  EXPECT_EQ(simulator.gateway_stats().identifies, 2);
}

}  // namespace
}  // namespace discord::gateway

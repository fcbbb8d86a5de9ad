#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "discord/gateway/shard.h"
#include "net/testing/scripted_websocket_server.h"

namespace discord::gateway {
namespace {

using namespace std::chrono_literals;
using net::testing::ScriptedWebSocketServer;
using net::testing::ServerSide;
namespace asio = boost::asio;

std::string Dispatch(std::int64_t seq) {
  return nlohmann::json{{"op", 0}, {"s", seq}, {"t", "TYPING_START"}, {"d", {{"n", seq}}}}.dump();
}

// A small gateway: Hello, then READY for an Identify (RESUMED for a Resume, replaying what the
// client missed), then dispatches; every connection but the last drops after a few.
struct FakeGateway {
  static constexpr int kEvents = 1000;
  static constexpr int kDrops = 5;
  std::atomic<int> connection{0};
  std::atomic<int> identifies{0}, resumes{0};
  std::mutex mu;
  std::vector<std::string> first_payloads;

  asio::awaitable<void> Serve(ServerSide& s) {
    const int n = connection++;
    co_await s.SendText(R"({"op":10,"d":{"heartbeat_interval":45000}})");
    auto first = co_await s.Read();
    if (!first) co_return;
    {
      std::lock_guard lock(mu);
      first_payloads.push_back(*first);
    }
    const auto j = nlohmann::json::parse(*first);
    std::int64_t next = 1;
    if (j["op"] == 2) {
      ++identifies;
      co_await s.SendText(
          R"({"op":0,"s":1,"t":"READY","d":{"session_id":"s1","resume_gateway_url":")" +
          resume_url + R"(","user":{"id":"1100000000000000000"}}})");
      next = 2;
    } else {
      ++resumes;
      next = j["d"]["seq"].get<std::int64_t>() + 1;  // replay from what the client has
      co_await s.SendText(Dispatch(next));
      ++next;
      co_await s.SendText(R"({"op":0,"s":)" + std::to_string(next) + R"(,"t":"RESUMED","d":{}})");
      ++next;
    }
    // Each connection sends a share of the events, then drops (the last one closes with 4004).
    const std::int64_t until = n < kDrops ? next + kEvents / (kDrops + 1) : kEvents + 100;
    for (; next < until && next <= kEvents + 50; ++next) co_await s.SendText(Dispatch(next));
    if (n < kDrops) {
      s.Drop();
    } else {
      co_await s.Close(4004, "Authentication failed.");
    }
  }
  std::string resume_url;
};

TEST(ShardTest, EveryEventArrivesOnceInOrderThroughFiveDropsAndAFatalCloseStops) {
  FakeGateway gateway;
  ScriptedWebSocketServer server([&](ServerSide& s) { return gateway.Serve(s); });
  gateway.resume_url = server.url() + "/resume";

  ShardConfig config;
  config.token = "tok";
  config.gateway_url = server.url() + "/?v=10&encoding=json";
  std::vector<std::int64_t> seen;
  asio::io_context io;
  Shard shard(
      io.get_executor(), config, core::DefaultClock(),
      [&](const GatewayPayload& p) { seen.push_back(*p.sequence); }, 1);
  auto fut = asio::co_spawn(io, shard.Run(), asio::use_future);
  io.run_for(20s);  // bounded: a hang fails the test instead of the suite
  ASSERT_EQ(fut.wait_for(0s), std::future_status::ready) << "the shard did not stop";
  const auto result = fut.get();
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("token"), std::string::npos) << result.error().message;

  EXPECT_EQ(gateway.identifies, 1);
  EXPECT_EQ(gateway.resumes, FakeGateway::kDrops);
  EXPECT_EQ(shard.connections(), FakeGateway::kDrops + 1);
  ASSERT_FALSE(seen.empty());
  for (std::size_t i = 0; i < seen.size(); ++i)
    ASSERT_EQ(seen[i], static_cast<std::int64_t>(i) + 1) << i;
  EXPECT_GE(seen.size(), static_cast<std::size_t>(FakeGateway::kEvents));
  // Resumes went to the resume URL with the session and the last sequence.
  std::lock_guard lock(gateway.mu);
  ASSERT_EQ(gateway.first_payloads.size(), static_cast<std::size_t>(FakeGateway::kDrops + 1));
  const auto resume = nlohmann::json::parse(gateway.first_payloads[1]);
  EXPECT_EQ(resume["op"], 6);
  EXPECT_EQ(resume["d"]["session_id"], "s1");
}

// Discord's transport compression: one deflate stream per connection, a sync flush per payload.
class Deflater {
 public:
  Deflater() { deflateInit(&z_, Z_DEFAULT_COMPRESSION); }
  ~Deflater() { deflateEnd(&z_); }
  std::string Chunk(std::string payload) {
    std::string out;
    out.resize(payload.size() + 1024);
    z_.next_in = reinterpret_cast<Bytef*>(payload.data());
    z_.avail_in = static_cast<uInt>(payload.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    deflate(&z_, Z_SYNC_FLUSH);
    out.erase(out.size() - std::min<std::size_t>(z_.avail_out, out.size()));
    return out;
  }

 private:
  z_stream z_{};
};

TEST(ShardTest, ZlibStreamConnectionsWorkAndDisallowedIntentsStopWithAnExplanation) {
  std::atomic<int> identifies{0};
  ScriptedWebSocketServer server([&](ServerSide& s) -> asio::awaitable<void> {
    Deflater z;  // a fresh stream per connection
    EXPECT_NE(s.target().find("compress=zlib-stream"), std::string::npos);
    const std::string hello = z.Chunk(R"({"op":10,"d":{"heartbeat_interval":45000}})");
    co_await s.SendBinary(hello.substr(0, 5));  // split across frames
    co_await s.SendBinary(hello.substr(5));
    auto first = co_await s.Read();
    if (first && nlohmann::json::parse(*first)["op"] == 2) ++identifies;
    co_await s.SendBinary(z.Chunk(
        R"({"op":0,"s":1,"t":"READY","d":{"session_id":"s1","resume_gateway_url":"ws://x","user":{"id":"1100000000000000000"}}})"));
    for (int i = 2; i <= 50; ++i) co_await s.SendBinary(z.Chunk(Dispatch(i)));
    co_await s.Close(4014, "Disallowed intent(s).");
  });
  ShardConfig config;
  config.token = "tok";
  config.gateway_url = server.url() + "/?v=10&encoding=json&compress=zlib-stream";
  std::vector<std::int64_t> seen;
  asio::io_context io;
  Shard shard(io.get_executor(), config, core::DefaultClock(),
              [&](const GatewayPayload& p) { seen.push_back(*p.sequence); });
  auto fut = asio::co_spawn(io, shard.Run(), asio::use_future);
  io.run_for(10s);
  ASSERT_EQ(fut.wait_for(0s), std::future_status::ready) << "the shard did not stop";
  const auto result = fut.get();
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("Developer Portal"), std::string::npos);
  EXPECT_EQ(identifies, 1);
  EXPECT_EQ(shard.connections(), 1);  // fatal: no reconnect loop
  ASSERT_EQ(seen.size(), 50u);
  EXPECT_EQ(seen.front(), 1);
  EXPECT_EQ(seen.back(), 50);
}

}  // namespace
}  // namespace discord::gateway

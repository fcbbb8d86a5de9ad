#include "discord/gateway/shard_session.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/testing/manual_clock.h"

namespace discord::gateway {
namespace {

using namespace std::chrono_literals;
using core::testing::ManualClock;

GatewayPayload Op(int op) {
  GatewayPayload p;
  p.op = op;
  return p;
}

GatewayPayload Hello(std::int64_t interval = 41250) {
  GatewayPayload p = Op(10);
  p.heartbeat_interval = interval;
  return p;
}

GatewayPayload Dispatch(std::int64_t seq, std::string event = "MESSAGE_CREATE") {
  GatewayPayload p = Op(0);
  p.sequence = seq;
  p.event = std::move(event);
  p.data = OtherEvent{p.event};
  return p;
}

GatewayPayload ReadyPayload(std::int64_t seq) {
  GatewayPayload p = Dispatch(seq, "READY");
  p.data = Ready{"session-1", "wss://resume.example", core::UserId(1100000000000000000)};
  return p;
}

GatewayPayload InvalidSession(bool resumable) {
  GatewayPayload p = Op(9);
  p.resumable = resumable;
  return p;
}

nlohmann::json Json(const Action& a) { return nlohmann::json::parse(a.payload); }

class ShardSessionTest : public ::testing::Test {
 protected:
  ShardSessionTest() {
    config_.token = "tok";
    config_.shard_id = 2;
    config_.shard_count = 4;
    config_.gateway_url = "wss://gateway.example/?v=10&encoding=json&compress=zlib-stream";
  }
  // Connect, Hello, READY at sequence 1.
  void Establish(ShardSession& s) {
    s.OnConnected();
    s.OnPayload(Hello());
    s.OnPayload(ReadyPayload(1));
  }
  ShardConfig config_;
  ManualClock clock_;
};

TEST_F(ShardSessionTest, HelloIsAnsweredWithIdentifyAndHeartbeatsStartWithJitter) {
  ShardSession s(config_, clock_, 7);
  s.OnConnected();
  const auto actions = s.OnPayload(Hello(41250));
  ASSERT_EQ(actions.size(), 1u);
  const auto identify = Json(actions[0]);
  EXPECT_EQ(identify["op"], 2);
  EXPECT_EQ(identify["d"]["token"], "tok");
  EXPECT_EQ(identify["d"]["intents"], 33287);  // GUILDS, MEMBERS, MODERATION, MESSAGES, CONTENT
  EXPECT_EQ(identify["d"]["shard"], nlohmann::json::array({2, 4}));
  EXPECT_EQ(identify["d"]["properties"]["os"], "linux");
  EXPECT_EQ(s.identifies(), 1);
  ASSERT_TRUE(s.NextTick().has_value());
  EXPECT_GE(*s.NextTick(), clock_.Now());
  EXPECT_LT(*s.NextTick(), clock_.Now() + 41250ms);
  EXPECT_TRUE(s.OnTick().empty());  // not yet
  clock_.Advance(
      std::chrono::duration_cast<std::chrono::microseconds>(*s.NextTick() - clock_.Now()));
  const auto beat = s.OnTick();
  ASSERT_EQ(beat.size(), 1u);
  EXPECT_EQ(Json(beat[0]), nlohmann::json::parse(R"({"op":1,"d":null})"));  // no sequence yet
}

TEST_F(ShardSessionTest, HeartbeatsCarryTheLastSequenceAndComeEveryInterval) {
  ShardSession s(config_, clock_);
  Establish(s);
  s.OnPayload(Dispatch(5));
  s.OnPayload(Dispatch(3));  // an older number never goes back
  EXPECT_EQ(s.sequence(), 5);
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(
        std::chrono::duration_cast<std::chrono::microseconds>(*s.NextTick() - clock_.Now()));
    const auto beat = s.OnTick();
    ASSERT_EQ(beat.size(), 1u) << i;
    EXPECT_EQ(Json(beat[0])["d"], 5);
    s.OnPayload(Op(11));  // ACK
    EXPECT_EQ(*s.NextTick() - clock_.Now(), std::chrono::microseconds(41250ms));
  }
  // The server may ask for one at any time.
  const auto asked = s.OnPayload(Op(1));
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(Json(asked[0])["op"], 1);
}

TEST_F(ShardSessionTest, AnUnacknowledgedHeartbeatMeansAZombieAndAResume) {
  ShardSession s(config_, clock_);
  Establish(s);
  clock_.Advance(
      std::chrono::duration_cast<std::chrono::microseconds>(*s.NextTick() - clock_.Now()));
  ASSERT_EQ(s.OnTick().size(), 1u);  // sent; no ACK comes
  clock_.Advance(41250ms);
  const auto zombie = s.OnTick();
  ASSERT_EQ(zombie.size(), 1u);
  EXPECT_EQ(zombie[0].kind, Action::Kind::kReconnect);
  EXPECT_TRUE(zombie[0].resume);
  // READY's resume URL, with the query of the gateway URL (PROTOCOL.md §1.7).
  EXPECT_EQ(zombie[0].url, "wss://resume.example/?v=10&encoding=json&compress=zlib-stream");
  EXPECT_EQ(zombie[0].delay, 0ms);
  // The next connection resumes with the last sequence.
  s.OnConnected();
  const auto resume = s.OnPayload(Hello());
  ASSERT_EQ(resume.size(), 1u);
  EXPECT_EQ(
      Json(resume[0]),
      nlohmann::json::parse(R"({"op":6,"d":{"token":"tok","session_id":"session-1","seq":1}})"));
  EXPECT_EQ(s.resumes(), 1);
}

TEST_F(ShardSessionTest, ReconnectAndInvalidSessionFollowTheProtocol) {
  ShardSession s(config_, clock_, 3);
  Establish(s);
  auto op7 = s.OnPayload(Op(7));
  ASSERT_EQ(op7.size(), 1u);
  EXPECT_TRUE(op7[0].resume);
  EXPECT_EQ(op7[0].delay, 0ms);
  // Resumable invalid session: resume.
  auto maybe = s.OnPayload(InvalidSession(true));
  ASSERT_EQ(maybe.size(), 1u);
  EXPECT_TRUE(maybe[0].resume);
  // Not resumable: forget the session, wait 1-5 s, identify anew on the gateway URL.
  auto gone = s.OnPayload(InvalidSession(false));
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_FALSE(gone[0].resume);
  EXPECT_EQ(gone[0].url, config_.gateway_url);
  EXPECT_GE(gone[0].delay, 1000ms);
  EXPECT_LE(gone[0].delay, 5000ms);
  EXPECT_TRUE(s.session_id().empty());
  EXPECT_FALSE(s.sequence().has_value());
  s.OnConnected();
  EXPECT_EQ(Json(s.OnPayload(Hello())[0])["op"], 2);
  EXPECT_EQ(s.identifies(), 2);
}

TEST_F(ShardSessionTest, ClosesResumeStartOverOrStopAsTheTableSays) {
  ShardSession s(config_, clock_, 11);
  Establish(s);
  auto dropped = s.OnClosed(std::nullopt);  // no close frame: resume, after a short back-off
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_TRUE(dropped[0].resume);
  EXPECT_LE(dropped[0].delay, 1000ms);
  auto stale = s.OnClosed(4007);  // invalid sequence: a new session
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_FALSE(stale[0].resume);
  EXPECT_TRUE(s.session_id().empty());
  auto fatal = s.OnClosed(4014);
  ASSERT_EQ(fatal.size(), 1u);
  EXPECT_EQ(fatal[0].kind, Action::Kind::kStop);
  EXPECT_NE(fatal[0].reason.find("Developer Portal"), std::string::npos);
  EXPECT_EQ(s.OnClosed(4004)[0].kind, Action::Kind::kStop);
}

TEST_F(ShardSessionTest, BackOffGrowsWhileFailingAndResetsOnceResumed) {
  ShardSession s(config_, clock_, 5);
  Establish(s);
  std::chrono::milliseconds longest{0};
  for (int i = 0; i < 12; ++i) {
    const auto a = s.OnClosed(4000);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_LE(a[0].delay, 60'000ms);  // capped
    longest = std::max(longest, a[0].delay);
  }
  EXPECT_GT(longest, 4000ms);  // it did grow past the first steps
  s.OnConnected();
  s.OnPayload(Hello());
  s.OnPayload(Dispatch(9, "RESUMED"));
  EXPECT_TRUE(s.ready());
  EXPECT_LE(s.OnClosed(4000)[0].delay, 1000ms);  // back to the first step
}

}  // namespace
}  // namespace discord::gateway

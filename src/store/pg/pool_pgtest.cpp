#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "store/pg/detail/session.h"
#include "store/pg/pool.h"
#include "store/pg/testing/pg_harness.h"
#include "store/pg/user_repo.h"

namespace store::pg {
namespace {

using core::ErrorCode;
using testing::PgTest;

constexpr Statement kBackendPid{"pool_test_pid", "SELECT pg_backend_pid()"};
constexpr Statement kSleep{"pool_test_sleep", "SELECT pg_sleep(0.5)"};

class PoolTest : public PgTest {};

TEST_F(PoolTest, PingsARealServer) {
  auto r = pool().Ping();
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
}

// A loopback TCP peer that answers a PostgreSQL SSLRequest with 'N' (no TLS here), then
// closes. Enough to see whether the client insisted on TLS.
class NoTlsPeer {
 public:
  NoTlsPeer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      timeval tv{5, 0};
      for (int i = 0; i < 2; ++i) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        unsigned char req[8];
        if (::recv(c, req, sizeof req, MSG_WAITALL) == 8) {
          const bool ssl_request =
              req[4] == 0x04 && req[5] == 0xd2 && req[6] == 0x16 && req[7] == 0x2f;
          if (ssl_request) saw_ssl_request_ = true;
          if (ssl_request) (void)::send(c, "N", 1, 0);
        }
        ::close(c);
      }
    });
  }
  ~NoTlsPeer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  bool saw_ssl_request() const { return saw_ssl_request_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> saw_ssl_request_{false};
  std::thread thread_;
};

TEST_F(PoolTest, SslModeOfTheUrlIsHonoured) {
  NoTlsPeer peer;
  const std::string base = "postgresql://bot@127.0.0.1:" + std::to_string(peer.port()) + "/db";
  Pool tls(
      {.url = base + "?sslmode=require", .size = 1, .connect_timeout = std::chrono::seconds(3)});
  auto r = tls.Ping();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(peer.saw_ssl_request());
  EXPECT_NE(r.error().message.find("SSL was required"), std::string::npos) << r.error().message;
}

TEST_F(PoolTest, LostConnectionIsReportedThenReplaced) {
  Pool p({.url = url(), .size = 1});
  auto pid = p.Run("pid", [](Session& s) { return detail::Int(s.Exec(kBackendPid)[0][0]); });
  ASSERT_TRUE(pid) << pid.error().ToString();
  // Another connection kills this pool's backend, as a server restart or a proxy would.
  ASSERT_TRUE(pool().Run("kill", [&](Session& s) {
    s.ExecScript("SELECT pg_terminate_backend(" + std::to_string(*pid) + ")");
  }));
  auto lost = p.Run("pid", [](Session& s) { return detail::Int(s.Exec(kBackendPid)[0][0]); });
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kConnectionLost) << lost.error().ToString();
  auto again = p.Run("pid", [](Session& s) { return detail::Int(s.Exec(kBackendPid)[0][0]); });
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_NE(*again, *pid);
}

TEST_F(PoolTest, ExhaustedPoolFailsAfterTheAcquireTimeout) {
  Pool p({.url = url(), .size = 1, .acquire_timeout = std::chrono::milliseconds(100)});
  std::thread holder([&] { (void)p.Run("hold", [](Session& s) { s.Exec(kSleep); }); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // let the holder take the slot
  auto r = p.Ping();
  holder.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("no free database connection"), std::string::npos);
  EXPECT_TRUE(p.Ping());  // the slot is free again
}

TEST_F(PoolTest, UnreachableServerErrorHidesThePassword) {
  Pool p({.url = "postgresql://bot:hunter2@127.0.0.1:1/antispam",
          .size = 1,
          .connect_timeout = std::chrono::seconds(2)});
  auto r = p.Ping();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("bot:***@"), std::string::npos) << r.error().message;
}

// Repository calls inside Transaction() share one connection and commit or roll back together.
TEST_F(PoolTest, ATransactionCommitsItsRepositoryCallsTogether) {
  Pool p({.url = url(), .size = 2});
  UserRepo users(p);
  const core::UserId u = NewUser();
  auto pids = p.Transaction("both", [&]() -> core::Result<std::pair<std::int64_t, std::int64_t>> {
    auto first = p.Run("pid", [](Session& s) { return detail::Int(s.Exec(kBackendPid)[0][0]); });
    if (!users.Upsert(u)) return core::Fail(ErrorCode::kInternal, "upsert");
    if (!users.AdjustReputation(u, -0.25)) return core::Fail(ErrorCode::kInternal, "adjust");
    auto second = p.Run("pid", [](Session& s) { return detail::Int(s.Exec(kBackendPid)[0][0]); });
    if (!first || !second) return core::Fail(ErrorCode::kInternal, "pid");
    return std::pair{*first, *second};
  });
  ASSERT_TRUE(pids) << pids.error().ToString();
  EXPECT_EQ(pids->first, pids->second);  // one connection
  auto row = UserRepo(pool()).Find(u);
  ASSERT_TRUE(row && row->has_value());
  EXPECT_DOUBLE_EQ((*row)->global_reputation_score, -0.25);
}

TEST_F(PoolTest, ATransactionRollsBackWhenItsBodyFailsOrAStatementFails) {
  Pool p({.url = url(), .size = 2});
  UserRepo users(p);
  // The body gives up after a write: nothing stays.
  const core::UserId a = NewUser();
  auto gave_up = p.Transaction("give up", [&]() -> core::Result<int> {
    if (!users.Upsert(a)) return core::Fail(ErrorCode::kInternal, "upsert");
    return core::Fail(ErrorCode::kFailedPrecondition, "changed my mind");
  });
  ASSERT_FALSE(gave_up);
  EXPECT_EQ(gave_up.error().code, ErrorCode::kFailedPrecondition);
  auto none = UserRepo(pool()).Find(a);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  // A statement fails (out of range) and the body ignores it: the earlier write is undone all
  // the same, and the statement's error is the answer.
  const core::UserId b = NewUser();
  auto ignored = p.Transaction("ignore", [&]() -> core::Result<int> {
    if (!users.Upsert(b)) return core::Fail(ErrorCode::kInternal, "upsert");
    (void)users.SetReputation(b, 7.0);
    return 1;
  });
  ASSERT_FALSE(ignored);
  EXPECT_EQ(ignored.error().code, ErrorCode::kConstraintViolation) << ignored.error().ToString();
  auto gone = UserRepo(pool()).Find(b);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());

  // The connection is fine afterwards, and calls outside a transaction are their own again.
  EXPECT_TRUE(p.Ping());
  ASSERT_TRUE(users.Upsert(b));
  auto back = UserRepo(pool()).Find(b);
  ASSERT_TRUE(back && back->has_value());
}

TEST_F(PoolTest, ATransactionWhoseConnectionDiesIsLostAndTheConnectionReplaced) {
  Pool p({.url = url(), .size = 1});
  UserRepo users(p);
  const core::UserId u = NewUser();
  auto lost = p.Transaction("die", [&]() -> core::Result<int> {
    if (!users.Upsert(u)) return core::Fail(ErrorCode::kInternal, "upsert");
    auto pid = p.Run("pid", [](Session& s) { return detail::Int(s.Exec(kBackendPid)[0][0]); });
    if (!pid) return std::unexpected(pid.error());
    // Another connection kills this one's backend mid-transaction.
    (void)pool().Run("kill", [&](Session& s) {
      s.ExecScript("SELECT pg_terminate_backend(" + std::to_string(*pid) + ")");
    });
    auto more = users.AdjustReputation(u, 0.5);
    if (!more) return std::unexpected(more.error());
    return 1;
  });
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kConnectionLost) << lost.error().ToString();
  auto none = UserRepo(pool()).Find(u);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  EXPECT_TRUE(p.Ping());  // a fresh connection
}

TEST_F(PoolTest, WithoutPreparedStatementsNothingIsPreparedOnTheServer) {
  Pool p({.url = url(), .size = 1, .prepared_statements = false});
  constexpr Statement kCount{"pool_test_prepared", "SELECT count(*) FROM pg_prepared_statements"};
  auto n = p.Run("count", [&](Session& s) {
    s.Exec(kBackendPid);
    return detail::Int(s.Exec(kCount)[0][0]);
  });
  ASSERT_TRUE(n) << n.error().ToString();
  EXPECT_EQ(*n, 0);

  Pool prepared({.url = url(), .size = 1, .prepared_statements = true});
  auto m = prepared.Run("count", [&](Session& s) {
    s.Exec(kBackendPid);
    return detail::Int(s.Exec(kCount)[0][0]);
  });
  ASSERT_TRUE(m);
  EXPECT_GE(*m, 1);
}

}  // namespace
}  // namespace store::pg

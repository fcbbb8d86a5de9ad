// Listener against a real server: payloads from pg_notify on another connection, the servers
// trigger (INSERT, UPDATE, DELETE through ServerRepo), reconnection and resync after the backend is
// terminated, prompt Stop(), refused channel names and a server that cannot be reached.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/testing/manual_clock.h"
#include "core/testing/wait_for.h"
#include "store/pg/detail/session.h"
#include "store/pg/listener.h"
#include "store/pg/server_repo.h"
#include "store/pg/testing/pg_harness.h"

namespace store::pg {
namespace {

using core::ErrorCode;
using core::testing::WaitFor;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

// What a listener handed to its owner. Thread-safe.
class Recorder {
 public:
  ListenerCallbacks Callbacks() {
    return {.on_notify =
                [this](std::string_view payload) {
                  std::lock_guard lock(mu_);
                  payloads_.emplace_back(payload);
                },
            .on_resync = [this] { resyncs_.fetch_add(1); }};
  }
  std::vector<std::string> payloads() const {
    std::lock_guard lock(mu_);
    return payloads_;
  }
  std::size_t Count(const std::string& payload) const {
    std::lock_guard lock(mu_);
    return static_cast<std::size_t>(std::count(payloads_.begin(), payloads_.end(), payload));
  }
  int resyncs() const { return resyncs_.load(); }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> payloads_;  // guarded by mu_
  std::atomic<int> resyncs_{0};
};

class ListenerTest : public testing::PgTest {
 protected:
  // A channel no other test of the suite uses.
  static std::string NewChannel() { return "listener_test_" + std::to_string(NextId()); }

  // Options for the suite's database with short waits, so that retries happen within a test.
  static ListenerOptions Options(std::string channel) {
    return {.url = url(),
            .channel = std::move(channel),
            .reconnect_min = 20ms,
            .reconnect_max = 200ms,
            .poll = 100ms,
            .application_name = "listener-test-" + std::to_string(NextId())};
  }

  static std::unique_ptr<Listener> MustCreate(ListenerOptions options, Recorder& recorder) {
    auto created = Listener::Create(std::move(options), recorder.Callbacks());
    if (!created) {
      ADD_FAILURE() << created.error().ToString();
      return nullptr;
    }
    return std::move(*created);
  }

  // Starts `l` and waits until it listens (a notification sent earlier would be lost).
  static void StartAndWaitListening(Listener& l, const Recorder& r) {
    l.Start();
    ASSERT_TRUE(WaitFor([&] { return l.connections() == 1 && r.resyncs() == 1; }))
        << "not listening: " << l.last_error();
  }

  // Backends of the suite's database whose application_name is `name`.
  static std::int64_t BackendsNamed(const std::string& name) {
    static constexpr Statement kCount{
        "listener_test_backends",
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = $1"};
    auto r = pool().Run("count backends", [&](Session& s) {
      return detail::Int(s.Exec(kCount, detail::Params(name))[0][0]);
    });
    if (!r) ADD_FAILURE() << r.error().ToString();
    return r.value_or(-1);
  }

  static std::chrono::milliseconds Elapsed(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(core::DefaultClock().Steady() -
                                                                 since);
  }
};

TEST_F(ListenerTest, NotifyFromAnotherConnectionArrivesWithItsPayload) {
  Recorder r;
  const std::string channel = NewChannel();
  auto l = MustCreate(Options(channel), r);
  ASSERT_TRUE(l);
  StartAndWaitListening(*l, r);

  const std::string tricky = R"(it's "quoted"; DROP TABLE servers; -- ünïcode)";
  ASSERT_TRUE(Notify(pool(), channel, "first"));
  ASSERT_TRUE(Notify(pool(), NewChannel(), "another channel"));  // not listened to
  ASSERT_TRUE(Notify(pool(), channel, tricky));
  ASSERT_TRUE(Notify(pool(), channel, ""));
  ASSERT_TRUE(WaitFor([&] { return l->notifications() >= 3; })) << l->notifications();
  EXPECT_THAT(r.payloads(), ElementsAre("first", tricky, ""));
  EXPECT_EQ(l->notifications(), 3u);
  EXPECT_EQ(l->connections(), 1u);
  EXPECT_EQ(l->reconnects(), 0u);
  EXPECT_EQ(r.resyncs(), 1);  // once, for the first connection
  EXPECT_EQ(l->last_error(), "");
}

// The channel is quoted in LISTEN: a mixed-case name is not folded to lower case, and matches
// pg_notify's (case-sensitive) channel argument.
TEST_F(ListenerTest, ChannelNameIsCaseSensitive) {
  Recorder r;
  const std::string channel = "Listener_Mixed_" + std::to_string(NextId());
  std::string lower = channel;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  auto l = MustCreate(Options(channel), r);
  ASSERT_TRUE(l);
  StartAndWaitListening(*l, r);

  ASSERT_TRUE(Notify(pool(), lower, "lower"));
  ASSERT_TRUE(Notify(pool(), channel, "exact"));
  ASSERT_TRUE(WaitFor([&] { return l->notifications() >= 1; }));
  EXPECT_THAT(r.payloads(), ElementsAre("exact"));
}

TEST_F(ListenerTest, ServerWritesNotifyTheGuildIdThroughTheTrigger) {
  Recorder r;
  auto l = MustCreate(Options(std::string(kServerConfigChannel)), r);
  ASSERT_TRUE(l);
  StartAndWaitListening(*l, r);
  core::testing::ManualClock clock;
  ServerRepo repo(pool(), clock);
  const GuildId g = NewGuild();
  const std::string id = g.ToString();

  ASSERT_TRUE(repo.Upsert(g));  // INSERT
  ASSERT_TRUE(WaitFor([&] { return r.Count(id) == 1; })) << "no notification for the INSERT";
  ASSERT_TRUE(repo.Upsert(g, {.admin_channel_id = ChannelId(5)}));  // ON CONFLICT DO UPDATE
  ASSERT_TRUE(WaitFor([&] { return r.Count(id) == 2; })) << "no notification for the upsert";
  auto current = repo.Find(g);
  ASSERT_TRUE(current && current->has_value());
  Server changed = **current;
  changed.is_active = false;
  ASSERT_TRUE(repo.Update(changed));  // UPDATE
  ASSERT_TRUE(WaitFor([&] { return r.Count(id) == 3; })) << "no notification for the UPDATE";
  ASSERT_TRUE(repo.Remove(g));  // DELETE
  ASSERT_TRUE(WaitFor([&] { return r.Count(id) == 4; })) << "no notification for the DELETE";

  // Nothing but this guild's id, once per write (Find sent nothing).
  EXPECT_THAT(r.payloads(), ElementsAre(id, id, id, id));
  // A write that fails (and so rolls back) notifies nobody: the next write's id comes first.
  EXPECT_FALSE(repo.Upsert(NewGuild(), {.settings = "[1]"}));
  const GuildId next_guild = NewGuild();
  const std::string next = next_guild.ToString();
  ASSERT_TRUE(repo.Upsert(next_guild));
  ASSERT_TRUE(WaitFor([&] { return r.payloads().size() >= 5; }));
  EXPECT_EQ(r.payloads().back(), next);
  EXPECT_EQ(r.payloads().size(), 5u);
}

// The trigger function follows the migrations' conventions for functions.
TEST_F(ListenerTest, TriggerFunctionPinsSearchPathAndIsNotCallableByApiRoles) {
  static constexpr Statement kFunction{
      "listener_test_function",
      "SELECT p.proconfig::text, p.prosecdef, obj_description(p.oid, 'pg_proc'), "
      "       has_function_privilege('anon', p.oid, 'EXECUTE'), "
      "       has_function_privilege('authenticated', p.oid, 'EXECUTE'), "
      "       (SELECT count(*) FROM pg_trigger t WHERE t.tgfoid = p.oid "
      "          AND t.tgrelid = 'public.servers'::regclass AND NOT t.tgisinternal) "
      "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
      "WHERE n.nspname = 'public' AND p.proname = 'servers_notify_config_change'"};
  auto rows = pool().Run("trigger function", [&](Session& s) { return s.Exec(kFunction); });
  ASSERT_TRUE(rows) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 1u) << "servers_notify_config_change() is missing";
  const auto& row = (*rows)[0];
  EXPECT_EQ(detail::Text(row[0]), "{search_path=public}");
  EXPECT_FALSE(detail::Bool(row[1])) << "SECURITY DEFINER is not needed for pg_notify";
  EXPECT_THAT(detail::Text(row[2]), HasSubstr("antispam_server_config"));
  EXPECT_FALSE(detail::Bool(row[3]));
  EXPECT_FALSE(detail::Bool(row[4]));
  EXPECT_EQ(detail::Int(row[5]), 1);
}

TEST_F(ListenerTest, ReconnectsAfterTheBackendIsTerminatedAndResyncs) {
  Recorder r;
  const std::string channel = NewChannel();
  const auto options = Options(channel);
  auto l = MustCreate(options, r);
  ASSERT_TRUE(l);
  StartAndWaitListening(*l, r);
  ASSERT_TRUE(Notify(pool(), channel, "before"));
  ASSERT_TRUE(WaitFor([&] { return l->notifications() == 1; }));

  static constexpr Statement kTerminate{
      "listener_test_terminate",
      "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE datname = current_database() AND application_name = $1"};
  auto killed = pool().Run("terminate listener", [&](Session& s) {
    return detail::Int(s.Exec(kTerminate, detail::Params(options.application_name))[0][0]);
  });
  ASSERT_TRUE(killed) << killed.error().ToString();
  ASSERT_EQ(*killed, 1) << "the listener's backend was not found by its application_name";

  ASSERT_TRUE(WaitFor([&] { return l->reconnects() == 1 && r.resyncs() == 2; }))
      << "reconnects " << l->reconnects() << ", resyncs " << r.resyncs() << ", last error "
      << l->last_error();
  EXPECT_EQ(l->connections(), 2u);
  EXPECT_THAT(l->last_error(), HasSubstr("lost"));
  EXPECT_TRUE(WaitFor([&] { return BackendsNamed(options.application_name) == 1; }))
      << "not exactly one connection after reconnecting";

  ASSERT_TRUE(Notify(pool(), channel, "after"));
  ASSERT_TRUE(WaitFor([&] { return l->notifications() == 2; })) << "nothing after reconnecting";
  EXPECT_THAT(r.payloads(), ElementsAre("before", "after"));
}

TEST_F(ListenerTest, StopReturnsPromptlyAndNothingIsDeliveredAfterwards) {
  Recorder r, witness_r;
  const std::string channel = NewChannel();
  const auto options = Options(channel);
  auto l = MustCreate(options, r);
  auto witness = MustCreate(Options(channel), witness_r);  // keeps listening on the same channel
  ASSERT_TRUE(l && witness);
  StartAndWaitListening(*l, r);
  StartAndWaitListening(*witness, witness_r);
  ASSERT_TRUE(Notify(pool(), channel, "live"));
  ASSERT_TRUE(WaitFor([&] { return r.Count("live") == 1 && witness_r.Count("live") == 1; }));

  // Stopped from two other threads at once while the listener waits on its socket.
  const auto started = core::DefaultClock().Steady();
  std::thread a([&] { l->Stop(); });
  std::thread b([&] { l->Stop(); });
  a.join();
  b.join();
  EXPECT_LT(Elapsed(started), options.poll + 900ms);
  EXPECT_TRUE(WaitFor([&] { return BackendsNamed(options.application_name) == 0; }))
      << "the connection is still open";

  // Once the witness has the next notification, a listener still listening would have it too.
  ASSERT_TRUE(Notify(pool(), channel, "late"));
  ASSERT_TRUE(WaitFor([&] { return witness_r.Count("late") == 1; }));
  EXPECT_EQ(r.Count("late"), 0u);
  EXPECT_EQ(l->notifications(), 1u);

  // Idempotent, and Start() after Stop() does nothing.
  const auto again = core::DefaultClock().Steady();
  l->Stop();
  l->Start();
  l->Stop();
  EXPECT_LT(Elapsed(again), 500ms);
  EXPECT_EQ(l->connections(), 1u);
}

TEST_F(ListenerTest, StopFromACallbackEndsTheThread) {
  std::unique_ptr<Listener> l;
  std::atomic<int> calls{0};
  const std::string channel = NewChannel();
  auto created = Listener::Create(Options(channel), {.on_notify = [&](std::string_view) {
                                    calls.fetch_add(1);
                                    l->Stop();
                                  }});
  ASSERT_TRUE(created) << created.error().ToString();
  l = std::move(*created);
  l->Start();
  ASSERT_TRUE(WaitFor([&] { return l->connections() == 1; })) << l->last_error();
  ASSERT_TRUE(Notify(pool(), channel, "stop"));
  ASSERT_TRUE(WaitFor([&] { return calls.load() == 1; }));
  ASSERT_TRUE(WaitFor([&] { return BackendsNamed(l->options().application_name) == 0; }))
      << "the listener kept its connection after Stop() from on_notify";
  l->Stop();  // joins from this thread
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(ListenerTest, InvalidChannelNameIsAClearError) {
  const std::vector<std::string> bad_names = {
      "",        "bad-name",           "x; DROP TABLE servers",
      "1abc",    "with space",         "na\xc3\xafve",
      "quo\"te", std::string(64, 'c'),
  };
  for (const std::string& bad : bad_names) {
    Recorder r;
    auto created = Listener::Create({.url = url(), .channel = bad}, r.Callbacks());
    ASSERT_FALSE(created) << "accepted channel \"" << bad << "\"";
    EXPECT_EQ(created.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(created.error().subject, "channel");
    EXPECT_THAT(created.error().message, HasSubstr("invalid notification channel name"));
    EXPECT_THAT(created.error().message, HasSubstr("\"" + bad + "\""));

    auto sent = Notify(pool(), bad, "x");
    ASSERT_FALSE(sent) << "Notify accepted channel \"" << bad << "\"";
    EXPECT_EQ(sent.error().code, ErrorCode::kInvalidArgument);
  }
  Recorder r;
  EXPECT_TRUE(Listener::Create({.url = url(), .channel = std::string(63, 'c')}, r.Callbacks()));
  EXPECT_TRUE(Listener::Create({.url = url(), .channel = "_x9"}, r.Callbacks()));
}

TEST_F(ListenerTest, InvalidDurationsAreRefused) {
  Recorder r;
  auto zero = Listener::Create({.url = url(), .channel = "c", .reconnect_min = 0ms}, r.Callbacks());
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().subject, "reconnect_min");
  auto inverted = Listener::Create(
      {.url = url(), .channel = "c", .reconnect_min = 2s, .reconnect_max = 1s}, r.Callbacks());
  ASSERT_FALSE(inverted);
  EXPECT_EQ(inverted.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(inverted.error().subject, "reconnect_max");
  auto poll = Listener::Create({.url = url(), .channel = "c", .poll = 0ms}, r.Callbacks());
  ASSERT_FALSE(poll);
  EXPECT_EQ(poll.error().subject, "poll");
}

TEST_F(ListenerTest, PayloadOverTheServersLimitIsInvalidArgument) {
  auto sent = Notify(pool(), NewChannel(), std::string(8000, 'p'));
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kInvalidArgument) << sent.error().ToString();
  EXPECT_TRUE(Notify(pool(), NewChannel(), std::string(7999, 'p')));
}

// A loopback port with nothing listening: bound, then closed.
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST_F(ListenerTest, UnreachableServerIsRetriedUntilStopWithoutLeakingThePassword) {
  Recorder r;
  const std::string url =
      "postgresql://antispam:hunter2-secret@127.0.0.1:" + std::to_string(ClosedPort()) +
      "/antispam";
  auto l = MustCreate({.url = url,
                       .channel = NewChannel(),
                       .reconnect_min = 10ms,
                       .reconnect_max = 40ms,
                       .poll = 100ms},
                      r);
  ASSERT_TRUE(l);
  l->Start();
  ASSERT_TRUE(WaitFor([&] { return l->failed_attempts() >= 4; }))
      << "attempts: " << l->failed_attempts();
  EXPECT_EQ(l->connections(), 0u);
  EXPECT_EQ(r.resyncs(), 0);
  const std::string error = l->last_error();
  EXPECT_THAT(error, HasSubstr("127.0.0.1"));
  EXPECT_THAT(error, Not(HasSubstr("hunter2")));

  const auto started = core::DefaultClock().Steady();
  l->Stop();
  EXPECT_LT(Elapsed(started), 1000ms);
}

}  // namespace
}  // namespace store::pg

// Detections persisted per second: the one-round-trip DetectionWriter against a baseline written
// the original plan's way (storeDetectionResult: find, then update or insert, per entity; then
// the detection insert and the restriction update; plus the case look-up/insert/link that the
// writer also does), on one connection and on a pool, against a real PostgreSQL server started
// from the installed binaries in a temporary folder. Both write the same rows.
//
//   build/bench/detection_write_bench [--durable] [google-benchmark flags]
//
// --durable keeps fsync and synchronous_commit on (production settings); the default turns them
// off, so the comparison measures round trips and server work rather than the disk.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <memory>

#include "store/pg/detail/session.h"
#include "store/pg/detection_write.h"
#include "store/pg/local_cluster.h"
#include "store/pg/migrator.h"
#include "store/pg/pool.h"

namespace {

using namespace store;
using namespace store::pg;
using detail::Params;

std::string g_url;
constexpr int kGuilds = 10;
constexpr int kUsers = 2000;

// The same input stream for both writers: rotating guilds and users, every other one flagged.
DetectionWrite Input(std::uint64_t i) {
  const std::uint64_t base = std::uint64_t{1'100'000'000'000} << 22;
  return DetectionWrite{.server_id = GuildId(base + i % kGuilds),
                        .user_id = UserId(base + 1'000'000 + (i * 7919) % kUsers),
                        .username = "user" + std::to_string((i * 7919) % kUsers),
                        .account_created_at = Timestamp(std::chrono::seconds(1'700'000'000)),
                        .joined_at = Timestamp(std::chrono::seconds(1'750'000'000)),
                        .message_id = MessageId(base + 10'000'000 + i),
                        .channel_id = ChannelId(base + 500),
                        .risk = 0.9,
                        .confidence = 0.8,
                        .level = DetectionLevel::kHigh,
                        .reasons = {"SCAM_PHRASE: free nitro", "NEW_ACCOUNT"},
                        .metadata = R"({"trigger_content":"free nitro at discord-gift.example"})",
                        .flagged = (i % 2) == 0,
                        .restriction_reason = "scam phrase"};
}

// The original plan's sequence, statement by statement (each its own autocommit round trip).
constexpr Statement kFindServer{"b_find_server",
                                "SELECT guild_id FROM servers WHERE guild_id = $1"};
constexpr Statement kUpdateServer{"b_update_server",
                                  "UPDATE servers SET updated_at = now() WHERE guild_id = $1"};
constexpr Statement kInsertServer{"b_insert_server", "INSERT INTO servers (guild_id) VALUES ($1)"};
constexpr Statement kFindUser{"b_find_user", "SELECT discord_id FROM users WHERE discord_id = $1"};
constexpr Statement kUpdateUser{
    "b_update_user",
    "UPDATE users SET username = $2, account_created_at = $3, updated_at = now() "
    "WHERE discord_id = $1"};
constexpr Statement kInsertUser{
    "b_insert_user",
    "INSERT INTO users (discord_id, username, account_created_at) VALUES ($1, $2, $3)"};
constexpr Statement kFindMember{
    "b_find_member", "SELECT server_id FROM server_members WHERE server_id = $1 AND user_id = $2"};
constexpr Statement kUpdateMember{
    "b_update_member",
    "UPDATE server_members SET join_date = $3, last_message_at = now(), is_restricted = $4 "
    "WHERE server_id = $1 AND user_id = $2"};
constexpr Statement kInsertMember{
    "b_insert_member",
    "INSERT INTO server_members (server_id, user_id, join_date, last_message_at, is_restricted, "
    "message_count) VALUES ($1, $2, $3, now(), $4, 1)"};
constexpr Statement kInsertDetection{
    "b_insert_detection",
    "INSERT INTO detection_events (server_id, user_id, message_id, channel_id, detection_type, "
    "  risk, confidence, confidence_level, reasons, used_gpt, metadata) "
    "VALUES ($1, $2, $3, $4, 'message', $5, $6, 'high', $7::text[], false, $8::jsonb) "
    "RETURNING id"};
constexpr Statement kRestrict{
    "b_restrict",
    "UPDATE server_members SET is_restricted = true, verification_status = 'pending', "
    "  restriction_reason = $3, last_status_change = now() WHERE server_id = $1 AND user_id = $2"};
constexpr Statement kFindCase{
    "b_find_case",
    "SELECT id FROM verification_events WHERE server_id = $1 AND user_id = $2 "
    "AND status IN ('pending', 'reopened')"};
constexpr Statement kInsertCase{
    "b_insert_case",
    "INSERT INTO verification_events (server_id, user_id, detection_event_id) VALUES ($1, $2, $3) "
    "RETURNING id"};
constexpr Statement kLinkCase{
    "b_link_case", "UPDATE detection_events SET latest_verification_event_id = $2 WHERE id = $1"};

void BaselineRecord(Session& s, const DetectionWrite& w) {
  if (s.Exec(kFindServer, Params(w.server_id)).empty()) {
    s.Exec(kInsertServer, Params(w.server_id));
  } else {
    s.Exec(kUpdateServer, Params(w.server_id));
  }
  if (s.Exec(kFindUser, Params(w.user_id)).empty()) {
    s.Exec(kInsertUser, Params(w.user_id, w.username, w.account_created_at));
  } else {
    s.Exec(kUpdateUser, Params(w.user_id, w.username, w.account_created_at));
  }
  if (s.Exec(kFindMember, Params(w.server_id, w.user_id)).empty()) {
    s.Exec(kInsertMember, Params(w.server_id, w.user_id, w.joined_at, w.flagged));
  } else {
    s.Exec(kUpdateMember, Params(w.server_id, w.user_id, w.joined_at, w.flagged));
  }
  auto det = detail::Text(
      s.Exec(kInsertDetection, Params(w.server_id, w.user_id, w.message_id, w.channel_id, w.risk,
                                      w.confidence, w.reasons, w.metadata))[0][0]);
  if (!w.flagged) return;
  s.Exec(kRestrict, Params(w.server_id, w.user_id, w.restriction_reason));
  auto open = s.Exec(kFindCase, Params(w.server_id, w.user_id));
  std::string case_id;
  if (open.empty()) {
    case_id = detail::Text(s.Exec(kInsertCase, Params(w.server_id, w.user_id, det))[0][0]);
  } else {
    case_id = detail::Text(open[0][0]);
  }
  s.Exec(kLinkCase, Params(det, case_id));
}

std::atomic<std::uint64_t> g_counter{0};

// One pool per benchmark run (shared by its threads); prepared statements on, as in production.
struct Shared {
  std::unique_ptr<Pool> pool;
  std::uint64_t round_trips_at_start = 0;
};
Shared g_shared;

void Setup(const benchmark::State& state) {
  g_shared.pool =
      std::make_unique<Pool>(PoolOptions{.url = g_url, .size = static_cast<int>(state.threads())});
  (void)g_shared.pool->Ping();
}
void Teardown(const benchmark::State&) { g_shared.pool.reset(); }

void Report(benchmark::State& state, std::uint64_t before) {
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    state.counters["round_trips_per_detection"] =
        benchmark::Counter(static_cast<double>(g_shared.pool->round_trips() - before) /
                           static_cast<double>(state.iterations() * state.threads()));
  }
}

void BM_OneRoundTrip(benchmark::State& state) {
  DetectionWriter writer(*g_shared.pool);
  (void)writer.Record(Input(g_counter++));  // warm: prepare the statement on this connection
  const auto before = g_shared.pool->round_trips();
  for (auto _ : state) {
    auto r = writer.Record(Input(g_counter++));
    if (!r) state.SkipWithError(r.error().ToString().c_str());
  }
  Report(state, before);
}

void BM_OriginalPlanBaseline(benchmark::State& state) {
  auto once = [&] {
    return g_shared.pool->Run("baseline",
                              [&](Session& s) { BaselineRecord(s, Input(g_counter++)); });
  };
  (void)once();
  const auto before = g_shared.pool->round_trips();
  for (auto _ : state) {
    auto r = once();
    if (!r) state.SkipWithError(r.error().ToString().c_str());
  }
  Report(state, before);
}

BENCHMARK(BM_OneRoundTrip)
    ->Setup(Setup)
    ->Teardown(Teardown)
    ->UseRealTime()
    ->MinTime(3)
    ->Threads(1)
    ->Threads(4);
BENCHMARK(BM_OriginalPlanBaseline)
    ->Setup(Setup)
    ->Teardown(Teardown)
    ->UseRealTime()
    ->MinTime(3)
    ->Threads(1)
    ->Threads(4);

}  // namespace

int main(int argc, char** argv) {
  bool durable = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--durable") == 0) {
      durable = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());

  char tmpl[] = "/tmp/antispam-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  spdlog::set_level(spdlog::level::warn);
  int rc = 0;
  {
    LocalCluster cluster({.root = tmpl, .durable = durable});
    if (auto r = cluster.Start(); !r) {
      std::fprintf(stderr, "bench: %s\n", r.error().ToString().c_str());
      return 1;
    }
    g_url = cluster.Url();
    {
      Pool pool({.url = g_url, .size = 1});
      if (auto r = Migrator(pool).Apply(EmbeddedMigrations()); !r) {
        std::fprintf(stderr, "bench: %s\n", r.error().ToString().c_str());
        rc = 1;
      }
    }
    std::printf("PostgreSQL in %s (%s)\n", tmpl, durable ? "durable" : "fsync off");
    if (rc == 0) benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
  }
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
  return rc;
}

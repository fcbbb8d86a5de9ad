// REST requests per second through the client's rate limiter against the Discord simulator (issue
// 4): one bucket sequentially (the per-request cost of the whole path: limiter, bucket queue,
// pooled HTTP, simulator), many buckets concurrently (with the pool's connection reuse), limits
// that bind (the achieved rate approaches the limit and the simulator counts no earned 429), and
// the limiter alone on a manual clock (no I/O), the baseline for the client's own overhead.
//   build/bench/rest_bench
//
// The simulator runs on its own thread and the client on the benchmark's: on a 2-core machine the
// two compete for the cores, so the rates below are for both sides together.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/testing/manual_clock.h"
#include "discord/rest/client.h"
#include "discord/rest/rate_limiter.h"
#include "net/http_client.h"
#include "sim/simulator.h"

namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr int kUnbound = 1'000'000;  // a limit no run here comes near

// A simulator with `limits` and a client against it on `io` (run on the benchmark's thread).
struct Rig {
  Rig(sim::RateLimitOptions limits, int client_global_per_second, std::size_t idle_per_host)
      : simulator({.rate_limits = limits}),
        http(io.get_executor(), {.max_idle_per_host = idle_per_host}, core::DefaultClock()) {
    if (!simulator.Start()) throw std::runtime_error("the simulator did not start");
    discord::rest::ClientOptions o;
    o.api_base_url = simulator.api_base_url();
    o.token = simulator.token();
    o.application_id = std::to_string(simulator.application_id());
    o.global_per_second = client_global_per_second;
    client =
        std::make_unique<discord::rest::Client>(io.get_executor(), http, core::DefaultClock(), o);
  }

  // `n` guilds, each with one member to look up.
  void AddGuilds(int n) {
    for (int i = 0; i < n; ++i) {
      const sim::StandardGuild g = simulator.AddStandardGuild("bench" + std::to_string(i));
      const core::UserId u = simulator.AddUser("member" + std::to_string(i));
      simulator.Join(g.guild, u);
      guilds.push_back(g.guild);
      members.push_back(u);
    }
  }

  // Counters every client benchmark reports.
  void Report(benchmark::State& state, std::uint64_t failures) {
    const net::HttpClientStats h = http.stats();
    const auto requests = static_cast<double>(client->stats().requests);
    state.counters["requests"] = requests;
    state.counters["connections"] = static_cast<double>(h.connections_opened);
    state.counters["reuse_%"] = requests == 0 ? 0
                                              : 100.0 * static_cast<double>(h.reuses) /
                                                    static_cast<double>(h.requests_sent);
    state.counters["429s"] = static_cast<double>(client->stats().rate_limited);
    state.counters["earned_429s"] = simulator.earned_429s();
    if (failures > 0) state.SkipWithError("a call failed");
  }

  sim::Simulator simulator;
  asio::io_context io;
  net::HttpClient http;
  std::unique_ptr<discord::rest::Client> client;
  std::vector<core::GuildId> guilds;
  std::vector<core::UserId> members;
};

// 1. One bucket, one request at a time (GET /guilds/:id/members/:id, decoded into a Member),
// limits not binding.
void BM_OneBucketSequential(benchmark::State& state) {
  Rig rig({.route_limit = kUnbound, .route_window = 1000ms, .global_per_second = kUnbound},
          kUnbound, 8);
  rig.AddGuilds(1);
  std::uint64_t failures = 0;
  asio::co_spawn(
      rig.io,
      [&]() -> asio::awaitable<void> {
        for (auto _ : state) {
          auto member = co_await rig.client->GetMember(rig.guilds[0], rig.members[0]);
          if (!member) ++failures;
        }
      },
      asio::detached);
  rig.io.run();
  state.SetItemsProcessed(state.iterations());
  rig.Report(state, failures);
}
BENCHMARK(BM_OneBucketSequential)->UseRealTime()->MinTime(2.0)->Unit(benchmark::kMicrosecond);

// The same request through net::HttpClient alone (no limiter, no bucket queue, no decoding): the
// floor of HTTP and the simulator, to tell the client's share apart.
void BM_HttpAloneSequential(benchmark::State& state) {
  Rig rig({.route_limit = kUnbound, .route_window = 1000ms, .global_per_second = kUnbound},
          kUnbound, 8);
  rig.AddGuilds(1);
  net::HttpRequest request;
  request.method = "GET";
  request.url = rig.simulator.api_base_url() + "/guilds/" + rig.guilds[0].ToString() + "/members/" +
                rig.members[0].ToString();
  request.headers = {{"Authorization", "Bot " + rig.simulator.token()},
                     {"User-Agent", rig.client->options().user_agent}};
  std::uint64_t failures = 0;
  asio::co_spawn(
      rig.io,
      [&]() -> asio::awaitable<void> {
        for (auto _ : state) {
          auto r = co_await rig.http.Send(request, 15s);
          if (!r || r->status != 200) ++failures;
        }
      },
      asio::detached);
  rig.io.run();
  state.SetItemsProcessed(state.iterations());
  const net::HttpClientStats h = rig.http.stats();
  state.counters["connections"] = static_cast<double>(h.connections_opened);
  if (failures > 0) state.SkipWithError("a request failed");
}
BENCHMARK(BM_HttpAloneSequential)->UseRealTime()->MinTime(2.0)->Unit(benchmark::kMicrosecond);

// The same through net::HttpClient alone, range(0) requests in flight (a pool of as many idle
// connections): the ceiling of HTTP and the simulator with concurrency on this machine.
void BM_HttpAloneConcurrent(benchmark::State& state) {
  const auto workers = static_cast<int>(state.range(0));
  constexpr int kPerWorker = 16;
  Rig rig({.route_limit = kUnbound, .route_window = 1000ms, .global_per_second = kUnbound},
          kUnbound, static_cast<std::size_t>(workers));
  rig.AddGuilds(workers);
  std::vector<net::HttpRequest> requests(static_cast<std::size_t>(workers));
  for (std::size_t i = 0; i < requests.size(); ++i) {
    requests[i].method = "GET";
    requests[i].url = rig.simulator.api_base_url() + "/guilds/" + rig.guilds[i].ToString() +
                      "/members/" + rig.members[i].ToString();
    requests[i].headers = {{"Authorization", "Bot " + rig.simulator.token()},
                           {"User-Agent", rig.client->options().user_agent}};
  }
  std::uint64_t failures = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      asio::co_spawn(
          rig.io,
          [&, i]() -> asio::awaitable<void> {
            for (int k = 0; k < kPerWorker; ++k) {
              auto r = co_await rig.http.Send(requests[i], 15s);
              if (!r || r->status != 200) ++failures;
            }
          },
          asio::detached);
    }
    rig.io.restart();
    rig.io.run();
  }
  state.SetItemsProcessed(state.iterations() * workers * kPerWorker);
  state.counters["connections"] = static_cast<double>(rig.http.stats().connections_opened);
  if (failures > 0) state.SkipWithError("a request failed");
}
BENCHMARK(BM_HttpAloneConcurrent)
    ->Arg(64)
    ->UseRealTime()
    ->MinTime(2.0)
    ->Unit(benchmark::kMillisecond);

// 2. Many buckets at once: range(0) guilds, one worker per guild, each sending 16 lookups one
// after another per iteration (range(0) × 16 requests an iteration); range(1): the pool's idle
// connections per host (8, HttpClientOptions' default, or as many as the workers).
void BM_ManyBucketsConcurrent(benchmark::State& state) {
  const auto buckets = static_cast<int>(state.range(0));
  constexpr int kPerWorker = 16;
  Rig rig({.route_limit = kUnbound, .route_window = 1000ms, .global_per_second = kUnbound},
          kUnbound, static_cast<std::size_t>(state.range(1)));
  rig.AddGuilds(buckets);
  std::uint64_t failures = 0;
  for (auto _ : state) {
    for (int w = 0; w < buckets; ++w) {
      asio::co_spawn(
          rig.io,
          [&, w]() -> asio::awaitable<void> {
            const auto i = static_cast<std::size_t>(w);
            for (int k = 0; k < kPerWorker; ++k) {
              auto member = co_await rig.client->GetMember(rig.guilds[i], rig.members[i]);
              if (!member) ++failures;
            }
          },
          asio::detached);
    }
    rig.io.restart();
    rig.io.run();
  }
  state.SetItemsProcessed(state.iterations() * buckets * kPerWorker);
  rig.Report(state, failures);
}
BENCHMARK(BM_ManyBucketsConcurrent)
    ->Args({64, 8})
    ->Args({64, 64})
    ->UseRealTime()
    ->MinTime(2.0)
    ->Unit(benchmark::kMillisecond);

// 3. Limits that bind, as Discord's: 50 requests per 1 s window per bucket and the global 50/s.
// range(0) guilds receive range(1) lookups each, all submitted at once (a raid's burst): with one
// guild the bucket binds, with four the global limit does. Counters: `sustained_per_s`, the rate
// after the first window's burst ((n − 50) / (t_last − t_50)); `max_in_1s`, the most requests the
// simulator saw in any one-second span (≤ 50); `earned_429s`, 429s the client ran into by not
// waiting (must be 0).
void BM_BindingLimit(benchmark::State& state) {
  constexpr int kLimit = 50;
  const auto buckets = static_cast<int>(state.range(0));
  const auto per_bucket = static_cast<int>(state.range(1));
  Rig rig({.route_limit = kLimit, .route_window = 1000ms, .global_per_second = kLimit}, kLimit, 8);
  rig.AddGuilds(buckets);
  std::uint64_t failures = 0;
  for (auto _ : state) {
    for (int b = 0; b < buckets; ++b) {
      for (int k = 0; k < per_bucket; ++k) {
        asio::co_spawn(
            rig.io,
            [&, b]() -> asio::awaitable<void> {
              const auto i = static_cast<std::size_t>(b);
              auto member = co_await rig.client->GetMember(rig.guilds[i], rig.members[i]);
              if (!member) ++failures;
            },
            asio::detached);
      }
    }
    rig.io.restart();
    rig.io.run();
  }
  const std::int64_t n = std::int64_t{buckets} * per_bucket;
  state.SetItemsProcessed(n);

  std::vector<core::Timestamp> at;
  for (const sim::RecordedCall& c : rig.simulator.Calls()) {
    if (c.route == "/guilds/:id/members/:id") at.push_back(c.at);
  }
  std::sort(at.begin(), at.end());
  std::size_t max_in_1s = 0;
  for (std::size_t i = 0, j = 0; i < at.size(); ++i) {
    while (j < at.size() && at[j] < at[i] + 1s) ++j;
    max_in_1s = std::max(max_in_1s, j - i);
  }
  if (at.size() > kLimit) {
    const std::chrono::duration<double> span = at.back() - at[kLimit - 1];
    state.counters["sustained_per_s"] = static_cast<double>(at.size() - kLimit) / span.count();
  }
  state.counters["max_in_1s"] = static_cast<double>(max_in_1s);
  if (at.size() > kLimit) {  // the shortest span holding 51 requests: under 1 s is one too many
    auto shortest = at.back() - at.front();
    for (std::size_t i = 0; i + kLimit < at.size(); ++i) {
      shortest = std::min(shortest, at[i + kLimit] - at[i]);
    }
    state.counters["min_51_span_ms"] = std::chrono::duration<double, std::milli>(shortest).count();
  }
  rig.Report(state, failures);
}
BENCHMARK(BM_BindingLimit)
    ->Args({1, 150})
    ->Args({4, 50})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// 4. The limiter alone: Reserve, then Update with a 200's headers, on a manual clock that moves
// 1 s / range(1) per request (or by the wait Reserve asks for, when longer), no I/O. range(0): the
// global limit per second; 0 for an interaction route, which the global limit does not count.
// Before timing, one second of requests fills the global window, as in steady state.
void BM_LimiterReserveUpdate(benchmark::State& state) {
  const auto global = static_cast<int>(state.range(0));
  const std::chrono::microseconds step = 1'000'000us / state.range(1);
  core::testing::ManualClock clock;
  discord::rest::RateLimiter limiter(clock, global == 0 ? 50 : global);
  const std::string path = global == 0
                               ? "/interactions/1380000000000000001/aW50ZXJhY3Rpb24/callback"
                               : "/guilds/1380000000000000001/members/1380000000000000002";
  const discord::rest::Route route =
      discord::rest::Route::Of(global == 0 ? "POST" : "GET", path, clock.Now());
  discord::rest::RateLimitHeaders headers;
  headers.limit = kUnbound;
  headers.remaining = kUnbound - 1;
  headers.reset_after = 1.0;
  headers.bucket = "8d2a31c0b3f41e5a";
  const auto one = [&] {
    const std::chrono::microseconds wait = limiter.Reserve(route);
    clock.Advance(std::max(wait, step));
    benchmark::DoNotOptimize(limiter.Update(route, 200, headers));
  };
  for (std::int64_t i = 0; i < state.range(1); ++i) one();
  for (auto _ : state) one();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LimiterReserveUpdate)
    ->ArgNames({"global", "per_s"})
    ->Args({0, 1000})  // an interaction route: the bucket alone
    ->Args({50, 50})   // Discord's default global limit, used in full
    ->Args({kUnbound, 100})
    ->Args({kUnbound, 1000})
    ->Unit(benchmark::kNanosecond);

}  // namespace

int main(int argc, char** argv) {
  // The client logs each 429 at info; the counters carry them, so the tables stay readable.
  spdlog::set_level(spdlog::level::warn);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

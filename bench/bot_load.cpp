// The whole bot under load (issue 5): app::Runtime (shards, REST client, moderation workflow, the
// real database pool) against the in-process Discord simulator, with persistence on, driven at
// increasing message rates until it saturates.
//
//   build/bench/bot_load_bench [--rates 1000,2000,...] [--seconds 10] [--spam-per-second 5 |
//                               --spam-fraction 0.01] [--members 1000] [--clean-rate 5000]
//                               [--clean-seconds 15] [--backlog 40000] [--deflate-level 1]
//                               [--fsync-off] [--no-stop]
//
// Set-up: a throwaway PostgreSQL (migrated, production durability unless --fsync-off), the
// simulator with one standard guild configured in `servers` (restricted role, admin and
// verification channels, moderator role), `--members` members with year-old accounts and one
// fresh account (two hours old) per planned spam message. The guild sets weight.message_rate to
// 0: a thousand members carrying tens of thousands of messages a second each send far more than
// the rate window allows, and would all be flagged as floods. The simulator keeps Discord's rate
// limits (and the bot's REST client its global 50/s) and compresses the gateway with zlib level 1
// (--deflate-level; Discord's level is not documented). Its JSON and deflate work per message,
// not the bot, bounds the rates this rig can offer: see the capacity phase for the bot's own.
//
// Phases:
//   1. Clean traffic only, at --clean-rate for --clean-seconds: database round trips
//      (Pool::round_trips) and the counters' flushes and statements per 1,000 clean messages.
//   2. Capacity: the bot's I/O thread is held while the simulator writes a backlog of --backlog
//      clean messages to the socket; released, the bot's rate through it is its own (the driver
//      is idle), whatever the simulator's ceiling.
//   3. Steps at the offered rates, --seconds each. Clean chatter (random word salad, a few links)
//      from the old members, and phishing spam (https://aabeta.phxwolf.com/login, a listed host)
//      from fresh accounts, each spammer posting once: a constant --spam-per-second (default),
//      or a fraction of all messages (--spam-fraction). Per step: offered and injected rates,
//      sustained rate (messages the bot judged per second of the step), the latency from the
//      MESSAGE_CREATE frame written by the simulator to the first DELETE of that message or role
//      PUT for its author received by the simulator (both loopback hops included), the same at the
//      bot's own edges (RuntimeOptions::on_gateway_frame / on_request_written: its I/O thread had
//      read the frame whole -> it had written the first such request whole), the bot's decision
//      time (ModeratorStats::decision_us: handler entry to the first side-effect request queued),
//      and the CPU share of the simulator's and the bot's I/O threads. Stops after the
//      first saturated step (sustained or injected below 95 % of offered, or latency p99 above 100
//      ms, or spam left unanswered) unless --no-stop.
//
// Messages are injected in batches through Simulator::Act (one hop to the simulator's thread per
// batch of at most 1 ms of messages); the gateway path is the real one: each message becomes its
// own zlib-stream frame on the bot's WebSocket.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "app/runtime.h"
#include "core/clock.h"
#include "sim/simulator.h"
#include "store/pg/local_cluster.h"
#include "store/pg/migrator.h"
#include "store/pg/pool.h"
#include "store/pg/server_repo.h"

namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

constexpr std::string_view kSpamText =
    "free nitro for everyone!! claim it https://aabeta.phxwolf.com/login";
constexpr std::string_view kMarker = " lbref";  // followed by the spam's number

struct Options {
  std::vector<double> rates{1'000, 2'000, 5'000, 10'000, 15'000, 20'000, 30'000, 40'000};
  double seconds = 10;
  double spam_per_second = 5;
  double spam_fraction = 0;  // > 0: spam is this fraction of all messages instead
  int members = 1'000;
  double clean_rate = 5'000;
  double clean_seconds = 15;
  int backlog = 40'000;   // messages queued for the capacity phase (0: skip it)
  int deflate_level = 1;  // the simulator's zlib level for the gateway's zlib-stream
  bool durable = true;
  bool stop_at_saturation = true;
};

void Usage() {
  std::fprintf(stderr,
               "usage: bot_load_bench [--rates 1000,2000,...] [--seconds S] "
               "[--spam-per-second N | --spam-fraction F] [--members N] [--clean-rate R] "
               "[--clean-seconds S] [--backlog N] [--deflate-level L] [--fsync-off] [--no-stop]\n");
}

std::optional<Options> Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has_value = i + 1 < argc;
    auto num = [&] { return std::strtod(argv[++i], nullptr); };
    if (a == "--rates" && has_value) {
      o.rates.clear();
      std::stringstream ss(argv[++i]);
      for (std::string item; std::getline(ss, item, ',');) o.rates.push_back(std::stod(item));
    } else if (a == "--seconds" && has_value) {
      o.seconds = num();
    } else if (a == "--spam-per-second" && has_value) {
      o.spam_per_second = num();
      o.spam_fraction = 0;
    } else if (a == "--spam-fraction" && has_value) {
      o.spam_fraction = num();
    } else if (a == "--members" && has_value) {
      o.members = static_cast<int>(num());
    } else if (a == "--clean-rate" && has_value) {
      o.clean_rate = num();
    } else if (a == "--clean-seconds" && has_value) {
      o.clean_seconds = num();
    } else if (a == "--backlog" && has_value) {
      o.backlog = static_cast<int>(num());
    } else if (a == "--deflate-level" && has_value) {
      o.deflate_level = static_cast<int>(num());
    } else if (a == "--fsync-off") {
      o.durable = false;
    } else if (a == "--no-stop") {
      o.stop_at_saturation = false;
    } else {
      return std::nullopt;
    }
  }
  if (o.rates.empty() || o.seconds <= 0 || o.members < 1) return std::nullopt;
  return o;
}

// --- CPU use, from /proc ---

// User + system time of one thread of this process, in clock ticks.
std::uint64_t ThreadTicks(pid_t tid) {
  std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string line;
  std::getline(f, line);
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  std::uint64_t utime = 0, stime = 0;
  for (int i = 3; rest >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoull(field);
    if (i == 15) {
      stime = std::stoull(field);
      break;
    }
  }
  return utime + stime;
}

struct CpuSample {
  std::uint64_t sim = 0, bot_io = 0;
  Steady::time_point at;
};

// --- what the simulator saw: touched only on the simulator's thread ---

struct Spam {
  core::UserId author;
  core::MessageId message;
  core::Timestamp written{};  // the MESSAGE_CREATE frame left the simulator
};

// Spam number from the marker in a text, if any.
std::optional<std::size_t> SpamNumber(std::string_view text) {
  const auto p = text.find(kMarker);
  if (p == std::string_view::npos) return std::nullopt;
  std::size_t i = p + kMarker.size();
  std::size_t n = 0;
  bool digits = false;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    n = n * 10 + static_cast<std::size_t>(text[i++] - '0');
    digits = true;
  }
  if (!digits) return std::nullopt;
  return n;
}

struct Probe {
  std::vector<Spam> spam;  // by spam number
  std::uint64_t refused = 0;
  std::uint64_t frames = 0;  // payloads written, of every kind

  void OnWritten(std::string_view payload, core::Timestamp at) {
    ++frames;
    // The first frame carrying the marker is the message itself; later ones (the admin embed
    // quoting it) are not.
    const auto n = SpamNumber(payload);
    if (n && *n < spam.size() && spam[*n].written == core::Timestamp{}) spam[*n].written = at;
  }
};

// --- what the bot saw: touched only on the bot's I/O thread (read through Runtime::OnIo) ---

struct BotProbe {
  std::vector<Steady::time_point> read;  // by spam number: its MESSAGE_CREATE read whole
  struct Written {
    std::string target;  // "/api/v10/channels/C/messages/M", "/api/v10/guilds/G/members/U/roles/R"
    Steady::time_point at;
  };
  std::vector<Written> written;  // the DELETEs of messages and role PUTs, in order

  // Kept to a look-up and a store: this runs on the bot's I/O thread, on the path it measures.
  void OnFrame(std::string_view text, Steady::time_point at) {
    const auto n = SpamNumber(text);
    if (n && *n < read.size() && read[*n] == Steady::time_point{}) read[*n] = at;
  }
  void OnRequest(std::string_view method, std::string_view target, Steady::time_point at) {
    const bool del = method == "DELETE" && target.find("/messages/") != std::string_view::npos;
    const bool role = method == "PUT" && target.find("/roles/") != std::string_view::npos;
    if (del || role) written.push_back({std::string(target), at});
  }
};

// --- traffic ---

constexpr std::string_view kWords[] = {
    "the",      "a",        "game",     "tonight",  "anyone",  "up",       "for",      "raid",
    "lol",      "that",     "was",      "so",       "good",    "thanks",   "mate",     "see",
    "you",      "later",    "what",     "time",     "is",      "it",       "there",    "new",
    "patch",    "notes",    "just",     "dropped",  "my",      "build",    "needs",    "more",
    "damage",   "honestly", "i",        "think",    "we",      "should",   "try",      "again",
    "boss",     "fight",    "weekend",  "plans",    "coffee",  "music",    "playlist", "movie",
    "review",   "spoilers", "please",   "stop",     "cat",     "dog",      "picture",  "cute",
    "morning",  "evening",  "everyone", "hello",    "welcome", "back",     "server",   "event",
    "starts",   "in",       "ten",      "minutes",  "voice",   "lobby",    "join",     "us",
    "question", "about",    "code",     "compile",  "error",   "works",    "now",      "fixed",
    "weather",  "rain",     "sunny",    "cold",     "hot",     "pizza",    "dinner",   "lunch",
    "book",     "reading",  "chapter",  "finished", "started", "learning", "guitar",   "piano",
    "homework", "exam",     "study",    "group",    "meeting", "work",     "boring",   "fun",
    "idea",     "maybe",    "yes",      "no",       "sure",    "cool",     "nice",     "great"};
constexpr std::string_view kLinks[] = {"https://github.com/antispam-bot/antispam/issues/5",
                                       "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                                       "https://en.wikipedia.org/wiki/Snowflake_ID"};

struct Outgoing {
  core::UserId author;
  std::string content;
  int spam = -1;  // the spam's number, or -1 for clean chatter
};

class Traffic {
 public:
  Traffic(std::vector<core::UserId> members, std::vector<core::UserId> spammers)
      : members_(std::move(members)), spammers_(std::move(spammers)) {}

  Outgoing Clean() {
    Outgoing o;
    o.author = members_[next_member_++ % members_.size()];
    std::uniform_int_distribution<int> len(4, 14);
    std::uniform_int_distribution<std::size_t> word(0, std::size(kWords) - 1);
    const int n = len(rng_);
    for (int i = 0; i < n; ++i) {
      if (i) o.content += ' ';
      o.content += kWords[word(rng_)];
    }
    if (rng_() % 40 == 0) {
      o.content += ' ';
      o.content += kLinks[rng_() % std::size(kLinks)];
    }
    return o;
  }

  // nullopt once every fresh account has posted.
  std::optional<Outgoing> NextSpam() {
    if (next_spam_ >= spammers_.size()) return std::nullopt;
    Outgoing o;
    o.spam = static_cast<int>(next_spam_);
    o.author = spammers_[next_spam_++];
    o.content = std::string(kSpamText) + std::string(kMarker) + std::to_string(o.spam);
    return o;
  }
  std::size_t spam_sent() const { return next_spam_; }

 private:
  std::vector<core::UserId> members_;
  std::vector<core::UserId> spammers_;
  std::size_t next_member_ = 0;
  std::size_t next_spam_ = 0;
  std::mt19937_64 rng_{20261125};
};

// --- the rig ---

struct Rig {
  Probe probe;
  BotProbe bot_probe;
  std::unique_ptr<sim::Simulator> sim;
  sim::StandardGuild guild;
  std::unique_ptr<app::Runtime> rt;
  pid_t sim_tid = 0, bot_io_tid = 0;
  std::uint64_t sent = 0;  // messages posted in all (the simulator accepted them)

  bot::ModeratorStats Stats() {
    bot::ModeratorStats s;
    rt->OnIo([&] { s = rt->moderator().stats(); });
    return s;
  }
  std::uint64_t Judged() {
    std::uint64_t n = 0;
    rt->OnIo([&] { n = rt->moderator().stats().judged; });
    return n;
  }
  int InFlight() {
    int n = 0;
    rt->OnIo([&] { n = rt->moderator().in_flight(); });
    return n;
  }
  bot::CounterStats Counters() {
    bot::CounterStats s;
    rt->OnIo([&] { s = rt->moderator().counter_stats(); });
    return s;
  }
  CpuSample Cpu() {
    return CpuSample{ThreadTicks(sim_tid), ThreadTicks(bot_io_tid), Steady::now()};
  }

  // Posts `batch` in one hop to the simulator's thread; every message is its own MESSAGE_CREATE.
  void Inject(std::vector<Outgoing>& batch) {
    Probe* p = &probe;
    const core::ChannelId channel = guild.general;
    std::uint64_t posted = 0;
    sim->Act([&batch, &posted, p, channel](sim::World& w) {
      sim::Answer all;
      all.dispatches.reserve(batch.size());
      for (Outgoing& o : batch) {
        sim::Answer a = w.Post(channel, o.author, std::move(o.content));
        if (a.status >= 300 || a.dispatches.empty()) {
          ++p->refused;
          continue;
        }
        if (o.spam >= 0) {
          const auto id = std::stoull(a.dispatches[0].data["id"].get<std::string>());
          p->spam[static_cast<std::size_t>(o.spam)].message = core::MessageId(id);
        }
        for (auto& d : a.dispatches) all.dispatches.push_back(std::move(d));
        ++posted;
      }
      return all;  // its dispatches are destroyed on the caller's thread
    });
    sent += posted;
  }

  // Waits until the bot judged every message sent and no workflow runs, at most `limit`.
  bool Drain(Steady::duration limit) {
    const auto until = Steady::now() + limit;
    while (Steady::now() < until) {
      if (Judged() >= sent && InFlight() == 0) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
};

struct Percentiles {
  std::size_t n = 0;
  double p50 = 0, p99 = 0, max = 0;
};
Percentiles Of(std::vector<double> v) {
  Percentiles p;
  p.n = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = v.back();
  return p;
}

struct StepResult {
  double offered = 0, injected = 0, sustained = 0;
  std::size_t spam = 0, unanswered = 0;
  std::vector<double> e2e;       // frame written -> first DELETE / role PUT received, µs
  std::vector<double> decision;  // inside the bot, µs
  std::vector<double> bot;       // frame read by the bot -> first DELETE / role PUT written, µs
  Percentiles e2e_us, decision_us, bot_us;
  double sim_cpu = 0, bot_io_cpu = 0;  // share of one core
  bool drained = true;
  bool saturated = false;
};

// Drives `rate` messages/s for `seconds`; `spam_rate` spam/s or `spam_fraction` of the messages.
StepResult RunStep(Rig& rig, Traffic& traffic, double rate, double seconds, double spam_rate,
                   double spam_fraction) {
  StepResult r;
  r.offered = rate;
  const std::size_t first_spam = traffic.spam_sent();
  const std::size_t decisions_before = rig.Stats().decision_us.size();
  const std::uint64_t judged0 = rig.Judged();
  const std::uint64_t sent0 = rig.sent;
  const CpuSample cpu0 = rig.Cpu();
  const auto start = Steady::now();
  const auto end =
      start + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(seconds));
  // At most ~1 ms of messages per hop to the simulator's thread.
  const auto max_batch = static_cast<std::uint64_t>(std::max(1.0, rate / 1000.0));
  std::uint64_t sent = 0, spam = 0;
  std::vector<Outgoing> batch;
  while (true) {
    const auto now = Steady::now();
    if (now >= end) break;
    const double elapsed = std::chrono::duration<double>(now - start).count();
    const auto target = static_cast<std::uint64_t>(rate * elapsed);
    if (target <= sent) {
      const auto next = start + std::chrono::duration_cast<Steady::duration>(
                                    std::chrono::duration<double>((sent + 1) / rate));
      std::this_thread::sleep_until(std::min(next, now + 1ms));
      continue;
    }
    const std::uint64_t n = std::min(target - sent, max_batch);
    const auto spam_target =
        spam_fraction > 0
            ? static_cast<std::uint64_t>(static_cast<double>(sent + n) * spam_fraction)
            : static_cast<std::uint64_t>(spam_rate * elapsed);
    batch.clear();
    for (std::uint64_t i = 0; i < n; ++i) {
      std::optional<Outgoing> s;
      if (spam < spam_target) s = traffic.NextSpam();
      if (s) {
        ++spam;
        batch.push_back(std::move(*s));
      } else {
        batch.push_back(traffic.Clean());
      }
    }
    rig.Inject(batch);
    sent += n;
  }
  const auto stop = Steady::now();
  const std::uint64_t judged1 = rig.Judged();
  const CpuSample cpu1 = rig.Cpu();
  const double window = std::chrono::duration<double>(stop - start).count();
  r.injected = static_cast<double>(rig.sent - sent0) / window;
  r.sustained = static_cast<double>(judged1 - judged0) / window;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double wall = std::chrono::duration<double>(cpu1.at - cpu0.at).count();
  r.sim_cpu = static_cast<double>(cpu1.sim - cpu0.sim) / ticks / wall;
  r.bot_io_cpu = static_cast<double>(cpu1.bot_io - cpu0.bot_io) / ticks / wall;

  // Everything judged, every workflow done (or given up on), then the record is read.
  r.drained = rig.Drain(30s);
  const std::size_t last_spam = traffic.spam_sent();
  r.spam = last_spam - first_spam;
  std::vector<Spam> spams;
  rig.sim->With([&](sim::World&) {
    spams.assign(rig.probe.spam.begin() + static_cast<std::ptrdiff_t>(first_spam),
                 rig.probe.spam.begin() + static_cast<std::ptrdiff_t>(last_spam));
  });
  std::unordered_map<std::uint64_t, core::Timestamp> deleted, restricted;  // first request each
  const std::string roles = "/roles/";
  for (const sim::RecordedCall& c : rig.sim->Calls()) {
    std::uint64_t id = 0;
    if (c.method == "DELETE" && c.path.starts_with("/channels/")) {
      const auto m = c.path.find("/messages/");
      if (m == std::string::npos) continue;
      id = std::strtoull(c.path.c_str() + m + 10, nullptr, 10);
      deleted.try_emplace(id, c.at);
    } else if (c.method == "PUT" && c.path.starts_with("/guilds/") &&
               c.path.find(roles) != std::string::npos) {
      const auto m = c.path.find("/members/");
      if (m == std::string::npos) continue;
      id = std::strtoull(c.path.c_str() + m + 9, nullptr, 10);
      restricted.try_emplace(id, c.at);
    }
  }
  std::vector<double> e2e;
  for (const Spam& s : spams) {
    std::optional<core::Timestamp> out;
    if (auto it = deleted.find(s.message.value()); it != deleted.end()) out = it->second;
    if (auto it = restricted.find(s.author.value()); it != restricted.end()) {
      out = out ? std::min(*out, it->second) : it->second;
    }
    if (!out || s.written == core::Timestamp{}) {
      ++r.unanswered;
      continue;
    }
    e2e.push_back(static_cast<double>((*out - s.written).count()));
  }
  r.e2e = std::move(e2e);
  r.e2e_us = Of(r.e2e);

  // The same at the bot's own edges: from the moment its I/O thread had read the frame whole to
  // the moment it had written the first DELETE or role PUT whole (both loopback hops and the
  // simulator's own work left out).
  std::vector<Steady::time_point> read;
  std::vector<BotProbe::Written> written;
  rig.rt->OnIo([&] {
    read.assign(rig.bot_probe.read.begin() + static_cast<std::ptrdiff_t>(first_spam),
                rig.bot_probe.read.begin() + static_cast<std::ptrdiff_t>(last_spam));
    written = rig.bot_probe.written;
  });
  std::unordered_map<std::uint64_t, Steady::time_point> bot_deleted, bot_restricted;
  for (const BotProbe::Written& w : written) {
    if (const auto m = w.target.find("/messages/"); m != std::string::npos) {
      bot_deleted.try_emplace(std::strtoull(w.target.c_str() + m + 10, nullptr, 10), w.at);
    } else if (const auto u = w.target.find("/members/"); u != std::string::npos) {
      bot_restricted.try_emplace(std::strtoull(w.target.c_str() + u + 9, nullptr, 10), w.at);
    }
  }
  for (std::size_t i = 0; i < spams.size() && i < read.size(); ++i) {
    std::optional<Steady::time_point> out;
    if (auto it = bot_deleted.find(spams[i].message.value()); it != bot_deleted.end()) {
      out = it->second;
    }
    if (auto it = bot_restricted.find(spams[i].author.value()); it != bot_restricted.end()) {
      out = out ? std::min(*out, it->second) : it->second;
    }
    if (!out || read[i] == Steady::time_point{}) continue;
    r.bot.push_back(std::chrono::duration<double, std::micro>(*out - read[i]).count());
  }
  r.bot_us = Of(r.bot);
  const auto stats = rig.Stats();
  r.decision.assign(stats.decision_us.begin() + static_cast<std::ptrdiff_t>(decisions_before),
                    stats.decision_us.end());
  r.decision_us = Of(r.decision);
  r.saturated = r.sustained < 0.95 * r.offered || r.injected < 0.95 * r.offered ||
                r.e2e_us.p99 > 100'000 || r.unanswered > 0 || !r.drained;
  return r;
}

std::string Ms(double us) {
  char buf[32];
  if (us >= 10'000) {
    std::snprintf(buf, sizeof buf, "%.0f", us / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", us / 1000);
  }
  return buf;
}

int Run(const Options& o, const std::string& root) {
  store::pg::LocalCluster cluster({.root = root, .durable = o.durable});
  if (auto r = cluster.Start(); !r) {
    std::fprintf(stderr, "bench: %s\n", r.error().ToString().c_str());
    return 1;
  }
  {
    store::pg::Pool admin({.url = cluster.Url(), .size = 1});
    if (auto r = store::pg::Migrator(admin).Apply(store::pg::EmbeddedMigrations()); !r) {
      std::fprintf(stderr, "bench: %s\n", r.error().ToString().c_str());
      return 1;
    }
  }
  store::pg::Pool pool({.url = cluster.Url(), .size = 4});

  Rig rig;
  sim::SimulatorOptions so;
  so.gateway.compression_level = o.deflate_level;
  Probe* probe = &rig.probe;
  so.gateway.on_written = [probe](std::string_view payload, core::Timestamp at) {
    probe->OnWritten(payload, at);
  };
  rig.sim = std::make_unique<sim::Simulator>(so);
  if (!rig.sim->Start()) {
    std::fprintf(stderr, "bench: the simulator did not start\n");
    return 1;
  }
  rig.guild = rig.sim->AddStandardGuild("load");
  const sim::StandardGuild& g = rig.guild;
  const core::SystemClock clock;
  store::pg::ServerRepo servers(pool, clock);
  store::pg::ServerPatch patch;
  patch.restricted_role_id = g.restricted_role;
  patch.admin_channel_id = g.admin;
  patch.verification_channel_id = g.verification;
  patch.admin_notification_role_id = g.moderator_role;
  patch.settings = R"({"weight.message_rate": "0"})";
  if (auto r = servers.Upsert(g.guild, patch); !r) {
    std::fprintf(stderr, "bench: %s\n", r.error().ToString().c_str());
    return 1;
  }

  // One fresh account per planned spam message, and some to spare.
  double planned = 0;
  for (double rate : o.rates) {
    planned +=
        o.spam_fraction > 0 ? rate * o.seconds * o.spam_fraction : o.spam_per_second * o.seconds;
  }
  const auto spammer_count = static_cast<std::size_t>(planned * 1.1) + 16;
  std::vector<core::UserId> members, spammers;
  const auto now = clock.Now();
  rig.sim->With([&](sim::World& w) {
    sim::Guild* guild = w.FindGuild(g.guild.value());
    for (int i = 0; i < o.members; ++i) {
      const auto created = now - std::chrono::days(400) - std::chrono::minutes(i);
      const core::UserId u = w.AddUser("member" + std::to_string(i), false, true, created).id;
      (void)w.Join(*guild, u);
      guild->members[u.value()].joined_at = now - std::chrono::days(300);  // long-standing
      members.push_back(u);
    }
    for (std::size_t i = 0; i < spammer_count; ++i) {
      const auto created = now - std::chrono::hours(2) - std::chrono::seconds(i);
      const core::UserId u = w.AddUser("fresh" + std::to_string(i), false, true, created).id;
      (void)w.Join(*guild, u);
      spammers.push_back(u);
    }
    rig.probe.spam.resize(spammer_count);
  });
  rig.sim->With([&](sim::World&) { rig.sim_tid = ::gettid(); });
  Traffic traffic(members, std::move(spammers));

  app::RuntimeOptions ro;
  ro.discord.api_base_url = rig.sim->api_base_url();
  ro.discord.token = rig.sim->token();
  ro.config.source = bot::ConfigSource::kDbOnly;
  ro.db_threads = 4;
  rig.bot_probe.read.resize(spammer_count);
  BotProbe* bot_probe = &rig.bot_probe;
  ro.on_gateway_frame = [bot_probe](std::string_view text, Steady::time_point at) {
    bot_probe->OnFrame(text, at);
  };
  ro.on_request_written = [bot_probe](std::string_view method, std::string_view target,
                                      Steady::time_point at) {
    bot_probe->OnRequest(method, target, at);
  };
  auto rt = app::Runtime::Start(pool, ro);
  if (!rt) {
    std::fprintf(stderr, "bench: %s\n", rt.error().ToString().c_str());
    return 1;
  }
  rig.rt = std::move(*rt);
  rig.rt->OnIo([&] { rig.bot_io_tid = ::gettid(); });
  for (int i = 0; i < 500 && rig.rt->config().Cached(g.guild) == nullptr; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  // Warm-up: connections, prepared statements, caches.
  {
    std::vector<Outgoing> warm;
    for (int i = 0; i < 500; ++i) warm.push_back(traffic.Clean());
    rig.Inject(warm);
    if (!rig.Drain(20s)) {
      std::fprintf(stderr, "bench: the bot did not take the warm-up messages\n");
      return 1;
    }
    (void)rig.rt->Flush();
  }

  std::printf("antispam bot under load: %d members, %zu fresh accounts, PostgreSQL %s, %u cores\n",
              o.members, spammer_count, o.durable ? "durable (fsync on)" : "fsync off",
              std::thread::hardware_concurrency());
  std::printf("threads (for perf --tid): simulator %d, bot I/O %d\n", static_cast<int>(rig.sim_tid),
              static_cast<int>(rig.bot_io_tid));

  // Phase 1: clean traffic only; what reaches the database.
  if (o.clean_seconds > 0) {
    const auto rt0 = pool.round_trips();
    const auto c0 = rig.Counters();
    const auto j0 = rig.Judged();
    StepResult clean = RunStep(rig, traffic, o.clean_rate, o.clean_seconds, 0, 0);
    if (auto f = rig.rt->Flush(); !f) {
      std::fprintf(stderr, "bench: flush failed: %s\n", f.error().ToString().c_str());
    }
    const auto rt1 = pool.round_trips();
    const auto c1 = rig.Counters();
    const double messages = static_cast<double>(rig.Judged() - j0);
    const auto flushes = c1.flushes - c0.flushes;
    const auto statements = c1.statements - c0.statements;
    const auto trips = rt1 - rt0;
    std::printf(
        "\nclean traffic: %.0f msg/s offered, %.0f sustained, %.0f s, %.0f messages judged\n"
        "  flushes %" PRIu64 ", statements %" PRIu64 " (%.2f per flush), round trips %" PRIu64
        " (%.2f per flush)\n"
        "  per 1,000 clean messages: %.4f statements, %.4f round trips\n",
        clean.offered, clean.sustained, o.clean_seconds, messages, flushes, statements,
        flushes ? static_cast<double>(statements) / static_cast<double>(flushes) : 0.0, trips,
        flushes ? static_cast<double>(trips) / static_cast<double>(flushes) : 0.0,
        messages > 0 ? 1000.0 * static_cast<double>(statements) / messages : 0.0,
        messages > 0 ? 1000.0 * static_cast<double>(trips) / messages : 0.0);
  }

  // Phase 2: the bot's own capacity. Its I/O thread is held while the simulator writes a backlog
  // of clean messages into the socket; released, the bot works through it with the simulator
  // (mostly) idle, so the rate is the bot's, not the driver's.
  if (o.backlog > 0) {
    (void)rig.Drain(30s);
    const std::uint64_t judged0 = rig.Judged();
    std::promise<void> gate;
    std::shared_future<void> open = gate.get_future().share();
    std::thread holder([&rig, open] { rig.rt->OnIo([open] { open.wait(); }); });
    std::uint64_t frames0 = 0;
    rig.sim->With([&](sim::World&) { frames0 = rig.probe.frames; });
    std::vector<Outgoing> batch;
    for (int done = 0; done < o.backlog;) {
      const int n = std::min(1'000, o.backlog - done);
      batch.clear();
      for (int i = 0; i < n; ++i) batch.push_back(traffic.Clean());
      rig.Inject(batch);
      done += n;
    }
    // Wait until the simulator has written what the socket takes (no progress for 1 s).
    std::uint64_t written = 0, last = ~std::uint64_t{0};
    while (written != last) {
      last = written;
      std::this_thread::sleep_for(1s);
      rig.sim->With([&](sim::World&) { written = rig.probe.frames - frames0; });
    }
    const auto start = Steady::now();
    const CpuSample cpu0 = rig.Cpu();
    gate.set_value();
    holder.join();
    const auto give_up = Steady::now() + 120s;
    while (rig.Judged() < judged0 + static_cast<std::uint64_t>(o.backlog) &&
           Steady::now() < give_up) {
      std::this_thread::sleep_for(5ms);
    }
    const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
    const CpuSample cpu1 = rig.Cpu();
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double wall = std::chrono::duration<double>(cpu1.at - cpu0.at).count();
    const double n = o.backlog;
    std::printf("\ncapacity: a backlog of %.0f messages (%" PRIu64
                " written to the socket before the release) judged in %.2f s: %.0f msg/s; "
                "bot I/O thread %.0f %%, simulator thread %.0f %%\n",
                n, written, seconds, n / seconds,
                100 * static_cast<double>(cpu1.bot_io - cpu0.bot_io) / ticks / wall,
                100 * static_cast<double>(cpu1.sim - cpu0.sim) / ticks / wall);
    (void)rig.rt->Flush();
  }

  // Phase 3: the steps.
  char spam_line[96];
  if (o.spam_fraction > 0) {
    std::snprintf(spam_line, sizeof spam_line, "spam: %.2f %% of messages", 100 * o.spam_fraction);
  } else {
    std::snprintf(spam_line, sizeof spam_line, "spam: %.1f per second", o.spam_per_second);
  }
  std::printf(
      "\n%s\n"
      "| offered msg/s | injected | sustained | spam | frame→action p50 ms | p99 ms | max ms | "
      "bot frame in→request out p50 µs | p99 µs | max µs | bot decision p50 µs | p99 µs | "
      "sim thread | bot I/O thread |\n"
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
      spam_line);
  std::fflush(stdout);
  std::vector<double> pooled_e2e, pooled_decision, pooled_bot;  // the steps below saturation
  for (double rate : o.rates) {
    const StepResult r = RunStep(rig, traffic, rate, o.seconds, o.spam_per_second, o.spam_fraction);
    if (!r.saturated) {
      pooled_e2e.insert(pooled_e2e.end(), r.e2e.begin(), r.e2e.end());
      pooled_decision.insert(pooled_decision.end(), r.decision.begin(), r.decision.end());
      pooled_bot.insert(pooled_bot.end(), r.bot.begin(), r.bot.end());
    }
    std::printf(
        "| %.0f | %.0f | %.0f | %zu%s | %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f %% | "
        "%.0f %% |%s\n",
        r.offered, r.injected, r.sustained, r.spam,
        r.unanswered ? (" (" + std::to_string(r.unanswered) + " unanswered)").c_str() : "",
        Ms(r.e2e_us.p50).c_str(), Ms(r.e2e_us.p99).c_str(), Ms(r.e2e_us.max).c_str(),
        r.bot_us.p50, r.bot_us.p99, r.bot_us.max, r.decision_us.p50, r.decision_us.p99,
        100 * r.sim_cpu, 100 * r.bot_io_cpu,
        r.saturated ? " saturated" : "");
    std::fflush(stdout);
    if (r.saturated && o.stop_at_saturation) break;
  }
  const Percentiles e2e = Of(pooled_e2e);
  const Percentiles decision = Of(pooled_decision);
  const Percentiles bot = Of(pooled_bot);
  std::printf(
      "all steps below saturation: %zu spam; frame→action p50 %s ms, p99 %s ms, max %s ms; "
      "bot frame in→request out (%zu) p50 %.0f µs, p99 %.0f µs, max %.0f µs; "
      "bot decision p50 %.0f µs, p99 %.0f µs\n",
      e2e.n, Ms(e2e.p50).c_str(), Ms(e2e.p99).c_str(), Ms(e2e.max).c_str(), bot.n, bot.p50,
      bot.p99, bot.max, decision.p50, decision.p99);
  if (rig.probe.refused > 0) {
    std::printf("simulator refused %" PRIu64 " posts\n", rig.probe.refused);
  }
  const auto stats = rig.Stats();
  std::printf("\nbot: %" PRIu64 " messages judged, %" PRIu64 " detections, %" PRIu64
              " restricted, %" PRIu64 " deleted, %" PRIu64 " refusals, %" PRIu64
              " database failures\n",
              stats.judged, stats.detections, stats.restricted, stats.deleted, stats.refusals,
              stats.db_failures);
  std::printf("detections by signal:");
  for (const auto& [signal, n] : stats.by_signal) std::printf(" %s %" PRIu64, signal.c_str(), n);
  std::printf("\n");
  if (auto s = rig.rt->Stop(5s); !s) {
    std::fprintf(stderr, "bench: stop: %s\n", s.error().ToString().c_str());
  }
  rig.rt.reset();
  rig.sim->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = Parse(argc, argv);
  if (!options) {
    Usage();
    return 2;
  }
  spdlog::set_level(spdlog::level::err);
  char tmpl[] = "/tmp/antispam-load-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  const int rc = Run(*options, tmpl);
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
  return rc;
}

// `antispam demo` (issue 5 item 8): the whole product on one machine with nothing configured — the
// database (embedded by default), the built-in Discord simulator, and the real bot (app::Runtime)
// connected to it over real sockets. A scripted day plays through it: members chatting in three
// channels, a flooder, a raid of fresh accounts posting phishing links and nitro scams, a false
// positive a moderator verifies with the button, a ban by button, a `/config set` by the owner and
// one refused for a member without the permission. Then a summary: messages processed, detections
// by signal, cases opened and resolved, REST calls by endpoint, decision latency.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/runtime.h"
#include "core/result.h"
#include "sim/simulator.h"
#include "store/pg/pool.h"

namespace app {

struct DemoOptions {
  int members = 200;  // ordinary members chatting
  int messages_per_member = 3;
  int raiders = 30;
  std::uint16_t port = 0;  // the simulator's (0: any free port)
  std::string listen_url;  // LISTEN/NOTIFY for configuration changes; empty: none
  std::optional<detect::llm::Config> llm;
  std::chrono::seconds step_timeout{60};  // a step that does not complete in time fails the demo
};

// What happened, for the summary and for tests to check against the database and the simulator.
struct DemoReport {
  sim::StandardGuild guild;
  core::UserId moderator;             // clicks the buttons
  std::vector<core::UserId> members;  // ordinary members (the false positive among them)
  core::UserId flooder;
  core::UserId false_positive;  // flagged, then verified by the button
  std::vector<core::UserId> raiders;
  std::vector<core::MessageId> raid_messages;
  core::UserId banned;                   // a raider banned by the button
  std::string config_key, config_value;  // set by the owner
  core::UserId refused_member;           // whose /config set was refused
  std::uint64_t posted = 0;              // messages posted in the scenario
  bot::ModeratorStats stats;
  std::map<std::string, int> rest_calls;  // "METHOD /route" -> count
  int cases_opened = 0;
  int cases_resolved = 0;
  double p50_us = 0, p99_us = 0;  // decision latency of flagged events
};

class Demo {
 public:
  // Starts the simulator (a standard guild, its roles and channels configured in the database,
  // the members) and the bot against it.
  static core::Result<std::unique_ptr<Demo>> Start(store::pg::Pool& pool, DemoOptions options);
  ~Demo();

  // Plays the scripted day; progress lines to `out`. Each step waits for the bot to finish it.
  core::Result<DemoReport> Play(std::FILE* out);
  static void PrintSummary(const DemoReport& report, std::FILE* out);

  sim::Simulator& simulator() { return *sim_; }
  Runtime& runtime() { return *runtime_; }
  // Stops the bot (gracefully) and the simulator.
  core::Result<void> Stop();

 private:
  Demo() = default;
  store::pg::Pool* pool_ = nullptr;
  DemoOptions options_;
  std::unique_ptr<sim::Simulator> sim_;
  std::unique_ptr<Runtime> runtime_;
  DemoReport report_;
};

}  // namespace app

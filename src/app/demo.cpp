#include "app/demo.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <set>
#include <thread>

#include "core/clock.h"
#include "store/pg/server_repo.h"

namespace app {
namespace {

using namespace std::chrono_literals;

// Ordinary chat: every message a different combination, so no two members ever send the same
// text (which the raid check would rightly notice).
constexpr std::string_view kOpeners[] = {
    "hey all", "morning", "quick question", "ok so",     "honestly",
    "lol",     "ngl",     "fwiw",           "same here", "good point",
    "wait",    "hmm",     "yeah",           "nice",      "to be fair",
    "agreed",  "ha",      "right",          "well",      "oh"};
constexpr std::string_view kMiddles[] = {"the new map is pretty fun",
                                         "I finally beat that boss",
                                         "my build keeps crashing on level two",
                                         "the patch notes look decent",
                                         "we should run a match tonight",
                                         "the soundtrack in this one is great",
                                         "I think the meta shifted again",
                                         "my internet is slow today",
                                         "that tournament was close",
                                         "the tutorial explains it better than the wiki",
                                         "I am still stuck on the puzzle room",
                                         "the new skins look clean",
                                         "queue times are long this week",
                                         "I switched to controller and it feels better",
                                         "the devs answered on the forum",
                                         "my friend just started playing",
                                         "the ranked reset hit hard",
                                         "I am saving up for the expansion",
                                         "the co-op mode is underrated",
                                         "the weekend event starts on friday"};
constexpr std::string_view kEndings[] = {
    "",         " :)",       " haha",          " any tips?", " right?",
    " tbh",     " idk",      " see you there", " gg",        " probably",
    " I guess", " for sure", " maybe later",   " thoughts?", " whatever works",
    " cheers",  " brb",      " agreed",        " nice one",  " later"};

// Hosts on the bundled phishing lists (data/phishing-domains).
constexpr std::string_view kPhishingHosts[] = {
    "airdrop-discord-nitro.com", "yummy-nitro.com",  "1nitro.club", "all-nitro.xyz",
    "app-discord-nitro.ru",      "airdrop-nitro.com"};
constexpr std::string_view kScams[] = {
    "@everyone free discord nitro for 3 months, claim it before it runs out https://{}/claim",
    "steam gift card giveaway for the first 50 members https://{}/gift",
    "hey I accidentally reported you, talk to the admin here to fix it https://{}/support",
    "free nitro drop, just log in with discord https://{}/login",
};

// Polls `done` until it holds or `limit` passes.
bool Until(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

core::Error Stalled(std::string_view what) {
  return core::Error{core::ErrorCode::kTimeout,
                     fmt::format("the demo stalled waiting for {}", what), "demo"};
}

}  // namespace

core::Result<std::unique_ptr<Demo>> Demo::Start(store::pg::Pool& pool, DemoOptions options) {
  std::unique_ptr<Demo> demo(new Demo());
  demo->pool_ = &pool;
  demo->options_ = options;
  sim::SimulatorOptions so;
  so.port = options.port;
  demo->sim_ = std::make_unique<sim::Simulator>(so);
  if (auto started = demo->sim_->Start(); !started) return std::unexpected(started.error());
  sim::Simulator& s = *demo->sim_;
  DemoReport& r = demo->report_;
  r.guild = s.AddStandardGuild("Demo Gaming Hub");
  const core::Timestamp now = core::DefaultClock().Now();

  // Two more channels to chat in.
  s.With([&](sim::World& w) {
    sim::Guild* g = w.FindGuild(r.guild.guild.value());
    w.AddChannel(*g, "off-topic");
    w.AddChannel(*g, "help");
  });

  // The guild as its admins configured it.
  store::pg::ServerRepo servers(pool, core::DefaultClock());
  store::pg::ServerPatch p;
  p.restricted_role_id = r.guild.restricted_role;
  p.admin_channel_id = r.guild.admin;
  p.verification_channel_id = r.guild.verification;
  p.admin_notification_role_id = r.guild.moderator_role;
  p.settings = "{}";
  if (auto written = servers.Upsert(r.guild.guild, p); !written) {
    return std::unexpected(written.error());
  }

  // Members who were here long before today: old accounts, joined months ago.
  r.moderator = s.AddUser("mod_kira", now - std::chrono::days(900));
  s.Join(r.guild.guild, r.moderator, {r.guild.moderator_role});
  for (int i = 0; i < options.members; ++i) {
    const core::UserId u =
        s.AddUser(fmt::format("player{:03}", i + 1), now - std::chrono::days(200 + i));
    s.Join(r.guild.guild, u);
    r.members.push_back(u);
  }
  s.With([&](sim::World& w) {
    sim::Guild* g = w.FindGuild(r.guild.guild.value());
    for (auto& [id, m] : g->members) m.joined_at = now - std::chrono::days(120);
  });

  RuntimeOptions ro;
  ro.discord.api_base_url = s.api_base_url();
  ro.discord.token = s.token();
  ro.config.source = bot::ConfigSource::kDbOnly;
  ro.moderator.flush_interval = 1s;
  ro.db_threads = 4;
  ro.listen_url = options.listen_url;
  ro.llm = options.llm;
  auto runtime = Runtime::Start(pool, ro);
  if (!runtime) return std::unexpected(runtime.error());
  demo->runtime_ = std::move(*runtime);
  if (!Until([&] { return demo->runtime_->config().Cached(r.guild.guild) != nullptr; },
             options.step_timeout)) {
    return std::unexpected(Stalled("the guild to load"));
  }
  return demo;
}

Demo::~Demo() {
  if (runtime_ || sim_) (void)Stop();
}

core::Result<void> Demo::Stop() {
  core::Result<void> result;
  if (runtime_) {
    result = runtime_->Stop();
    runtime_.reset();
  }
  if (sim_) {
    sim_->Stop();
    sim_.reset();
  }
  return result;
}

core::Result<DemoReport> Demo::Play(std::FILE* out) {
  sim::Simulator& s = *sim_;
  DemoReport& r = report_;
  Runtime& rt = *runtime_;
  const core::Timestamp now = core::DefaultClock().Now();
  std::mt19937_64 rng(20261125);
  auto say = [&](std::string line) {
    std::fprintf(out, "%s\n", line.c_str());
    std::fflush(out);
  };
  auto judged = [&] {
    std::uint64_t n = 0;
    rt.OnIo([&] { n = rt.moderator().stats().judged; });
    return n;
  };
  auto settled = [&] {
    int in_flight = 0;
    rt.OnIo([&] { in_flight = rt.moderator().in_flight(); });
    return in_flight == 0;
  };
  auto open_case = [&](core::UserId u) {
    bool open = false;
    rt.OnIo([&] {
      auto c = rt.moderator().CaseOf(r.guild.guild, u);
      open = c && !c->card.case_id.empty() && c->admin_message.has_value() && !c->busy;
    });
    return open;
  };
  std::vector<core::ChannelId> channels{r.guild.general};
  s.With([&](sim::World& w) {
    for (const auto& [id, c] : w.FindGuild(r.guild.guild.value())->channels) {
      if (c.name == "off-topic" || c.name == "help") channels.push_back(c.id);
    }
  });

  // 1. A day of ordinary chat in three channels.
  std::vector<std::string> lines;
  for (auto a : kOpeners) {
    for (auto b : kMiddles) {
      for (auto c : kEndings) lines.push_back(fmt::format("{} {}{}", a, b, c));
    }
  }
  std::shuffle(lines.begin(), lines.end(), rng);
  const std::uint64_t judged_before = judged();
  std::size_t next_line = 0;
  for (int round = 0; round < options_.messages_per_member; ++round) {
    for (std::size_t i = 0; i < r.members.size(); ++i) {
      const auto channel = channels[(i + static_cast<std::size_t>(round)) % channels.size()];
      if (s.Post(channel, r.members[i], lines[next_line++ % lines.size()])) ++r.posted;
    }
  }
  say(fmt::format("  chat: {} messages from {} members in {} channels", r.posted, r.members.size(),
                  channels.size()));

  // 2. A flooder: one member, the same line again and again.
  r.flooder = r.members.at(r.members.size() / 2);
  for (int i = 0; i < 8; ++i) {
    if (s.Post(r.guild.general, r.flooder, "JOIN MY SERVER JOIN MY SERVER")) ++r.posted;
  }
  if (!Until([&] { return open_case(r.flooder); }, options_.step_timeout)) {
    return std::unexpected(Stalled("the flooder's case"));
  }
  say("  flooder: restricted, case opened");

  // 3. A raid: fresh accounts without avatars join at once and post scams with phishing links.
  for (int i = 0; i < options_.raiders; ++i) {
    const core::UserId u = s.AddUser(fmt::format("nitro_drops_{}", i + 1),
                                     now - std::chrono::hours(2 + i % 20), /*avatar=*/false);
    s.Join(r.guild.guild, u);
    r.raiders.push_back(u);
  }
  for (int i = 0; i < options_.raiders; ++i) {
    const std::string text =
        fmt::format(fmt::runtime(kScams[static_cast<std::size_t>(i) % std::size(kScams)]),
                    kPhishingHosts[static_cast<std::size_t>(i) % std::size(kPhishingHosts)]);
    if (auto id =
            s.Post(channels[static_cast<std::size_t>(i) % channels.size()], r.raiders[i], text)) {
      r.raid_messages.push_back(*id);
      ++r.posted;
    }
  }
  if (!Until(
          [&] {
            return std::all_of(r.raiders.begin(), r.raiders.end(),
                               [&](core::UserId u) { return open_case(u); });
          },
          options_.step_timeout)) {
    return std::unexpected(Stalled("every raider's case"));
  }
  say(fmt::format("  raid: {} fresh accounts joined and posted scams; all restricted",
                  r.raiders.size()));

  // 4. A false positive: a regular warns the others and quotes the scam link.
  r.false_positive = r.members.at(7);
  if (s.Post(r.guild.general, r.false_positive,
             fmt::format("careful, do not open https://{}/claim it is a scam going around",
                         kPhishingHosts[0]))) {
    ++r.posted;
  }
  if (!Until([&] { return open_case(r.false_positive); }, options_.step_timeout)) {
    return std::unexpected(Stalled("the false positive's case"));
  }
  // The moderator reads the case and presses Verify.
  std::string verify_id, ban_id;
  std::optional<core::MessageId> verify_message, ban_message;
  r.banned = r.raiders.front();
  rt.OnIo([&] {
    auto fp = rt.moderator().CaseOf(r.guild.guild, r.false_positive);
    verify_id = fp->card.case_id;
    verify_message = fp->admin_message;
    auto raider = rt.moderator().CaseOf(r.guild.guild, r.banned);
    ban_id = raider->card.case_id;
    ban_message = raider->admin_message;
  });
  const auto verify =
      s.ClickButton(r.guild.admin, *verify_message, r.moderator, "case:verify:" + verify_id);
  const auto ban = s.ClickButton(r.guild.admin, *ban_message, r.moderator, "case:ban:" + ban_id);
  auto answered = [&](std::uint64_t id) {
    auto st = s.Interaction(id);
    return st && st->callback_type != 0;
  };
  if (!Until([&] { return answered(verify) && answered(ban); }, options_.step_timeout)) {
    return std::unexpected(Stalled("the moderator's buttons"));
  }
  say("  moderator: verified the false positive, banned a raider");

  // 5. Configuration: the owner changes a setting; a member without Manage Guild cannot.
  r.config_key = "workflow.store_messages";
  r.config_value = "5";
  auto config_set = [](std::string key, std::string value) {
    return nlohmann::json{{"name", "config"},
                          {"options",
                           {{{"name", "set"},
                             {"type", 1},
                             {"options",
                              {{{"name", "key"}, {"type", 3}, {"value", key}},
                               {{"name", "value"}, {"type", 3}, {"value", value}}}}}}}};
  };
  const auto by_owner =
      s.RunCommand(r.guild.general, r.guild.owner, config_set(r.config_key, r.config_value));
  r.refused_member = r.members.at(3);
  const auto by_member =
      s.RunCommand(r.guild.general, r.refused_member, config_set("action.restrict", "0.99"));
  if (!Until([&] { return answered(by_owner) && answered(by_member); }, options_.step_timeout)) {
    return std::unexpected(Stalled("the /config commands"));
  }
  say("  /config set by the owner applied; the same by a member refused");

  // Everything judged and done, counters written.
  if (!Until([&] { return judged() - judged_before >= r.posted && settled(); },
             options_.step_timeout)) {
    return std::unexpected(Stalled("the bot to judge every message"));
  }
  if (auto flushed = rt.Flush(); !flushed) return std::unexpected(flushed.error());

  rt.OnIo([&] { r.stats = rt.moderator().stats(); });
  r.cases_opened = static_cast<int>(r.stats.cases_opened);
  r.cases_resolved = static_cast<int>(r.stats.resolved);
  r.p50_us = Percentile(r.stats.decision_us, 0.50);
  r.p99_us = Percentile(r.stats.decision_us, 0.99);
  for (const auto& call : s.Calls()) ++r.rest_calls[call.method + " " + call.route];
  return r;
}

void Demo::PrintSummary(const DemoReport& r, std::FILE* out) {
  std::fprintf(out, "\nsummary\n");
  std::fprintf(out, "  %-34s %10llu\n", "messages processed",
               static_cast<unsigned long long>(r.stats.messages));
  std::fprintf(out, "  %-34s %10llu\n", "joins processed",
               static_cast<unsigned long long>(r.stats.joins));
  std::fprintf(out, "  %-34s %10llu\n", "detections",
               static_cast<unsigned long long>(r.stats.detections));
  std::fprintf(out, "  %-34s %10d\n", "cases opened", r.cases_opened);
  std::fprintf(out, "  %-34s %10d\n", "cases resolved by moderators", r.cases_resolved);
  std::fprintf(out, "  %-34s %10llu\n", "members restricted",
               static_cast<unsigned long long>(r.stats.restricted));
  std::fprintf(out, "  %-34s %10llu\n", "messages deleted",
               static_cast<unsigned long long>(r.stats.deleted));
  std::fprintf(out, "  %-34s %10llu\n", "Discord refusals",
               static_cast<unsigned long long>(r.stats.refusals));
  std::fprintf(out, "  %-34s %7.0f µs\n", "decision latency p50", r.p50_us);
  std::fprintf(out, "  %-34s %7.0f µs\n", "decision latency p99", r.p99_us);
  std::fprintf(out, "\ndetections by signal\n");
  std::vector<std::pair<std::string, std::uint64_t>> signals(r.stats.by_signal.begin(),
                                                             r.stats.by_signal.end());
  std::sort(signals.begin(), signals.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [name, n] : signals) {
    std::fprintf(out, "  %-34s %10llu\n", name.c_str(), static_cast<unsigned long long>(n));
  }
  std::fprintf(out, "\nREST calls by endpoint\n");
  for (const auto& [endpoint, n] : r.rest_calls) {
    std::fprintf(out, "  %-60s %6d\n", endpoint.c_str(), n);
  }
  std::fflush(out);
}

}  // namespace app

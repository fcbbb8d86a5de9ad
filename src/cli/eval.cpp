#include "cli/eval.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "detect/engine.h"
#include "detect/ml/fasttext_classifier.h"
#include "net/http_client.h"

namespace cli {
namespace {

// An established member: a two-year-old account that joined a year ago and has talked a lot.
detect::MessageSample Sample(std::string_view text, std::int64_t n, core::Timestamp at) {
  detect::MessageSample s;
  s.guild = core::GuildId(1000000000000000001ULL);
  s.channel = core::ChannelId(1000000000000000002ULL);
  s.message = core::MessageId(1000000000000000003ULL + static_cast<std::uint64_t>(n));
  s.author.id =
      core::UserId::CreatedAtTime(at - std::chrono::hours(24 * 730), static_cast<std::uint64_t>(n));
  s.author.username = "member";
  s.author.joined_at = at - std::chrono::hours(24 * 365);
  s.author.messages_in_guild = 1000;
  s.text = text;
  s.at = at;
  return s;
}

}  // namespace

std::string EvalReport::ToJson() const {
  nlohmann::ordered_json j;
  j["n"] = n;
  j["tp"] = tp;
  j["fp"] = fp;
  j["tn"] = tn;
  j["fn"] = fn;
  j["precision"] = precision;
  j["recall"] = recall;
  j["f1"] = f1;
  j["fpr"] = fpr;
  j["us_per_message"] = us_per_message;
  if (llm_configured) {
    j["llm_calls"] = llm_calls;
    j["llm_failures"] = llm_failures;
  }
  return j.dump();
}

core::Result<EvalReport> RunEval(const EvalOptions& options, std::FILE* diagnostics) {
  std::ifstream in(options.tsv, std::ios::binary);
  if (!in) {
    return core::Fail(core::ErrorCode::kNotFound,
                      fmt::format("cannot read {}: {}", options.tsv, std::strerror(errno)),
                      options.tsv);
  }
  detect::Engine engine;
  engine.SetClassifier(options.model);
  if (!options.lists_dir.empty()) {
    auto lists = detect::Lists::FromDirectory(options.lists_dir);
    if (!lists) return std::unexpected(lists.error());
    engine.SetLists(*lists);
  }
  if (!options.settings.empty()) {
    detect::PolicyData policy = detect::PolicyData::Defaults();
    for (const std::string& kv : options.settings) {
      const std::size_t eq = kv.find('=');
      if (eq == std::string::npos) {
        return core::Fail(core::ErrorCode::kInvalidArgument,
                          fmt::format("--set takes key=value, not \"{}\"", kv), kv);
      }
      if (auto r = policy.Set(kv.substr(0, eq), kv.substr(eq + 1)); !r)
        return std::unexpected(r.error());
    }
    auto compiled = detect::CompiledPolicy::Compile(std::move(policy));
    if (!compiled) return std::unexpected(compiled.error());
    engine.SetPolicy(core::GuildId(1000000000000000001ULL), *compiled);
  }
  // Build the shared lists and default policy before timing (a bot does it once at start).
  {
    detect::MessageSample warm = Sample("warm up https://example.com", 0, core::Timestamp{});
    warm.guild = core::GuildId(1);
    (void)engine.Judge(warm);
  }
  EvalReport r;
  r.llm_configured = options.llm.has_value();
  boost::asio::io_context io;
  net::HttpClient http(io.get_executor());
  std::optional<detect::llm::Client> llm;
  if (options.llm) {
    if (auto v = options.llm->Validate(); !v) return std::unexpected(v.error());
    llm.emplace(*options.llm, http, core::DefaultClock());
  }
  std::string line;
  std::int64_t line_no = 0;
  std::chrono::nanoseconds spent{0};
  int shown = 0;
  const core::Timestamp start(std::chrono::seconds(1767225600));  // 2026-01-01, fixed
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line == "label\ttext") continue;
    const std::size_t tab = line.find('\t');
    auto malformed = [&](std::string_view why) {
      ++r.malformed;
      std::fprintf(diagnostics, "%s:%lld: %.*s; line skipped\n", options.tsv.c_str(),
                   static_cast<long long>(line_no), static_cast<int>(why.size()), why.data());
    };
    if (tab == std::string::npos) {
      malformed("no TAB between label and text");
      continue;
    }
    const std::string_view label(line.data(), tab);
    if (label != "spam" && label != "ham") {
      malformed(fmt::format("label must be spam or ham, not \"{}\"", label.substr(0, 40)));
      continue;
    }
    const bool spam = label == "spam";
    const std::string_view text(line.data() + tab + 1, line.size() - tab - 1);
    if (options.fold_count > 0 &&
        detect::ml::FoldOf(text, options.fold_count) != options.fold_index) {
      ++r.skipped_other_folds;
      continue;
    }
    const core::Timestamp at = start + std::chrono::minutes(r.n);
    const detect::MessageSample sample = Sample(text, r.n, at);
    const auto t0 = std::chrono::steady_clock::now();
    detect::Verdict v = engine.Judge(sample);
    spent += std::chrono::steady_clock::now() - t0;
    if (llm && v.llm_recommended) {
      detect::llm::Subject subject;
      subject.username = std::string(sample.author.username);
      subject.account_age_days = 730;
      subject.joined_days_ago = 365;
      subject.recent_messages = {std::string(text)};
      for (const detect::Signal& s : v.signals) {
        subject.signals.push_back(fmt::format("{}: {}", detect::Name(s.code), s.reason));
      }
      auto fut = boost::asio::co_spawn(
          io, llm->Classify(subject, sample.guild, options.llm_daily_budget, "eval"),
          boost::asio::use_future);
      io.restart();
      io.run();
      const detect::llm::Outcome outcome = fut.get();
      r.llm_calls += static_cast<std::int64_t>(outcome.usage.size());
      if (outcome.answer) {
        v = engine.WithLlm(v, outcome.answer->opinion, sample.guild);
      } else {
        ++r.llm_failures;
        if (r.llm_failures <= 5) {
          std::fprintf(diagnostics, "%s:%lld: LLM: %s\n", options.tsv.c_str(),
                       static_cast<long long>(line_no), outcome.answer.error().ToString().c_str());
        }
      }
    }
    ++r.n;
    const bool flagged = v.Flagged();
    if (flagged != spam && shown < options.show_errors) {
      ++shown;
      std::fprintf(diagnostics, "%s:%lld: %s: %.*s\n  %s\n", options.tsv.c_str(),
                   static_cast<long long>(line_no), spam ? "missed spam" : "false positive",
                   static_cast<int>(std::min<std::size_t>(text.size(), 200)), text.data(),
                   v.Summary().c_str());
    }
    if (spam) {
      flagged ? ++r.tp : ++r.fn;
    } else {
      flagged ? ++r.fp : ++r.tn;
    }
  }
  if (in.bad()) {
    return core::Fail(core::ErrorCode::kUnavailable,
                      fmt::format("error reading {} at line {}", options.tsv, line_no),
                      options.tsv);
  }
  auto ratio = [](double a, double b) { return b == 0 ? 0.0 : a / b; };
  r.precision = ratio(r.tp, r.tp + r.fp);
  r.recall = ratio(r.tp, r.tp + r.fn);
  r.f1 = ratio(2 * r.precision * r.recall, r.precision + r.recall);
  r.fpr = ratio(r.fp, r.fp + r.tn);
  r.us_per_message = ratio(std::chrono::duration<double, std::micro>(spent).count(), r.n);
  return r;
}

}  // namespace cli

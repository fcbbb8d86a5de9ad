// Streaming benchmark: the whole detection engine over the deterministic message stream of
// ../shared/bench/gen_stream.js, on one core.
//
//   node ../shared/bench/gen_stream.js 200000 --jsonl > /tmp/stream.jsonl
//   build/bench/stream_driver /tmp/stream.jsonl [--model build/models/default.bin] [--repeat 3]
//       [--examples N]   (print N flagged messages of the `normal` kind to stderr)
//       [--stages]       (also time the engine's stages alone over the stream's texts)
//
// The stream is parsed into samples first (JSON parsing is the gateway's cost, not detection's);
// the timed part is Engine::Judge over every message in order. The driver plays the bot's part:
// mention counts come from the <@id> / <@&id> tokens in the content, as Discord's `mentions` arrays
// would. Every author is an established member (the stream has no join events). The generator's
// `kind` column is read only to score the flags afterwards.
//
// Prints one JSON object: messages, seconds, messages_per_second, flags by signal, flagged by
// kind, and detection state (members tracked, bytes per member) at the end of the stream.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "detect/engine.h"
#include "detect/links.h"
#include "detect/lists.h"
#include "detect/ml/fasttext_classifier.h"
#include "detect/normalize.h"
#include "detect/policy.h"

namespace {

struct Row {
  std::string content;
  std::string kind;
  detect::MessageSample sample;
};

std::int32_t Count(std::string_view text, std::string_view prefix) {
  std::int32_t n = 0;
  for (std::size_t at = text.find(prefix); at != std::string_view::npos;
       at = text.find(prefix, at + 1)) {
    std::size_t i = at + prefix.size();
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      ++i;
      ++digits;
    }
    if (digits > 0 && i < text.size() && text[i] == '>') ++n;
  }
  return n;
}

// Nanoseconds per message of `stage` over every text, best of three.
template <typename F>
double TimeStage(const std::vector<std::string>& texts, F stage) {
  double best = 1e300;
  for (int round = 0; round < 3; ++round) {
    const auto t0 = std::chrono::steady_clock::now();
    for (const std::string& t : texts) stage(t);
    const double ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, ns / static_cast<double>(texts.size()));
  }
  return best;
}

// The stages of Engine::Judge that look at the text, each timed over the stream: normalising
// alone, then normalising plus one more stage, reported as the difference (so each stage works on a
// freshly normalised text in cache, as in Judge, rather than on a cold copy).
nlohmann::ordered_json TimeStages(const std::vector<std::string>& texts) {
  const auto lists = detect::Lists::Embedded();
  const auto policy = detect::CompiledPolicy::Default();
  std::size_t sink = 0;
  detect::Normalized n;
  const double base = TimeStage(texts, [&](const std::string& t) {
    detect::NormalizeInto(t, n);
    sink += n.text.size();
  });
  auto plus = [&](auto stage) {
    return TimeStage(texts,
                     [&](const std::string& t) {
                       detect::NormalizeInto(t, n);
                       sink += stage();
                     }) -
           base;
  };
  nlohmann::ordered_json out;
  out["normalize"] = base;
  out["extract_links"] =
      plus([&] { return detect::ExtractLinks(n.text, lists->tlds()).links.size(); });
  out["keyword_and_phrase_scan"] =
      plus([&] { return lists->phrases().Scan(n.skeleton, 4).size(); });
  out["checksum"] = sink;
  return out;
}

int Usage() {
  std::fprintf(stderr,
               "usage: stream_driver STREAM.jsonl [--model MODEL] [--repeat N] [--examples N] "
               "[--stages]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  std::string path = argv[1];
  std::string model_path;
  int repeat = 1;
  int examples = 0;
  bool stages = false;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--model") && i + 1 < argc) {
      model_path = argv[++i];
    } else if (!std::strcmp(argv[i], "--examples") && i + 1 < argc) {
      examples = std::max(0, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--stages")) {
      stages = true;
    } else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else {
      return Usage();
    }
  }
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "stream_driver: cannot read %s\n", path.c_str());
    return 1;
  }
  std::vector<Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      std::fprintf(stderr, "stream_driver: line %zu is not JSON\n", rows.size() + 1);
      return 1;
    }
    Row r;
    r.content = j.value("content", "");
    r.kind = j.value("kind", "");
    r.sample.guild = core::GuildId(std::stoull(j.value("guild_id", "0")));
    r.sample.channel = core::ChannelId(std::stoull(j.value("channel_id", "0")));
    r.sample.message = core::MessageId(std::stoull(j.value("message_id", "0")));
    r.sample.author.id = core::UserId(std::stoull(j.value("user_id", "0")));
    r.sample.at = core::Timestamp(std::chrono::milliseconds(j.value("t", std::int64_t{0})));
    r.sample.author.joined_at = r.sample.at - std::chrono::hours(24 * 365);
    r.sample.author.messages_in_guild = 100;
    rows.push_back(std::move(r));
  }
  for (Row& r : rows) {
    r.sample.text = r.content;  // after the vector stopped moving
    r.sample.user_mentions = Count(r.content, "<@") + Count(r.content, "<@!");
    r.sample.role_mentions = Count(r.content, "<@&");
  }

  std::shared_ptr<const detect::TextClassifier> model;
  if (!model_path.empty()) {
    auto m = detect::ml::FastTextClassifier::Load(model_path);
    if (!m) {
      std::fprintf(stderr, "stream_driver: %s\n", m.error().ToString().c_str());
      return 1;
    }
    model = *m;
  }

  double best_seconds = 1e300;
  std::map<std::string, std::int64_t> by_signal;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> by_kind;  // flagged, total
  detect::EngineStats stats;
  // What the timed loop keeps of each verdict: the signals fired (one bit per code) and whether
  // it was flagged (the top bit). Allocated and touched once, outside the timed loop: storing
  // 200,000 whole verdicts would time the driver's memory, not detection.
  static_assert(detect::kSignalCount < 63);
  constexpr std::uint64_t kFlagged = std::uint64_t{1} << 63;
  std::vector<std::uint64_t> outcome(rows.size(), 0);
  std::vector<std::string> example_lines;
  for (int round = 0; round < repeat; ++round) {
    detect::Engine engine;
    engine.SetClassifier(model);
    // Warm up the shared lists and default policy outside the timed loop.
    (void)detect::Lists::Embedded();
    (void)detect::CompiledPolicy::Default();
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const detect::Verdict v = engine.Judge(rows[i].sample);
      std::uint64_t bits = v.Flagged() ? kFlagged : 0;
      for (const detect::Signal& s : v.signals)
        bits |= std::uint64_t{1} << static_cast<int>(s.code);
      outcome[i] = bits;
      if (round == 0 && examples > 0 && v.Flagged() && rows[i].kind == "normal") {
        --examples;
        example_lines.push_back("flagged normal message: " + rows[i].content + "\n  " +
                                v.Summary() + "\n");
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (seconds < best_seconds) {
      best_seconds = seconds;
      by_signal.clear();
      by_kind.clear();
      for (std::size_t i = 0; i < rows.size(); ++i) {
        auto& k = by_kind[rows[i].kind];
        ++k.second;
        if (outcome[i] & kFlagged) ++k.first;
        for (std::size_t c = 0; c < detect::kSignalCount; ++c) {
          if (outcome[i] & (std::uint64_t{1} << c)) {
            ++by_signal[std::string(detect::Name(static_cast<detect::SignalCode>(c)))];
          }
        }
      }
      stats = engine.Stats();
    }
  }
  for (const std::string& e : example_lines) std::fputs(e.c_str(), stderr);
  nlohmann::ordered_json out;
  out["messages"] = rows.size();
  out["model"] = model ? model->Describe() : "none";
  out["seconds"] = best_seconds;
  out["messages_per_second"] = static_cast<double>(rows.size()) / best_seconds;
  out["signals_fired"] = by_signal;
  nlohmann::ordered_json kinds;
  for (const auto& [kind, fk] : by_kind) {
    kinds[kind] = {{"flagged", fk.first}, {"total", fk.second}};
  }
  out["flagged_by_kind"] = kinds;
  out["members_tracked"] = stats.members;
  out["texts_tracked"] = stats.texts;
  out["state_bytes"] = stats.state_bytes;
  out["state_bytes_per_member"] =
      stats.members ? static_cast<double>(stats.state_bytes) / static_cast<double>(stats.members)
                    : 0.0;
  if (stages) {
    std::vector<std::string> texts;
    for (const Row& r : rows) texts.push_back(r.content);
    out["ns_per_message_by_stage"] = TimeStages(texts);
  }
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

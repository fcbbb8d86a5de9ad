// The detection engine, piece by piece and whole:
//   build/bench/engine_bench [--benchmark_filter=...]
// - links and the combined phishing list: extraction + host lookup (23,135 hosts);
// - phrase matching: one PhraseMatcher scan for the scam phrases, default keywords and
//   self-promotion phrases (about 790); and its worst case, a thousand keywords that begin alike;
// - Engine::Judge on a clean chat message and on a scam message, heuristics only, and with the
//   local model when ANTISPAM_BENCH_MODEL names one.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "detect/engine.h"
#include "detect/links.h"
#include "detect/lists.h"
#include "detect/matcher.h"
#include "detect/ml/fasttext_classifier.h"
#include "detect/normalize.h"

namespace {

const std::string kClean =
    "lol did anyone see the patch notes? the new map is actually pretty good ngl 😂";
const std::string kScam =
    "Free Discord Nitro for 3 months! claim your prize: https://dlscord-gift.example/claim";
const std::string kLinkChat = "the fix is in https://github.com/some-org/some-repo/issues/1234 btw";

void BM_LinksAndPhishingLookup(benchmark::State& state) {
  const auto lists = detect::Lists::Embedded();
  const std::string text = detect::Normalize(kScam + " and https://x.aabeta.phxwolf.com/a").text;
  for (auto _ : state) {
    const detect::LinkScan scan = detect::ExtractLinks(text, lists->tlds());
    int hits = 0;
    for (const auto& l : scan.links)
      hits += lists->CheckLink(l).kind != detect::HostVerdict::Kind::kNone;
    benchmark::DoNotOptimize(hits);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ScamPhraseScan(benchmark::State& state) {
  const auto lists = detect::Lists::Embedded();
  const std::string skeleton = detect::Normalize(kClean).skeleton;
  for (auto _ : state) benchmark::DoNotOptimize(lists->phrases().Scan(skeleton));
  state.SetItemsProcessed(state.iterations());
}

// A guild's own thousand keywords that all begin alike, against 4 KB of text made of their common
// beginning: every word is a place where they could begin (the matcher's worst case).
void BM_PhraseScanThousandAlikeKeywords(benchmark::State& state) {
  std::vector<std::string> keywords;
  for (int i = 1; i <= 1000; ++i) keywords.push_back("free nitro giveaway " + std::to_string(i));
  const auto matcher = detect::PhraseMatcher::Compile(keywords);
  std::string text;
  while (text.size() < 4096) text += "free nitro giveaway ";
  for (auto _ : state) benchmark::DoNotOptimize(matcher->Scan(text, 4));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

detect::MessageSample Sample(const std::string& text, std::uint64_t user, std::int64_t i) {
  detect::MessageSample s;
  s.guild = core::GuildId(1000000000000000001ULL);
  s.channel = core::ChannelId(1000000000000000002ULL);
  s.author.id = core::UserId((200000000000ULL << 22) | user);  // created 2021
  s.author.joined_at = core::Timestamp(std::chrono::seconds(1600000000));
  s.author.messages_in_guild = 100;
  s.text = text;
  // One message per user every 20 s: no rate or duplicate signals, only content.
  s.at = core::Timestamp(std::chrono::seconds(1767225600 + 20 * i));
  return s;
}

void Judge(benchmark::State& state, const std::string& text, bool model) {
  detect::Engine engine;
  if (model) {
    const char* path = std::getenv("ANTISPAM_BENCH_MODEL");
    if (!path) {
      state.SkipWithError("set ANTISPAM_BENCH_MODEL to a model file");
      return;
    }
    auto m = detect::ml::FastTextClassifier::Load(path);
    if (!m) {
      state.SkipWithError(m.error().message.c_str());
      return;
    }
    engine.SetClassifier(*m);
  }
  // 4,096 variants (a different last word each, in letters), so that 1,000 members sending "the
  // same" message do not look like a raid.
  std::vector<std::string> texts;
  for (int v = 0; v < 4096; ++v) {
    std::string word;
    for (int x = v; word.size() < 3; x /= 26) word.push_back(static_cast<char>('a' + x % 26));
    texts.push_back(text + " " + word);
  }
  std::int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(engine.Judge(Sample(texts[static_cast<std::size_t>(i % 4096)],
                                                 static_cast<std::uint64_t>(i % 1000), i / 1000)));
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_JudgeCleanChat(benchmark::State& state) { Judge(state, kClean, false); }
void BM_JudgeLinkChat(benchmark::State& state) { Judge(state, kLinkChat, false); }
void BM_JudgeScam(benchmark::State& state) { Judge(state, kScam, false); }
void BM_JudgeCleanChatWithModel(benchmark::State& state) { Judge(state, kClean, true); }
void BM_JudgeScamWithModel(benchmark::State& state) { Judge(state, kScam, true); }

}  // namespace

BENCHMARK(BM_LinksAndPhishingLookup);
BENCHMARK(BM_ScamPhraseScan);
BENCHMARK(BM_PhraseScanThousandAlikeKeywords);
BENCHMARK(BM_JudgeCleanChat);
BENCHMARK(BM_JudgeLinkChat);
BENCHMARK(BM_JudgeScam);
BENCHMARK(BM_JudgeCleanChatWithModel);
BENCHMARK(BM_JudgeScamWithModel);
BENCHMARK_MAIN();

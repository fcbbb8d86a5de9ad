// The detection normaliser on typical messages: plain ASCII chat, and an obfuscated scam
// (fullwidth letters, zero-width spaces, Cyrillic look-alikes, leetspeak).
//   build/bench/normalize_bench
#include <benchmark/benchmark.h>

#include <string>

#include "detect/normalize.h"

namespace {

void Run(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    auto n = detect::Normalize(text);
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

void BM_NormalizePlainChat(benchmark::State& state) {
  Run(state, "lol did anyone see the patch notes? the new map is actually pretty good ngl");
}

void BM_NormalizeObfuscatedScam(benchmark::State& state) {
  Run(state,
      "\uFF26\uFF52\uFF45\uFF45 d\u0456sc\u043Erd n1tr\u200B0 for 3 months! claim at "
      "https://dlscord-gift.example/claim \U0001D41F\U0001D42B\U0001D41E\U0001D41E");
}

BENCHMARK(BM_NormalizePlainChat);
BENCHMARK(BM_NormalizeObfuscatedScam);

}  // namespace

BENCHMARK_MAIN();

// The detection engine: turns a message or a join into a Verdict that explains itself.
//
// Cheap checks run first (state-based rate and duplicate checks, mentions, account age), then the
// text checks (normalise once; links, lists and phrases through compiled matchers), then the local
// classifier (skipped when the level is already HIGH), and never the LLM: the verdict says when an
// LLM opinion could change the outcome (llm_recommended), the caller asks asynchronously and folds
// the answer in with WithLlm.
//
// One Engine per shard: not thread-safe, no locks (a guild's state lives on one shard). The lists,
// policies and classifier it holds are immutable and may be shared by every shard.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "core/clock.h"
#include "core/id.h"
#include "detect/classifier.h"
#include "detect/lists.h"
#include "detect/normalize.h"
#include "detect/policy.h"
#include "detect/sample.h"
#include "detect/verdict.h"

namespace detect {

namespace detail {
struct GuildState;
class HostMemo;
struct TextHits;
}  // namespace detail

struct EngineStats {
  std::size_t guilds = 0;
  std::size_t members = 0;      // members with detection state
  std::size_t texts = 0;        // texts remembered for raid detection
  std::size_t state_bytes = 0;  // all per-guild state, map nodes and buckets included
  std::uint64_t messages = 0;   // judged so far
  std::uint64_t joins = 0;
};

class Engine {
 public:
  explicit Engine(std::shared_ptr<const Lists> lists = Lists::Embedded());
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Hot reloads: the next sample uses the new lists / model / policy.
  void SetLists(std::shared_ptr<const Lists> lists);
  void SetClassifier(std::shared_ptr<const TextClassifier> classifier);  // nullptr: none
  void SetPolicy(core::GuildId guild, std::shared_ptr<const CompiledPolicy> policy);
  std::shared_ptr<const CompiledPolicy> PolicyOf(core::GuildId guild) const;

  Verdict Judge(const MessageSample& sample);
  Verdict Judge(const JoinSample& sample);
  // `verdict` with the LLM's opinion added as the llm signal, risk and action recomputed.
  Verdict WithLlm(const Verdict& verdict, const LlmOpinion& opinion, core::GuildId guild) const;

  // Drops state idle for longer than any window can look back (15 minutes). Judge calls it every
  // 4,096 samples; callers may call it on a timer too.
  void Expire(core::Timestamp now);
  EngineStats Stats() const;

 private:
  detail::GuildState& Guild(core::GuildId id);
  std::uint32_t TickOf(core::Timestamp at);
  void Score(Verdict& v, const CompiledPolicy& policy) const;
  void MaybeExpire(core::Timestamp at);

  Normalized scratch_;  // reused for every message: no allocation once warm
  std::unique_ptr<detail::HostMemo> hosts_;
  std::unique_ptr<detail::TextHits> text_hits_;  // reused for every message
  std::shared_ptr<const Lists> lists_;
  std::shared_ptr<const TextClassifier> classifier_;
  std::unordered_map<std::uint64_t, std::unique_ptr<detail::GuildState>> guilds_;
  std::array<std::pair<std::uint64_t, detail::GuildState*>, 64> guild_cache_{};
  std::unordered_map<std::uint64_t, std::shared_ptr<const CompiledPolicy>> policies_;
  std::optional<core::Timestamp> epoch_;
  std::uint64_t messages_ = 0;
  std::uint64_t joins_ = 0;
  std::uint64_t since_expiry_ = 0;
};

}  // namespace detect

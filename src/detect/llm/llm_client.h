// The LLM classifier over the OpenAI-compatible Chat Completions API (OpenAI, or a local server:
// llama.cpp, vLLM, Ollama). Asked only when the engine says an opinion could change the outcome.
//
// Each Classify: budget check (per guild per UTC day) -> cache (by model + what is asked) ->
// circuit breaker -> HTTP with retries on 429 and 5xx (honouring Retry-After) inside one deadline
// -> strict parsing. Every request that reached the network yields a usage record for gpt_usage,
// success or not. Thread-safe; runs on the caller's executor and never blocks it.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "detect/llm/prompt.h"
#include "net/http_client.h"

namespace detect::llm {

struct Config {
  std::string base_url = "https://api.openai.com/v1";  // ".../chat/completions" is appended
  std::string model = "gpt-4o-mini";
  std::string
      api_key;  // secret: sent as a Bearer token, never logged; may be empty for local servers
  std::chrono::milliseconds timeout{8000};  // the whole call, retries included
  int max_attempts = 3;
  int breaker_failures = 5;                   // consecutive failures that open the breaker...
  std::chrono::seconds breaker_cooldown{60};  // ...for this long
  std::size_t cache_entries = 1024;
  std::chrono::seconds cache_ttl{3600};

  // Checks the values; errors name the setting.
  core::Result<void> Validate() const;
};

// One request sent to the endpoint (for the gpt_usage table).
struct UsageRecord {
  std::string model;
  std::string purpose;
  core::GuildId guild;
  Usage tokens;
  std::chrono::milliseconds latency{0};
  bool success = false;
  int status = 0;     // HTTP status, 0 when there was none
  std::string error;  // empty on success
};

struct Outcome {
  core::Result<Answer> answer = core::Fail(core::ErrorCode::kInternal, "not asked");
  std::vector<UsageRecord> usage;  // one per request sent (none for a cache hit or a refusal)
  bool cached = false;
};

class Client {
 public:
  Client(Config config, net::HttpClient& http, const core::Clock& clock);

  // `daily_budget`: calls allowed for `guild` today (policy llm.daily_budget); 0 forbids calls.
  // Errors: failed_precondition (budget spent), unavailable (breaker open, server errors,
  // connection), timeout, invalid_argument (an answer that does not parse).
  boost::asio::awaitable<Outcome> Classify(const Subject& subject, core::GuildId guild,
                                           int daily_budget, std::string purpose);

  struct Stats {
    std::int64_t requests = 0, cache_hits = 0, failures = 0, refused_budget = 0,
                 refused_breaker = 0;
    bool breaker_open = false;
  };
  Stats stats() const;

 private:
  struct Cached {
    Answer answer;
    core::Timestamp expires;
    std::list<std::string>::iterator lru;
  };
  bool TakeBudget(core::GuildId guild, int daily_budget);
  void ReturnBudget(core::GuildId guild);
  std::optional<Answer> FromCache(const std::string& key);
  void ToCache(const std::string& key, const Answer& answer);
  bool BreakerAllows();
  void Record(bool success);

  Config config_;
  net::HttpClient& http_;
  const core::Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::uint64_t, std::pair<std::int64_t, int>>
      budget_;  // guild -> (UTC day, calls)
  std::unordered_map<std::string, Cached> cache_;
  std::list<std::string> lru_;  // most recent first
  int consecutive_failures_ = 0;
  std::optional<core::Timestamp> open_until_;
  bool trial_in_flight_ = false;
  Stats stats_;
};

}  // namespace detect::llm

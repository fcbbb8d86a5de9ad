// What the LLM is asked, and how its answer is read. Pure: no I/O.
//
// The request is an OpenAI-compatible Chat Completions body. The system message holds the task,
// the answer format and few-shot examples in four groups (clearly suspicious, borderline
// suspicious, borderline normal, clearly normal). The user message is one JSON document with the
// member's profile and recent messages; everything members wrote sits inside JSON strings, and the
// instructions say it is untrusted data, never instructions, so a message saying "ignore previous
// instructions" is just more evidence.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "detect/verdict.h"

namespace detect::llm {

inline constexpr std::size_t kMaxRecentMessages = 10;
inline constexpr std::size_t kMaxMessageBytes = 1000;

// The member as the LLM sees them.
struct Subject {
  std::string username;
  std::string nickname;
  double account_age_days = 0;
  double joined_days_ago = -1;  // < 0: unknown
  std::int32_t prior_detections = 0;
  std::int32_t prior_false_positives = 0;
  Trigger trigger = Trigger::kMessage;
  std::vector<std::string> recent_messages;  // oldest first; the last is the one being judged
  std::vector<std::string> signals;          // what the heuristics saw ("keyword: free nitro")
};

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t total_tokens = 0;
};

struct Answer {
  LlmOpinion opinion;
  Usage usage;
};

// The request body for `model`. Messages beyond kMaxRecentMessages (the oldest) and bytes beyond
// kMaxMessageBytes per message are dropped.
std::string BuildRequest(std::string_view model, const Subject& subject);

// The user message alone (what the cache is keyed on, with the model).
std::string SubjectJson(const Subject& subject);

// Reads a Chat Completions response. Strict: the body must be JSON with choices[0].message.content
// holding exactly {"label": "spam"|"suspicious"|"normal", "confidence": 0..1, "reasons": string or
// array of strings} and finish_reason "stop" (when present). Anything else is an
// invalid_argument error saying what was wrong — never a "normal" answer.
core::Result<Answer> ParseResponse(std::string_view body);

}  // namespace detect::llm

// A fake OpenAI-compatible Chat Completions endpoint on 127.0.0.1 for tests: each request takes the
// next scripted behaviour (the last one repeats): a good answer, malformed JSON, a non-JSON
// content, 429 with Retry-After, 500, or a stall. It records what it was sent.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "net/testing/scripted_http_server.h"

namespace detect::llm::testing {

struct Behaviour {
  enum class Kind {
    kGood,
    kMalformedJson,
    kProseContent,
    kTooManyRequests,
    kServerError,
    kStall,
    kTruncated
  };
  Kind kind = Kind::kGood;
  std::string label = "spam";
  double confidence = 0.9;
  int retry_after_seconds = 1;
  std::chrono::milliseconds stall{0};

  static Behaviour Good(std::string label, double confidence) {
    return {Kind::kGood, std::move(label), confidence};
  }
  static Behaviour Of(Kind k) { return {k}; }
  static Behaviour TooManyRequests(int retry_after) {
    return {Kind::kTooManyRequests, "", 0, retry_after};
  }
  static Behaviour Stall(std::chrono::milliseconds d) { return {Kind::kStall, "", 0, 0, d}; }
};

class FakeOpenAi {
 public:
  explicit FakeOpenAi(std::vector<Behaviour> script);
  std::string base_url() const { return server_.base_url() + "/v1"; }
  int requests() const { return server_.requests(); }
  std::vector<net::testing::ScriptedRequest> received() const;

 private:
  net::testing::ScriptedReply Reply(const net::testing::ScriptedRequest& r);
  mutable std::mutex mu_;
  std::vector<Behaviour> script_;
  std::size_t next_ = 0;
  std::vector<net::testing::ScriptedRequest> received_;
  net::testing::ScriptedHttpServer server_;  // last: stops first
};

}  // namespace detect::llm::testing

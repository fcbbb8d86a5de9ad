#include "detect/llm/testing/fake_openai.h"

#include <nlohmann/json.hpp>

namespace detect::llm::testing {

FakeOpenAi::FakeOpenAi(std::vector<Behaviour> script)
    : script_(std::move(script)),
      server_([this](const net::testing::ScriptedRequest& r) { return Reply(r); }) {}

std::vector<net::testing::ScriptedRequest> FakeOpenAi::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

net::testing::ScriptedReply FakeOpenAi::Reply(const net::testing::ScriptedRequest& r) {
  Behaviour b;
  {
    std::lock_guard lock(mu_);
    received_.push_back(r);
    if (!script_.empty()) b = script_[std::min(next_++, script_.size() - 1)];
  }
  auto completion = [](const std::string& content, const char* finish) {
    nlohmann::json j = {
        {"id", "chatcmpl-fake"},
        {"object", "chat.completion"},
        {"choices",
         {{{"index", 0},
           {"message", {{"role", "assistant"}, {"content", content}}},
           {"finish_reason", finish}}}},
        {"usage", {{"prompt_tokens", 420}, {"completion_tokens", 18}, {"total_tokens", 438}}}};
    return j.dump();
  };
  const std::vector<std::pair<std::string, std::string>> json_type{
      {"Content-Type", "application/json"}};
  switch (b.kind) {
    case Behaviour::Kind::kGood: {
      nlohmann::json answer = {
          {"label", b.label}, {"confidence", b.confidence}, {"reasons", "scripted"}};
      return {200, json_type, completion(answer.dump(), "stop")};
    }
    case Behaviour::Kind::kMalformedJson:
      return {200, json_type, R"({"choices": [{"message": {"content": "{\"label\": )"};
    case Behaviour::Kind::kProseContent:
      return {200, json_type, completion("Looks fine to me! OK", "stop")};
    case Behaviour::Kind::kTruncated:
      return {200, json_type, completion(R"({"label":"normal","confid)", "length")};
    case Behaviour::Kind::kTooManyRequests:
      return {429,
              {{"Content-Type", "application/json"},
               {"Retry-After", std::to_string(b.retry_after_seconds)}},
              R"({"error":{"message":"Rate limit reached","type":"requests"}})"};
    case Behaviour::Kind::kServerError:
      return {500, json_type, R"({"error":{"message":"The server had an error"}})"};
    case Behaviour::Kind::kStall: {
      net::testing::ScriptedReply reply{
          200, json_type,
          completion(R"({"label":"normal","confidence":1,"reasons":"late"})", "stop")};
      reply.delay = b.stall;
      return reply;
    }
  }
  return {500, {}, ""};
}

}  // namespace detect::llm::testing

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "core/testing/manual_clock.h"
#include "detect/llm/llm_client.h"
#include "detect/llm/testing/fake_openai.h"

namespace detect::llm {
namespace {

using namespace std::chrono_literals;
using testing::Behaviour;
using testing::FakeOpenAi;
using Kind = Behaviour::Kind;

const core::GuildId kGuild(700000000000000001ULL);

class LlmClientTest : public ::testing::Test {
 protected:
  static Subject Subj(std::string text = "free nitro https://dlscord.gift") {
    Subject s;
    s.username = "someone";
    s.recent_messages = {std::move(text)};
    return s;
  }
  Outcome Ask(FakeOpenAi& fake, Config config = {}, const Subject& subject = Subj(),
              int budget = 100) {
    config.base_url = fake.base_url();
    config.api_key = "sk-test-secret";
    if (!client_ || config_changed_) {
      client_ = std::make_unique<Client>(config, http_, clock_);
      config_changed_ = false;
    }
    auto fut = boost::asio::co_spawn(io_, client_->Classify(subject, kGuild, budget, "message"),
                                     boost::asio::use_future);
    io_.restart();
    io_.run();
    return fut.get();
  }
  boost::asio::io_context io_;
  net::HttpClient http_{io_.get_executor()};
  core::testing::ManualClock clock_;
  std::unique_ptr<Client> client_;
  bool config_changed_ = false;
};

TEST_F(LlmClientTest, GoodAnswerWithUsageAndTheKeyAsBearer) {
  FakeOpenAi fake({Behaviour::Good("spam", 0.91)});
  const Outcome o = Ask(fake);
  ASSERT_TRUE(o.answer.has_value()) << o.answer.error().ToString();
  EXPECT_EQ(o.answer->opinion.label, LlmOpinion::Label::kSpam);
  EXPECT_DOUBLE_EQ(o.answer->opinion.confidence, 0.91);
  ASSERT_EQ(o.usage.size(), 1u);
  EXPECT_TRUE(o.usage[0].success);
  EXPECT_EQ(o.usage[0].tokens.total_tokens, 438);
  EXPECT_EQ(o.usage[0].model, "gpt-4o-mini");
  EXPECT_EQ(o.usage[0].purpose, "message");
  const auto got = fake.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].target, "/v1/chat/completions");
  EXPECT_EQ(got[0].Header("Authorization"), "Bearer sk-test-secret");
  EXPECT_NE(got[0].body.find("dlscord.gift"), std::string::npos);
}

TEST_F(LlmClientTest, MalformedAnswersAreFailuresNotOk) {
  for (Kind k : {Kind::kMalformedJson, Kind::kProseContent, Kind::kTruncated}) {
    FakeOpenAi fake({Behaviour::Of(k)});
    client_.reset();
    const Outcome o = Ask(fake);
    ASSERT_FALSE(o.answer.has_value());
    EXPECT_EQ(o.answer.error().code, core::ErrorCode::kInvalidArgument);
    ASSERT_EQ(o.usage.size(), 1u);
    EXPECT_FALSE(o.usage[0].success);
    EXPECT_EQ(fake.requests(), 1);  // the same prompt would get the same answer: no retry
  }
}

TEST_F(LlmClientTest, RetriesAfter429HonouringRetryAfterAnd500s) {
  FakeOpenAi fake({Behaviour::TooManyRequests(1), Behaviour::Of(Kind::kServerError),
                   Behaviour::Good("normal", 0.8)});
  const auto t0 = std::chrono::steady_clock::now();
  const Outcome o = Ask(fake);
  ASSERT_TRUE(o.answer.has_value()) << o.answer.error().ToString();
  EXPECT_EQ(o.answer->opinion.label, LlmOpinion::Label::kNormal);
  EXPECT_EQ(fake.requests(), 3);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 1s);  // waited for Retry-After
  ASSERT_EQ(o.usage.size(), 3u);
  EXPECT_EQ(o.usage[0].status, 429);
  EXPECT_EQ(o.usage[1].status, 500);
  EXPECT_TRUE(o.usage[2].success);
}

TEST_F(LlmClientTest, RetryAfterBeyondTheDeadlineGivesUp) {
  FakeOpenAi fake({Behaviour::TooManyRequests(30)});
  Config c;
  c.timeout = 2s;
  const Outcome o = Ask(fake, c);
  ASSERT_FALSE(o.answer.has_value());
  EXPECT_EQ(o.answer.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(o.answer.error().message.find("429"), std::string::npos);
  EXPECT_EQ(fake.requests(), 1);
}

TEST_F(LlmClientTest, AStallIsATimeoutWithinTheDeadline) {
  FakeOpenAi fake({Behaviour::Stall(5s)});
  Config c;
  c.timeout = 500ms;
  const auto t0 = std::chrono::steady_clock::now();
  const Outcome o = Ask(fake, c);
  ASSERT_FALSE(o.answer.has_value());
  EXPECT_EQ(o.answer.error().code, core::ErrorCode::kTimeout) << o.answer.error().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST_F(LlmClientTest, CacheAnswersRepeatsWithoutARequest) {
  FakeOpenAi fake({Behaviour::Good("spam", 0.9)});
  ASSERT_TRUE(Ask(fake).answer.has_value());
  const Outcome again = Ask(fake);
  ASSERT_TRUE(again.answer.has_value());
  EXPECT_TRUE(again.cached);
  EXPECT_TRUE(again.usage.empty());
  EXPECT_EQ(fake.requests(), 1);
  clock_.Advance(2h);  // past the TTL
  EXPECT_FALSE(Ask(fake).cached);
  EXPECT_EQ(fake.requests(), 2);
}

TEST_F(LlmClientTest, DailyBudgetPerGuildResetsAtMidnightUtc) {
  FakeOpenAi fake({Behaviour::Good("normal", 0.9)});
  EXPECT_TRUE(Ask(fake, {}, Subj("one"), 2).answer.has_value());
  EXPECT_TRUE(Ask(fake, {}, Subj("two"), 2).answer.has_value());
  const Outcome refused = Ask(fake, {}, Subj("three"), 2);
  ASSERT_FALSE(refused.answer.has_value());
  EXPECT_EQ(refused.answer.error().code, core::ErrorCode::kFailedPrecondition);
  EXPECT_EQ(fake.requests(), 2);
  clock_.Advance(24h);
  EXPECT_TRUE(Ask(fake, {}, Subj("three"), 2).answer.has_value());
}

TEST_F(LlmClientTest, BreakerOpensAfterFailuresThenTriesAgainAfterCooldown) {
  FakeOpenAi fake({Behaviour::Of(Kind::kServerError), Behaviour::Of(Kind::kServerError),
                   Behaviour::Good("spam", 0.9)});
  Config c;
  c.max_attempts = 1;
  c.breaker_failures = 2;
  c.breaker_cooldown = 60s;
  EXPECT_FALSE(Ask(fake, c, Subj("a")).answer.has_value());
  EXPECT_FALSE(Ask(fake, c, Subj("b")).answer.has_value());
  const Outcome fast = Ask(fake, c, Subj("c"));
  ASSERT_FALSE(fast.answer.has_value());
  EXPECT_NE(fast.answer.error().message.find("circuit breaker"), std::string::npos);
  EXPECT_EQ(fake.requests(), 2);  // refused without a request
  EXPECT_TRUE(client_->stats().breaker_open);
  clock_.Advance(61s);
  const Outcome trial = Ask(fake, c, Subj("d"));
  ASSERT_TRUE(trial.answer.has_value()) << trial.answer.error().ToString();
  EXPECT_FALSE(client_->stats().breaker_open);
}

TEST(LlmConfigTest, ValidateNamesTheSetting) {
  Config c;
  EXPECT_TRUE(c.Validate().has_value());
  c.base_url = "ftp://x";
  EXPECT_EQ(c.Validate().error().subject, "llm.base_url");
  c = {};
  c.timeout = 10ms;
  EXPECT_EQ(c.Validate().error().subject, "llm.timeout");
}

}  // namespace
}  // namespace detect::llm

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/eval.h"
#include "detect/llm/testing/fake_openai.h"

namespace cli {
namespace {

using detect::llm::testing::Behaviour;
using detect::llm::testing::FakeOpenAi;

// Messages in the grey zone (one keyword, no link) go to the LLM; its answer decides.
std::string GreyZoneFile() {
  const auto path = std::filesystem::temp_directory_path() /
                    ("antispam-eval-itest-" + std::to_string(::getpid()) + ".tsv");
  std::ofstream out(path);
  out << "label\ttext\n";
  out << "spam\tsteam gift for the first 10 people\n";
  out << "spam\tcrypto giveaway spots left, reply fast\n";
  out << "ham\tsee you at practice tomorrow\n";
  return path.string();
}

TEST(EvalItest, TheLlmDecidesTheGreyZone) {
  const std::string file = GreyZoneFile();
  EvalOptions base;
  base.tsv = file;
  auto without = RunEval(base, stderr);
  ASSERT_TRUE(without.has_value());
  EXPECT_EQ(without->tp, 0);  // one keyword alone is not enough

  FakeOpenAi fake({Behaviour::Good("spam", 0.95)});
  EvalOptions with = base;
  with.llm = detect::llm::Config{};
  with.llm->base_url = fake.base_url();
  auto r = RunEval(with, stderr);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->tp, 2);
  EXPECT_EQ(r->fp, 0);  // the clean message never reached the LLM
  EXPECT_EQ(r->llm_calls, 2);
  EXPECT_EQ(fake.requests(), 2);
  EXPECT_NE(r->ToJson().find("\"llm_calls\":2"), std::string::npos);
  std::filesystem::remove(file);
}

TEST(EvalItest, AFailingLlmLeavesTheEnginesVerdict) {
  const std::string file = GreyZoneFile();
  FakeOpenAi fake({Behaviour::Of(Behaviour::Kind::kProseContent)});
  EvalOptions o;
  o.tsv = file;
  o.llm = detect::llm::Config{};
  o.llm->base_url = fake.base_url();
  auto r = RunEval(o, stderr);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->tp, 0);
  EXPECT_EQ(r->llm_failures, 2);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace cli

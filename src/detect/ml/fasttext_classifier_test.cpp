#include "detect/ml/fasttext_classifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "detect/ml/reloading_classifier.h"
#include "detect/normalize.h"

namespace detect::ml {
namespace {

namespace fs = std::filesystem;

class FastTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("antispam-ml-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A tiny corpus where "prize" words are spam (or, flipped, ham).
  fs::path Corpus(const std::string& name, bool flipped) {
    const fs::path p = dir_ / name;
    std::ofstream out(p);
    out << "label\ttext\n";
    const char* spam = flipped ? "ham" : "spam";
    const char* ham = flipped ? "spam" : "ham";
    for (int i = 0; i < 40; ++i) {
      out << spam << "\tWIN a free prize now, call 0800" << i << " to claim cash\n";
      out << ham << "\tsee you at practice tomorrow, bring the ball " << i << "\n";
    }
    out << "bogus line without a tab\n";
    out << "maybe\tnot a label\n";
    return p;
  }

  fs::path Train(const fs::path& corpus, const std::string& out, TrainReport* report = nullptr) {
    TrainOptions o;
    o.tsv = {corpus};
    o.out = dir_ / out;
    o.epochs = 20;
    o.buckets = 2000;  // a small model: quantising the default size takes seconds
    auto r = ml::Train(o, stderr);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    if (report && r) *report = *r;
    return o.out;
  }

  fs::path dir_;
};

TEST_F(FastTextTest, TrainsAndPredictsAndReportsMalformedLines) {
  TrainReport report;
  const fs::path model = Train(Corpus("c.tsv", false), "m.bin", &report);
  EXPECT_EQ(report.spam, 40);
  EXPECT_EQ(report.ham, 40);
  EXPECT_EQ(report.malformed, 2);
  auto c = FastTextClassifier::Load(model);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_GT((*c)->SpamProbability(Normalize("WIN a free prize, call now to claim").text), 0.8);
  EXPECT_LT((*c)->SpamProbability(Normalize("practice tomorrow, bring the ball").text), 0.2);
  const double empty = (*c)->SpamProbability("");
  EXPECT_GE(empty, 0.0);
  EXPECT_LE(empty, 1.0);
}

TEST_F(FastTextTest, QuantisedModelIsSmallAndTrainingIsDeterministic) {
  const fs::path corpus = Corpus("c.tsv", false);
  const fs::path a = Train(corpus, "a.ftz");
  const fs::path b = Train(corpus, "b.ftz");
  ASSERT_TRUE(fs::exists(a));
  EXPECT_LT(fs::file_size(a), 10u * 1024 * 1024);
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  const std::string da((std::istreambuf_iterator<char>(fa)), {}),
      db((std::istreambuf_iterator<char>(fb)), {});
  EXPECT_EQ(da, db) << "same data, same model";
}

TEST_F(FastTextTest, LoadRefusesMissingAndForeignFiles) {
  auto missing = FastTextClassifier::Load(dir_ / "nope.ftz");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
  const fs::path junk = dir_ / "junk.bin";
  std::ofstream(junk) << "this is not a model";
  auto bad = FastTextClassifier::Load(junk);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidArgument);
}

TEST_F(FastTextTest, TrainingRefusesOneClassAndUnreadableFiles) {
  const fs::path one = dir_ / "one.tsv";
  std::ofstream(one) << "label\ttext\nspam\tbuy now\nspam\tbuy more\n";
  TrainOptions o;
  o.tsv = {one};
  o.out = dir_ / "x.bin";
  auto r = ml::Train(o, stderr);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("both classes"), std::string::npos);
  o.tsv = {dir_ / "missing.tsv"};
  EXPECT_EQ(ml::Train(o, stderr).error().code, core::ErrorCode::kNotFound);
}

TEST_F(FastTextTest, HotReloadSwapsTheModelAndKeepsItOnABrokenFile) {
  const fs::path live = dir_ / "live.bin";
  fs::copy_file(Train(Corpus("c.tsv", false), "m1.bin"), live);
  auto r = ReloadingClassifier::Open(live);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const std::string prize = Normalize("WIN a free prize, call now to claim").text;
  EXPECT_GT((*r)->SpamProbability(prize), 0.8);
  EXPECT_EQ((*r)->Poll().value(), false);  // unchanged

  // Replace atomically, as an operator would (write elsewhere, rename over).
  const fs::path flipped = Train(Corpus("f.tsv", true), "m2.bin");
  fs::rename(flipped, live);
  auto polled = (*r)->Poll();
  ASSERT_TRUE(polled.has_value()) << polled.error().message;
  EXPECT_TRUE(*polled);
  EXPECT_EQ((*r)->generation(), 2);
  EXPECT_LT((*r)->SpamProbability(prize), 0.2);

  // A broken replacement: the error is reported, the running model stays.
  const fs::path junk = dir_ / "junk";
  std::ofstream(junk) << "garbage";
  fs::rename(junk, live);
  EXPECT_FALSE((*r)->Poll().has_value());
  EXPECT_EQ((*r)->generation(), 2);
  EXPECT_LT((*r)->SpamProbability(prize), 0.2);
}

TEST(FeatureTextTest, DigitsBecomeShapesAndPunctuationSplits) {
  EXPECT_EQ(FeatureText("call 08712460324 now!!"), "call 00000000000 now ! !");
  EXPECT_EQ(FeatureText("win £1000, txt"), "win £0000 , txt");
  EXPECT_EQ(FeatureText(""), "");
}

TEST(FoldTest, DuplicatesShareAFoldAndFoldsCoverAll) {
  EXPECT_EQ(FoldOf("Hello  World", 5), FoldOf("hello world", 5));
  int seen[5] = {};
  for (int i = 0; i < 200; ++i) ++seen[FoldOf("message " + std::to_string(i), 5)];
  for (int n : seen) EXPECT_GT(n, 10);
}

}  // namespace
}  // namespace detect::ml

#include "detect/ml/fasttext_classifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "detect/ml/reloading_classifier.h"
#include "detect/ml/word_evidence.h"
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

TEST(FeatureTextTest, DigitsBecomeShapesPunctuationSplitsAndLengthIsAWord) {
  EXPECT_EQ(FeatureText("call 08712460324 now!!"), "call 00000000000 now ! ! __len2");
  EXPECT_EQ(FeatureText("win £1000, txt"), "win £0000 , txt __len2");
  EXPECT_EQ(FeatureText(""), "__len0");
  // Letters repeated more than twice count twice.
  EXPECT_EQ(FeatureText("pleeeease subscribeeee"), "pleease subscribee __len1");
  // Length buckets double: 1 word, 2-3, 4-7, 8-15, ...
  EXPECT_EQ(FeatureText("a b c d e f g h"), "a b c d e f g h __len3");
}

TEST(WordEvidenceTest, LearnsTellingWordsAndPairs) {
  std::vector<WordEvidence::Example> examples;
  for (int i = 0; i < 30; ++i) {
    examples.push_back({true, FeatureText("claim your free prize now " + std::to_string(i))});
    examples.push_back({false, FeatureText("see you at practice now " + std::to_string(i))});
  }
  auto w = WordEvidence::Train(examples);
  ASSERT_TRUE(w.has_value()) << w.error().message;
  EXPECT_GT(w->size(), 10u);
  EXPECT_GT(w->LogOdds(FeatureText("free prize")), 2.0);
  EXPECT_LT(w->LogOdds(FeatureText("see you at practice")), -2.0);
  // Words never seen carry no evidence: only the prior (equal classes: 0).
  EXPECT_NEAR(w->LogOdds(FeatureText("zebra quartz")), w->LogOdds(""), 0.7);
  // A repeated word counts once, as in training.
  EXPECT_DOUBLE_EQ(w->LogOdds("prize prize prize"), w->LogOdds("prize"));
  EXPECT_GT(w->LogOdds("prize"), 0.5);
  std::vector<std::uint64_t> f;
  WordFeatures("prize prize prize", f);
  // The word once, and the pair of the start with the first word; a word in a row makes no pair
  // with itself.
  EXPECT_EQ(f.size(), 2u);
  // The start pairs with the first word only: "free" opening a message is a feature of its own.
  std::vector<std::uint64_t> ok_free;
  WordFeatures("free", f);
  WordFeatures("ok free", ok_free);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(ok_free.size(), 4u);  // ok, free, start-ok, ok-free
  EXPECT_EQ(std::count(ok_free.begin(), ok_free.end(), f[0]), 1);  // the word "free"
  EXPECT_EQ(std::count(ok_free.begin(), ok_free.end(), f[1]), 0);  // "free" at the start
  // A run of one word pairs as one word: "free ! ! ! now" has the features of "free ! now".
  std::vector<std::uint64_t> g;
  WordFeatures("free ! ! ! now", f);
  WordFeatures("free ! now", g);
  EXPECT_EQ(f, g);
  WordFeatures("free ! now !", g);
  EXPECT_EQ(g.size(), 7u);  // 3 words, the start pair, 3 pairs: a word seen again still pairs
  EXPECT_FALSE(WordEvidence::Train({{true, "a"}}).has_value());  // one class
}

TEST(WordEvidenceTest, AWeightCountsAsThatManyCopies) {
  std::vector<WordEvidence::Example> copies;
  for (int i = 0; i < 5; ++i) {
    copies.push_back({false, FeatureText("see you at practice " + std::to_string(i))});
  }
  std::vector<WordEvidence::Example> weighted = copies;
  for (int i = 0; i < 3; ++i) copies.push_back({true, FeatureText("claim your free prize")});
  weighted.push_back({true, FeatureText("claim your free prize"), 3});
  auto a = WordEvidence::Train(copies);
  auto b = WordEvidence::Train(weighted);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->size(), b->size());
  for (const char* t : {"free prize", "see you", "practice prize", ""}) {
    EXPECT_NEAR(a->LogOdds(FeatureText(t)), b->LogOdds(FeatureText(t)), 1e-6) << t;
  }
  EXPECT_FALSE(WordEvidence::Train({{true, "a", 0}, {false, "b"}}).has_value());
  EXPECT_FALSE(WordEvidence::Train({{true, "a", -1}, {false, "b"}}).has_value());
}

class WordEvidenceFileTest : public FastTextTest {};

TEST_F(WordEvidenceFileTest, SavesLoadsAndRefusesDamagedFiles) {
  std::vector<WordEvidence::Example> examples{{true, FeatureText("free prize")},
                                              {false, FeatureText("see you")}};
  auto w = WordEvidence::Train(examples);
  ASSERT_TRUE(w.has_value());
  const fs::path file = dir_ / "m.words";
  auto bytes = w->Save(file);
  ASSERT_TRUE(bytes.has_value()) << bytes.error().message;
  EXPECT_EQ(*bytes, fs::file_size(file));
  auto loaded = WordEvidence::Load(file);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(loaded->size(), w->size());
  for (const char* t : {"free prize", "see you", "free you", ""}) {
    EXPECT_DOUBLE_EQ(loaded->LogOdds(FeatureText(t)), w->LogOdds(FeatureText(t))) << t;
  }
  EXPECT_EQ(WordEvidence::Load(dir_ / "missing.words").error().code, core::ErrorCode::kNotFound);
  const std::string whole = [&] {
    std::ifstream in(file, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }();
  auto write = [&](const std::string& content) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
    return WordEvidence::Load(file);
  };
  EXPECT_EQ(write("not a words file at all").error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(write(whole.substr(0, whole.size() - 3)).error().code,
            core::ErrorCode::kInvalidArgument);                                   // truncated
  EXPECT_EQ(write(whole + "x").error().code, core::ErrorCode::kInvalidArgument);  // trailing
}

TEST_F(FastTextTest, TrainingWritesWordEvidenceThatTheModelUses) {
  TrainReport report;
  const fs::path model = Train(Corpus("c.tsv", false), "m.bin", &report);
  EXPECT_TRUE(fs::exists(WordEvidencePath(model)));
  EXPECT_GT(report.words, 10u);
  EXPECT_EQ(report.words_bytes, fs::file_size(WordEvidencePath(model)));
  auto with = FastTextClassifier::Load(model);
  ASSERT_TRUE(with.has_value()) << with.error().message;
  EXPECT_NE((*with)->Describe().find("+words"), std::string::npos);
  const std::string prize = Normalize("WIN a free prize, call now to claim").text;
  const double both = (*with)->SpamProbability(prize);
  EXPECT_GT(both, 0.8);
  // Without the file, fastText alone (a different probability); with a damaged one, an error.
  fs::rename(WordEvidencePath(model), dir_ / "aside.words");
  auto alone = FastTextClassifier::Load(model);
  ASSERT_TRUE(alone.has_value());
  EXPECT_EQ((*alone)->Describe().find("+words"), std::string::npos);
  EXPECT_NE((*alone)->SpamProbability(prize), both);
  std::ofstream(WordEvidencePath(model)) << "damaged";
  auto damaged = FastTextClassifier::Load(model);
  ASSERT_FALSE(damaged.has_value());
  EXPECT_NE(damaged.error().message.find("word-evidence"), std::string::npos);
}

TEST_F(FastTextTest, WordEvidenceWeighsEachFile) {
  // The same messages, labelled one way in the first file and the other way in the second.
  const fs::path spam_prizes = Corpus("c.tsv", false), ham_prizes = Corpus("f.tsv", true);
  auto train = [&](std::vector<double> weights) {
    TrainOptions o;
    o.tsv = {spam_prizes, ham_prizes};
    o.out = dir_ / "w.bin";
    o.epochs = 1;
    o.buckets = 2000;
    o.words_weight = std::move(weights);
    return ml::Train(o, stderr);
  };
  auto evidence = [&](std::vector<double> weights) {
    auto r = train(std::move(weights));
    EXPECT_TRUE(r.has_value()) << r.error().message;
    auto w = WordEvidence::Load(WordEvidencePath(dir_ / "w.bin"));
    EXPECT_TRUE(w.has_value()) << w.error().message;
    return w ? w->LogOdds(FeatureText(Normalize("WIN a free prize").text)) : 0.0;
  };
  EXPECT_NEAR(evidence({}), 0, 1e-6);  // each file cancels the other
  EXPECT_NEAR(evidence({1, 1}), 0, 1e-6);
  EXPECT_GT(evidence({3, 1}), 2);
  EXPECT_LT(evidence({1, 3}), -2);
  EXPECT_EQ(train({2}).error().code, core::ErrorCode::kInvalidArgument);  // one per file
  EXPECT_EQ(train({1, 0}).error().code, core::ErrorCode::kInvalidArgument);
}

TEST_F(FastTextTest, DirectPredictionEqualsFastTextsOwn) {
  const fs::path model = Train(Corpus("c.tsv", false), "m.bin");
  fs::remove(WordEvidencePath(model));  // fastText alone on both sides
  auto c = FastTextClassifier::Load(model);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  ASSERT_TRUE((*c)->direct());
  for (const char* text :
       {"WIN a free prize, call now to claim", "see you at practice tomorrow", "", "zebra",
        "call 0800123 now!!! prize prize prize", "__label__spam free prize", "__label__ham",
        "unknown words only here", "free\nprize\ttab", "a b c d e f g h i j k l m n o p q"}) {
    const std::string n = Normalize(text).text;
    EXPECT_NEAR((*c)->SpamProbability(n), (*c)->FastTextOnly(n), 1e-5) << text;
  }
  std::string long_text;
  for (int i = 0; i < 500; ++i) long_text += "claim prize practice ball " + std::to_string(i) + " ";
  const std::string n = Normalize(long_text).text;
  EXPECT_NEAR((*c)->SpamProbability(n), (*c)->FastTextOnly(n), 1e-5);
}

TEST_F(FastTextTest, FastTextReadsEachWordOnce) {
  const fs::path model = Train(Corpus("c.tsv", false), "m.bin");
  fs::remove(WordEvidencePath(model));  // fastText alone
  auto c = FastTextClassifier::Load(model);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  ASSERT_TRUE((*c)->direct());
  // A repeated word counts as one: it cannot outweigh the rest of the message by its count. (The
  // length word still counts every word: each pair is in one length bucket.)
  const std::pair<const char*, const char*> same[] = {
      {"WIN a prize prize prize prize now", "WIN a prize now"},
      {"see you see you at practice", "see you at practice"},
      {"claim your prize!!!!", "claim your prize!"},
      {"ball ball ball", "ball ball"}};
  for (const auto& [repeated, once] : same) {
    const std::string r = Normalize(repeated).text, o = Normalize(once).text;
    EXPECT_NEAR((*c)->SpamProbability(r), (*c)->SpamProbability(o), 1e-6) << repeated;
    EXPECT_NEAR((*c)->FastTextOnly(r), (*c)->FastTextOnly(o), 1e-6) << repeated;
  }
  // Order and the first occurrence decide the word pairs: these are different messages.
  EXPECT_NE((*c)->FastTextOnly(Normalize("prize call now").text),
            (*c)->FastTextOnly(Normalize("call prize now").text));
}

TEST_F(FastTextTest, HotReloadNoticesNewWordEvidence) {
  const fs::path live = Train(Corpus("c.tsv", false), "live.bin");
  fs::rename(WordEvidencePath(live), dir_ / "aside.words");
  auto r = ReloadingClassifier::Open(live);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ((*r)->Describe().find("+words"), std::string::npos);
  fs::rename(dir_ / "aside.words", WordEvidencePath(live));  // the model file itself unchanged
  auto polled = (*r)->Poll();
  ASSERT_TRUE(polled.has_value()) << polled.error().message;
  EXPECT_TRUE(*polled);
  EXPECT_NE((*r)->Describe().find("+words"), std::string::npos);
}

TEST(FoldTest, DuplicatesShareAFoldAndFoldsCoverAll) {
  EXPECT_EQ(FoldOf("Hello  World", 5), FoldOf("hello world", 5));
  int seen[5] = {};
  for (int i = 0; i < 200; ++i) ++seen[FoldOf("message " + std::to_string(i), 5)];
  for (int n : seen) EXPECT_GT(n, 10);
}

}  // namespace
}  // namespace detect::ml

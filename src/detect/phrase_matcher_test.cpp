// PhraseMatcher against a plain reference: every occurrence of every pattern, found by
// std::string_view::find, kept when it starts and ends on word boundaries.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "detect/lists.h"
#include "detect/matcher.h"

namespace detect {
namespace {

bool IsWordByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u >= 0x80;
}

// (start, pattern) of every whole-word occurrence, in order of start, then pattern.
std::vector<std::pair<std::size_t, std::string>> Reference(const std::vector<std::string>& patterns,
                                                           std::string_view text) {
  std::vector<std::pair<std::size_t, std::string>> out;
  for (const std::string& p : patterns) {
    if (p.empty()) continue;
    for (std::size_t at = text.find(p); at != std::string_view::npos; at = text.find(p, at + 1)) {
      const std::size_t end = at + p.size();
      if (IsWordByte(p.front()) && at > 0 && IsWordByte(text[at - 1])) continue;
      if (IsWordByte(p.back()) && end < text.size() && IsWordByte(text[end])) continue;
      out.emplace_back(at, p);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Where each pattern the reference finds first begins.
std::map<std::string, std::size_t> FirstOccurrences(const std::vector<std::string>& patterns,
                                                    std::string_view text) {
  std::map<std::string, std::size_t> out;
  for (const auto& [at, p] : Reference(patterns, text)) out.emplace(p, at);
  return out;
}

std::vector<std::string> Names(const PhraseMatcher& m, std::string_view text,
                               std::size_t limit = 1000) {
  std::vector<std::string> out;
  for (const std::uint32_t i : m.Scan(text, limit)) out.push_back(m.pattern(i));
  return out;
}

// The matcher finds what the reference finds, each once, in the order the first occurrences
// begin (patterns that begin at the same place in any order).
void ExpectSameAsReference(const PhraseMatcher& m, const std::vector<std::string>& patterns,
                           const std::string& text) {
  const auto expected = FirstOccurrences(patterns, text);
  const std::vector<std::string> found = Names(m, text);
  std::map<std::string, std::size_t> got;
  std::size_t previous = 0;
  for (const std::string& name : found) {
    ASSERT_TRUE(got.emplace(name, 0).second)
        << "reported twice: " << name << " in \"" << text << '"';
    const auto it = expected.find(name);
    ASSERT_NE(it, expected.end()) << "not in the text: " << name << " in \"" << text << '"';
    got[name] = it->second;
    EXPECT_GE(it->second, previous) << "out of order: " << name << " in \"" << text << '"';
    previous = it->second;
  }
  EXPECT_EQ(got, expected) << "text: \"" << text << '"';
}

// Random texts built from pieces of the patterns themselves (so that near misses are common),
// ordinary words, punctuation, spaces and non-ASCII letters, some longer than a 64-byte block.
std::string RandomText(std::mt19937& rng, const std::vector<std::string>& patterns) {
  static const std::vector<std::string> kPieces{
      " ",   " ",    " ",     ".",     "/",    ",",     "!",   "?",   "-", "'",  "\"",
      "(",   ")",    "$",     "%",     "*",    "+",     "<",   "i",   "a", "my", "the",
      "you", "free", "nitro", "steam", "gift", "check", "out", "sub", "é", "ü",  "日本",
      "🔥",   "x",    "1",     "42",    "www",  "com",   ":",   "\t"};
  std::uniform_int_distribution<int> length(0, 40);
  std::string text;
  const int parts = length(rng);
  for (int i = 0; i < parts; ++i) {
    const int kind = std::uniform_int_distribution<int>(0, 9)(rng);
    if (kind < 3 && !patterns.empty()) {
      const std::string& p =
          patterns[std::uniform_int_distribution<std::size_t>(0, patterns.size() - 1)(rng)];
      if (kind == 0) {
        text += p;  // whole
      } else {      // a prefix or suffix of it
        const std::size_t cut = std::uniform_int_distribution<std::size_t>(0, p.size())(rng);
        text += kind == 1 ? p.substr(0, cut) : p.substr(cut);
      }
    } else {
      text += kPieces[std::uniform_int_distribution<std::size_t>(0, kPieces.size() - 1)(rng)];
    }
  }
  return text;
}

TEST(PhraseMatcherReferenceTest, FindsWhatTheReferenceFindsOnRandomTexts) {
  const std::vector<std::string> patterns{
      "free nitro", "nitro",     "i",      "gg",   "a",         "my channel",   "sub4sub",
      "/claim",     ".ru/trade", "$50",    "100%", ", and",     "check out my", "steam gift",
      "giftcard",   "free",      "é free", "日本", "x.com",     "i will give",  "i leave",
      "you",        "?",         "(",      "--",   "it's free!"};
  auto m = PhraseMatcher::Compile(patterns);
  ASSERT_TRUE(m.has_value()) << m.error().message;
  std::mt19937 rng(20261207);
  for (int round = 0; round < 20000; ++round) {
    const std::string text = RandomText(rng, patterns);
    ExpectSameAsReference(*m, patterns, text);
    if (HasFailure()) return;
  }
}

// Occurs(text, p) is what a scan for p alone says, whatever the text: the evasion check relies on
// it to skip a scan.
TEST(PhraseMatcherReferenceTest, OccursAgreesWithAScanOnRandomTexts) {
  const std::vector<std::string> patterns{"free nitro", "nitro", "i",     "/claim", "$50",
                                          "é free",     "日本",  "x.com", "(",      "it's free!"};
  std::vector<PhraseMatcher> alone;
  for (const std::string& p : patterns) alone.push_back(*PhraseMatcher::Compile({p}));
  std::mt19937 rng(20261208);
  std::size_t found = 0;
  for (int round = 0; round < 5000; ++round) {
    const std::string text = RandomText(rng, patterns);
    for (std::size_t k = 0; k < patterns.size(); ++k) {
      const bool scanned = !alone[k].Scan(text).empty();
      ASSERT_EQ(PhraseMatcher::Occurs(text, patterns[k]), scanned)
          << patterns[k] << " in \"" << text << '"';
      found += scanned;
    }
  }
  EXPECT_GT(found, 1000u);  // the texts do hold the patterns, often
  EXPECT_FALSE(PhraseMatcher::Occurs("free nitrous", "free nitro"));
  EXPECT_FALSE(PhraseMatcher::Occurs("anything", ""));
}

// Several groups and a limit: each group reports the patterns whose first occurrence begins
// earliest (ties at the same place either way), at most `limit`, and the whole list is in order
// of those beginnings.
void ExpectGroupsAsReference(const PhraseMatcher& m,
                             const std::vector<std::vector<std::string>>& groups,
                             const std::string& text, std::size_t limit) {
  std::vector<std::map<std::string, std::size_t>> expected;
  for (const auto& g : groups) expected.push_back(FirstOccurrences(g, text));
  std::vector<std::vector<std::size_t>> got(groups.size());
  std::set<std::uint32_t> ids;
  std::size_t previous = 0;
  for (const std::uint32_t id : m.Scan(text, limit)) {
    ASSERT_TRUE(ids.insert(id).second) << "reported twice: " << m.pattern(id);
    const std::size_t g = m.group(id);
    const auto it = expected[g].find(m.pattern(id));
    ASSERT_NE(it, expected[g].end())
        << "not in the text: " << m.pattern(id) << " in \"" << text << '"';
    EXPECT_GE(it->second, previous) << "out of order: " << m.pattern(id) << " in \"" << text << '"';
    previous = it->second;
    got[g].push_back(it->second);
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::size_t want = std::min(limit, expected[g].size());
    ASSERT_EQ(got[g].size(), want) << "group " << g << " in \"" << text << '"';
    if (want == 0) continue;
    // Nothing that begins before the last one reported was left out.
    const std::size_t last = *std::max_element(got[g].begin(), got[g].end());
    std::size_t earlier = 0;
    for (const auto& [p, at] : expected[g]) earlier += at < last;
    const std::size_t reported_earlier = static_cast<std::size_t>(
        std::count_if(got[g].begin(), got[g].end(), [&](std::size_t at) { return at < last; }));
    EXPECT_EQ(reported_earlier, earlier) << "group " << g << " in \"" << text << '"';
  }
}

TEST(PhraseMatcherReferenceTest, GroupsLimitsAndCrowdedKeysOnRandomLists) {
  // Random lists from a small alphabet, so that patterns share beginnings (many under one key:
  // the crowded path) and begin with spaces, NULs and punctuation; two to four groups; limits of
  // one to five.
  std::mt19937 rng(42);
  const std::string alphabet("ab .\0/\xC3\xA9", 7);
  auto random_string = [&](std::size_t min, std::size_t max) {
    std::string out(std::uniform_int_distribution<std::size_t>(min, max)(rng), 'a');
    for (char& c : out) c = alphabet[std::uniform_int_distribution<std::size_t>(0, 6)(rng)];
    return out;
  };
  for (int list = 0; list < 300; ++list) {
    std::vector<std::vector<std::string>> groups(
        std::uniform_int_distribution<std::size_t>(2, 4)(rng));
    // Every other list: most patterns share one beginning of one to seven bytes.
    const std::string shared = list % 2 == 1 ? random_string(1, 7) : std::string();
    for (auto& g : groups) {
      const std::size_t count = std::uniform_int_distribution<std::size_t>(0, 40)(rng);
      for (std::size_t i = 0; i < count; ++i) {
        const bool alike = !shared.empty() && i % 4 != 0;
        g.push_back(alike ? shared + random_string(0, 5) : random_string(1, 12));
      }
    }
    auto m = PhraseMatcher::CompileGroups(groups);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    for (auto& g : groups) {  // as the matcher keeps them: without empty ones and repeats
      std::erase(g, std::string());
      std::sort(g.begin(), g.end());
      g.erase(std::unique(g.begin(), g.end()), g.end());
    }
    for (int round = 0; round < 40; ++round) {
      std::string text = random_string(0, 150);
      if (!shared.empty() && round % 2 == 0) text += ' ' + shared + random_string(0, 5);
      ExpectGroupsAsReference(*m, groups, text,
                              std::uniform_int_distribution<std::size_t>(1, 5)(rng));
      if (HasFailure()) return;
    }
  }
}

TEST(PhraseMatcherReferenceTest, AThousandKeywordsWithOneBeginning) {
  // A guild's list where every keyword begins alike goes through the crowded path: still exact.
  std::vector<std::string> keywords;
  for (int i = 1; i <= 1000; ++i) keywords.push_back("free nitro giveaway " + std::to_string(i));
  auto m = PhraseMatcher::Compile(keywords);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(Names(*m, "free nitro giveaway 17 and free nitro giveaway 999!"),
            (std::vector<std::string>{"free nitro giveaway 17", "free nitro giveaway 999"}));
  EXPECT_TRUE(Names(*m, "free nitro giveaway 1000000").empty());
  EXPECT_EQ(Names(*m, "x free nitro giveaway 5 free nitro giveaway 4", 1),
            std::vector<std::string>{"free nitro giveaway 5"});
  std::string hostile;
  for (int i = 0; i < 200; ++i) hostile += "free nitro giveaway ";
  EXPECT_TRUE(Names(*m, hostile).empty());
  EXPECT_EQ(Names(*m, hostile + "42"), std::vector<std::string>{"free nitro giveaway 42"});
}

TEST(PhraseMatcherReferenceTest, FindsWhatTheReferenceFindsWithTheShippedLists) {
  // The shipped phrase lists (scam phrases, keywords, self-promotion) as one group, and texts
  // that straddle the 64-byte blocks the scan reads.
  const PhraseMatcher& shipped = Lists::Embedded()->phrases();
  std::vector<std::string> patterns;
  for (std::uint32_t i = 0; i < shipped.size(); ++i) patterns.push_back(shipped.pattern(i));
  std::sort(patterns.begin(), patterns.end());
  patterns.erase(std::unique(patterns.begin(), patterns.end()), patterns.end());
  auto m = PhraseMatcher::Compile(patterns);
  ASSERT_TRUE(m.has_value()) << m.error().message;
  std::mt19937 rng(7);
  for (int round = 0; round < 5000; ++round) {
    std::string text = RandomText(rng, patterns);
    if (round % 3 == 0) text = std::string(static_cast<std::size_t>(round % 70), 'w') + ' ' + text;
    ExpectSameAsReference(*m, patterns, text);
    if (HasFailure()) return;
  }
}

TEST(PhraseMatcherReferenceTest, WordsAcrossBlocksAndAtTheEnds) {
  auto m = PhraseMatcher::Compile({"free nitro", "nitro", "/claim"});
  ASSERT_TRUE(m.has_value());
  for (std::size_t pad = 0; pad < 140; ++pad) {
    const std::string lead(pad, 'a');
    // A word that runs across a block boundary is one word: no match inside it.
    EXPECT_EQ(Names(*m, lead + "nitro"),
              pad == 0 ? std::vector<std::string>{"nitro"} : std::vector<std::string>{})
        << pad;
    EXPECT_EQ(Names(*m, lead + " free nitro"), (std::vector<std::string>{"free nitro", "nitro"}))
        << pad;
    EXPECT_EQ(Names(*m, lead + "/claim"), std::vector<std::string>{"/claim"}) << pad;
    EXPECT_TRUE(Names(*m, lead + " nitrous").empty()) << pad;
  }
}

TEST(PhraseMatcherReferenceTest, TheLimitKeepsTheEarliestPerGroup) {
  auto m = PhraseMatcher::CompileGroups({{"alpha", "beta", "gamma"}, {"delta"}});
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(Names(*m, "gamma beta alpha delta", 2),
            (std::vector<std::string>{"gamma", "beta", "delta"}));
  EXPECT_EQ(Names(*m, "gamma gamma gamma", 5), std::vector<std::string>{"gamma"});
}

TEST(PhraseMatcherReferenceTest, TablesGrowWithTheList) {
  // A guild's own handful of keywords costs bytes, not the shipped lists' kilobytes.
  auto small = PhraseMatcher::Compile({"crypto pump", "free robux", "gg"});
  ASSERT_TRUE(small.has_value());
  EXPECT_LT(small->database_bytes(), 4096u);
  EXPECT_GT(Lists::Embedded()->phrases().database_bytes(), 16384u);
  EXPECT_EQ(Names(*small, "gg, free robux!"), (std::vector<std::string>{"gg", "free robux"}));
}

TEST(PhraseMatcherReferenceTest, HugeAndHostileTextsStayLinear) {
  auto m = PhraseMatcher::Compile({"free nitro", "//x", "aaaa"});
  ASSERT_TRUE(m.has_value());
  const std::string slashes(100000, '/');
  EXPECT_TRUE(Names(*m, slashes).empty());
  EXPECT_EQ(Names(*m, slashes + "x"), std::vector<std::string>{"//x"});
  const std::string word(100000, 'a');  // one word: "aaaa" is not a whole word in it
  EXPECT_TRUE(Names(*m, word).empty());
  std::string nuls("free nitro");
  nuls += std::string(5, '\0');
  EXPECT_EQ(Names(*m, nuls), std::vector<std::string>{"free nitro"});
}

}  // namespace
}  // namespace detect

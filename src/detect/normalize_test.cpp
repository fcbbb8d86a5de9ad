#include "detect/normalize.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "detect/detail/normalize_unicode.h"
#include "detect/testing/random_text.h"

namespace detect {
namespace {

struct Case {
  const char* name;
  std::string input;
  std::string text;
  std::string skeleton;
};

class NormalizeTest : public ::testing::TestWithParam<Case> {};

TEST_P(NormalizeTest, UndoesTheTrick) {
  const Case& c = GetParam();
  const Normalized n = Normalize(c.input);
  EXPECT_EQ(n.text, c.text);
  EXPECT_EQ(n.skeleton, c.skeleton);
}

INSTANTIATE_TEST_SUITE_P(
    Evasions, NormalizeTest,
    ::testing::Values(
        Case{"plain", "Free Nitro", "free nitro", "free nitro"},
        Case{"fullwidth", "\uFF26\uFF52\uFF45\uFF45 \uFF2E\uFF49\uFF54\uFF52\uFF4F", "free nitro",
             "free nitro"},
        Case{"math_bold", "\U0001D41F\U0001D42B\U0001D41E\U0001D41E", "free", "free"},
        Case{"math_script_mixed", "\U0001D4F7itro", "nitro", "nitro"},
        Case{"zero_width_space", "fr\u200Bee ni\u200Ctro", "free nitro", "free nitro"},
        Case{"zero_width_joiner_and_soft_hyphen", "dis\u200Dco\u00ADrd", "discord", "discord"},
        Case{"bidi_controls", "\u202Efree\u202C nitro", "free nitro", "free nitro"},
        Case{"cyrillic_homoglyphs", "\u0444ree ni\u0442r\u043E", "\u0444ree ni\u0442r\u043E",
             "\u0444ree nitro"},
        Case{"cyrillic_discord", "d\u0456sc\u043Erd", "d\u0456sc\u043Erd", "discord"},
        Case{"greek_homoglyphs", "\u03BD\u03B9\u03C4\u03C1\u03BF", "\u03BD\u03B9\u03C4\u03C1\u03BF",
             "vitpo"},
        Case{"uppercase_cyrillic_folds_first", "\u0421\u041E\u0420", "\u0441\u043E\u0440", "cop"},
        Case{"leetspeak", "Disc0rd N1tr0 fr33", "disc0rd n1tr0 fr33", "discord nitro free"},
        Case{"leet_symbols", "$team gift @ccount", "$team gift @ccount", "steam gift account"},
        Case{"accents", "fr\u00E9\u00E9 n\u00EFtro", "fr\u00E9\u00E9 n\u00EFtro", "free nitro"},
        Case{"combining_marks", "fre\u0301e", "fr\u00E9e", "free"},
        Case{"whitespace_runs", "  free \t\n\u00A0 nitro\u3000 ", "free nitro", "free nitro"},
        Case{"circled_letters", "\u24DD\u24D8\u24E3\u24E1\u24DE", "nitro", "nitro"},
        Case{"superscript_digits_and_ligatures", "\uFB01ne", "fine", "fine"},
        Case{"empty", "", "", ""}, Case{"only_invisible", "\u200B\u200C\u200D", "", ""}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(NormalizeBadInputTest, InvalidUtf8BecomesReplacementCharacters) {
  const Normalized n = Normalize(std::string("free\xFF\xFEnitro\xC3", 12));
  EXPECT_TRUE(n.had_invalid_utf8);
  EXPECT_EQ(n.text, "free\uFFFD\uFFFDnitro\uFFFD");
}

TEST(NormalizeBadInputTest, NulAndControlsAreDropped) {
  const Normalized n = Normalize(std::string("fr\0ee\x01 nit\x7Fro", 13));
  EXPECT_FALSE(n.had_invalid_utf8);
  EXPECT_EQ(n.text, "free nitro");
}

TEST(NormalizeBadInputTest, CountsInvisibleCharacters) {
  EXPECT_EQ(Normalize("f\u200Br\u200Be\u200De").invisible_removed, 3);
  EXPECT_EQ(Normalize("free").invisible_removed, 0);
}

TEST(NormalizeBadInputTest, HundredKilobyteMessageIsLinear) {
  std::string big;
  for (int i = 0; i < 10'000; ++i) big += "Fr\u200Bee N1tr0 ";
  const Normalized n = Normalize(big);
  EXPECT_EQ(n.invisible_removed, 10'000);
  EXPECT_EQ(n.skeleton.substr(0, 22), "free nitro free nitro ");
  EXPECT_EQ(n.skeleton.size(), 10'000u * 11 - 1);
}

TEST(NormalizeBenignTest, OrdinaryTextKeepsItsMeaning) {
  EXPECT_EQ(Normalize("Check github.com/antispam").text, "check github.com/antispam");
  EXPECT_EQ(Normalize("My car has a nitro kit").skeleton, "my car has a nitro kit");
  EXPECT_EQ(Normalize("Привет, как дела?").text, "привет, как дела?");
}

class NormalizeFastPathTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { before_ = detail::UseSsse3ForTesting(GetParam()); }
  void TearDown() override { detail::UseSsse3ForTesting(before_); }
  bool before_ = false;
};
INSTANTIATE_TEST_SUITE_P(Isa, NormalizeFastPathTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Ssse3" : "Sse2"; });

TEST_P(NormalizeFastPathTest, AsciiFastPathEqualsTheUnicodePath) {
  std::mt19937 rng(42);
  // Any ASCII byte (short runs between controls), and printable ASCII only (long runs that span
  // several 16-byte blocks).
  std::uniform_int_distribution<int> len(0, 100), byte(0, 127), printable(0x20, 0x7E);
  for (int i = 0; i < 20'000; ++i) {
    std::string s(static_cast<std::size_t>(len(rng)), ' ');
    for (char& c : s) c = static_cast<char>(i % 2 ? printable(rng) : byte(rng));
    const Normalized fast = Normalize(s);
    const Normalized slow = detail::NormalizeUnicode(s);
    ASSERT_EQ(fast.text, slow.text) << "input #" << i;
    ASSERT_EQ(fast.skeleton, slow.skeleton) << "input #" << i;
    ASSERT_EQ(fast.letter_print, slow.letter_print) << "input #" << i;
    ASSERT_EQ(fast.letter_count, slow.letter_count) << "input #" << i;
    ASSERT_EQ(fast.lone_chars, slow.lone_chars) << "input #" << i;
    ASSERT_EQ(fast.invisible_removed, slow.invisible_removed);
    ASSERT_EQ(fast.letters, slow.letters) << "input #" << i;
    ASSERT_EQ(fast.shape, detail::ShapeOf(s)) << "input #" << i;
    ASSERT_EQ(fast.has_at, slow.has_at) << "input #" << i;
  }
}

}  // namespace
}  // namespace detect

namespace detect {
namespace {

TEST(NormalizeLetterPrintTest, IgnoresDigitsPunctuationSpacingAndLookAlikes) {
  const Normalized a = Normalize("buy cheap followers dm me 1");
  EXPECT_EQ(a.letter_count, 21);
  EXPECT_NE(a.letter_print, 0u);
  EXPECT_EQ(Normalize("BUY  CHEAP followers!! dm me 22").letter_print, a.letter_print);
  EXPECT_EQ(Normalize("bսy cheap f\u200Bollowers, dm me 3").letter_print, a.letter_print);
  EXPECT_NE(Normalize("buy cheap followers dm you").letter_print, a.letter_print);
  EXPECT_EQ(Normalize("12 34 !!").letter_print, 0u);
  EXPECT_EQ(Normalize("12 34 !!").letter_count, 0);
}

TEST(JoinSpacedLettersTest, LoneCharsCountTheCandidates) {
  EXPECT_EQ(Normalize("f r e e nitro").lone_chars, 4);
  EXPECT_EQ(Normalize("i think a cat").lone_chars, 2);
  EXPECT_EQ(Normalize("words only").lone_chars, 0);
  EXPECT_EQ(Normalize("x").lone_chars, 1);
}

TEST(JoinSpacedLettersTest, JoinsRunsOfSingleLetters) {
  EXPECT_EQ(JoinSpacedLetters("f r e e n i t r o now"), "freenitro now");
  EXPECT_EQ(JoinSpacedLetters("f.r.e.e n-i-t-r-o"), "freenitro");
  EXPECT_EQ(JoinSpacedLetters("get f r e e nitro"), "get free nitro");
  EXPECT_EQ(JoinSpacedLetters("i am a cat"), "");
  EXPECT_EQ(JoinSpacedLetters("plain words only"), "");
  EXPECT_EQ(JoinSpacedLetters(""), "");
}

}  // namespace
}  // namespace detect

namespace detect {
namespace {

// The fast path also takes emoji and other inert code points; it must agree with the general
// path on any mix of ASCII and non-ASCII (letters, marks, punctuation, emoji, invisibles).
TEST_P(NormalizeFastPathTest, MixedInputsMatchTheGeneralPath) {
  const std::vector<std::string> pieces{"a",
                                        "Z",
                                        " ",
                                        "1",
                                        "!",
                                        "\t",
                                        "\xF0\x9F\x98\x82",
                                        "\xE2\x9D\xA4\xEF\xB8\x8F",
                                        "\xE2\x80\x8D",
                                        "\xE2\x80\x8B",
                                        "\xC3\xA9",
                                        "e\xCC\x81",
                                        "\xD0\xBE",
                                        "\xD0\x9E",
                                        "\xE4\xB8\xAD",
                                        "\xE3\x80\x82",
                                        "\xE2\x80\x94",
                                        "\xE2\x80\x99",
                                        "\xEF\xBD\x86",
                                        "\xF0\x9D\x90\x9F",
                                        "\xEA\xB0\x80",
                                        "\xE1\x84\x80",
                                        "\xE3\x81\x8B",
                                        "\xE3\x82\x99",
                                        "\xC2\xA0",
                                        "\xE2\x84\xA2",
                                        "\xE2\x98\x83",
                                        "\xF0\x9F\x91\xA8",
                                        "\xC5\xBF",
                                        "\xE1\xB4\x80",
                                        "\xCE\xB1",
                                        "\xC2\xAD",
                                        "\xE2\x80\xAE",
                                        "\xF3\xA0\x80\xA1"};
  testing::PieceTexts texts(pieces, 0, 12, 7);
  for (int i = 0; i < 20'000; ++i) {
    const std::string s = texts.Next();
    const Normalized fast = Normalize(s);
    const Normalized slow = detail::NormalizeUnicode(s);
    ASSERT_EQ(fast.text, slow.text) << "input #" << i << ": " << s;
    ASSERT_EQ(fast.skeleton, slow.skeleton) << s;
    ASSERT_EQ(fast.letter_print, slow.letter_print) << s;
    ASSERT_EQ(fast.invisible_removed, slow.invisible_removed) << s;
    ASSERT_EQ(fast.lone_chars, slow.lone_chars) << s;
    ASSERT_EQ(fast.letters, slow.letters) << s;
    ASSERT_EQ(fast.shape, detail::ShapeOf(s)) << s;
    ASSERT_EQ(fast.has_at, slow.has_at) << s;
  }
}

TEST_P(NormalizeFastPathTest, EveryCodePointOfTheEmojiPlaneMatchesTheGeneralPath) {
  // The fast path copies the plane's plain emoji without decoding them: every one of its 4,096
  // code points, alone, between letters, after a joiner and at the very end, as the general path.
  for (std::uint32_t cp = 0x1F000; cp <= 0x1FFFF; ++cp) {
    const std::string e{'\xF0', '\x9F', static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                        static_cast<char>(0x80 | (cp & 0x3F))};
    for (const std::string& s : {e, "a" + e + "b", "x\xE2\x80\x8D" + e, "ok " + e + e}) {
      const Normalized fast = Normalize(s);
      const Normalized slow = detail::NormalizeUnicode(s);
      ASSERT_EQ(fast.text, slow.text) << std::hex << cp;
      ASSERT_EQ(fast.skeleton, slow.skeleton) << std::hex << cp;
      ASSERT_EQ(fast.letters, slow.letters) << std::hex << cp;
      ASSERT_EQ(fast.letter_print, slow.letter_print) << std::hex << cp;
      ASSERT_EQ(fast.invisible_removed, slow.invisible_removed) << std::hex << cp;
      ASSERT_EQ(fast.shape, detail::ShapeOf(s)) << std::hex << cp;
    }
  }
}

TEST_P(NormalizeFastPathTest, EachLeetCharacterAloneInARunIsMapped) {
  // The fast path maps leetspeak only in blocks that hold a leet character: each one, as the only
  // one of its run, at every place of a run that spans several blocks.
  for (const char leet : std::string_view("013457@$|")) {
    for (std::size_t at = 0; at < 40; ++at) {
      std::string s(40, 'x');
      s[at] = leet;
      const Normalized fast = Normalize(s);
      const Normalized slow = detail::NormalizeUnicode(s);
      ASSERT_EQ(fast.skeleton, slow.skeleton) << leet << " at " << at;
      ASSERT_EQ(fast.text, slow.text) << leet << " at " << at;
      ASSERT_NE(fast.skeleton[at], leet) << leet << " at " << at;
    }
  }
}

TEST(NormalizeShapeTest, NotesAnAtSignInTheText) {
  EXPECT_FALSE(Normalize("no mention here").has_at);
  EXPECT_TRUE(Normalize("hey @everyone").has_at);
  std::string long_run(40, 'x');
  long_run.push_back('@');
  EXPECT_TRUE(Normalize(long_run).has_at);                   // in a later block of the run
  EXPECT_TRUE(Normalize("\xF0\x9F\x98\x82 <@123>").has_at);  // after an emoji
  EXPECT_TRUE(Normalize("\xEF\xBC\xA0"
                        "everyone")
                  .has_at);                          // fullwidth: '@' once folded
  EXPECT_FALSE(Normalize("caf\xC3\xA9 ok").has_at);  // the general path, no '@'
}

TEST(NormalizeShapeTest, CountsTheTextAsSent) {
  // Capitals and letters before folding; pictographs and custom emoji; combining marks.
  const TextShape plain =
      Normalize("FREE nitro \xF0\x9F\x8E\x81 <:pog:123> <a:x:1> \xE2\x98\x83").shape;
  EXPECT_EQ(plain.upper, 4);
  EXPECT_EQ(plain.letters, 9 + 3 + 1 + 1);  // "FREE nitro", "pog", "a", "x"
  EXPECT_EQ(plain.emoji, 4);
  EXPECT_EQ(plain.marks, 0);
  const TextShape zalgo = Normalize("he\xCC\x81\xCC\x82llo").shape;
  EXPECT_EQ(zalgo.marks, 2);
  EXPECT_EQ(zalgo.letters, 5);
  // A Cyrillic look-alike is a letter of the fingerprint but not an ASCII letter as sent.
  const Normalized cyr = Normalize(
      "\xD0\xB0"
      "bc");
  EXPECT_EQ(cyr.shape.letters, 2);
  EXPECT_EQ(cyr.letter_count, 3);
  EXPECT_EQ(cyr.letters, "abc");
}

TEST(NormalizeInvisibleTest, EmojiJoinersAndSelectorsAreNotEvasion) {
  EXPECT_EQ(Normalize("\xE2\x9D\xA4\xEF\xB8\x8F\xE2\x9D\xA4\xEF\xB8\x8F love").invisible_removed,
            0);
  // family: man ZWJ woman ZWJ girl
  EXPECT_EQ(Normalize("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7")
                .invisible_removed,
            0);
  EXPECT_EQ(Normalize("fr\xE2\x80\x8D"
                      "ee ni\xE2\x80\x8Btro")
                .invisible_removed,
            2);
}

}  // namespace
}  // namespace detect

namespace detect {
namespace {

TEST(NormalizeIntoTest, ReusedBuffersGiveTheSameResults) {
  Normalized reused;
  for (const char* s : {"Hello   World",
                        "fr\xE2\x80\x8B"
                        "ee n1tro",
                        "\xEF\xBC\xA6ree", "", "a b c d", "x"}) {
    NormalizeInto(s, reused);
    const Normalized fresh = Normalize(s);
    EXPECT_EQ(reused.text, fresh.text) << s;
    EXPECT_EQ(reused.skeleton, fresh.skeleton) << s;
    EXPECT_EQ(reused.letter_print, fresh.letter_print) << s;
    EXPECT_EQ(reused.invisible_removed, fresh.invisible_removed) << s;
    EXPECT_EQ(reused.had_invalid_utf8, fresh.had_invalid_utf8) << s;
  }
}

}  // namespace
}  // namespace detect

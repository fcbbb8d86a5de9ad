// The evasion table: scam messages dressed up to slip past filters must all be flagged, by the
// signal that sees through the disguise; benign look-alikes must never be flagged. Every message
// comes from an established member in a quiet channel (content detection, not behaviour), judged
// by a fresh engine with the default policy and no local model.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "detect/engine.h"
#include "detect/testing/samples.h"

namespace detect {
namespace {

struct Evasion {
  std::string text;
  SignalCode expect;  // the signal that must see through it
};

const std::vector<Evasion>& Evasions() {
  static const std::vector<Evasion> e{
      // Look-alike letters in words.
      {"Ｆｒｅｅ Ｄｉｓｃｏｒｄ Ｎｉｔｒｏ for everyone", SignalCode::kKeyword},
      {"\U0001D41F\U0001D42B\U0001D41E\U0001D41E "
       "\U0001D427\U0001D422\U0001D42D\U0001D42B\U0001D428 giveaway",
       SignalCode::kKeyword},  // mathematical bold
      {"\U0001D627\U0001D633\U0001D626\U0001D626 "
       "\U0001D62F\U0001D62A\U0001D635\U0001D633\U0001D630 here",
       SignalCode::kKeyword},                              // mathematical sans-serif italic
      {"frее nitrо for you", SignalCode::kKeyword},        // Cyrillic е and о
      {"free nιtro right now", SignalCode::kKeyword},      // Greek iota
      {"Free Dіscоrd Nitrо today", SignalCode::kKeyword},  // Cyrillic і and о
      {"ꜰʀᴇᴇ ɴɪᴛʀᴏ ᴄʟᴀɪᴍ", SignalCode::kKeyword},          // small capitals
      {"ⓕⓡⓔⓔ ⓝⓘⓣⓡⓞ", SignalCode::kKeyword},                // circled letters
      // Leetspeak.
      {"free n1tr0 giveaway", SignalCode::kKeyword},
      {"fr33 d1sc0rd n1tr0", SignalCode::kKeyword},
      {"st3am g1ft for you", SignalCode::kKeyword},
      {"fr€e ro6ux? no: fr33 r0bux", SignalCode::kKeyword},
      // Invisible characters and spacing.
      {"fr\u200Bee ni\u200Btro claim", SignalCode::kEvasion},
      {"free\u200D \u2060nitro\u200C here", SignalCode::kEvasion},
      {"fr\u00ADee ni\u00ADtro now", SignalCode::kEvasion},    // soft hyphens
      {"\u202Efree\u202C nitro\u200E", SignalCode::kEvasion},  // bidi controls
      {"f r e e  n i t r o for all", SignalCode::kKeyword},
      {"f.r.e.e n.i.t.r.o", SignalCode::kKeyword},
      {"a-i-r-d-r-o-p today only", SignalCode::kKeyword},
      // Links in disguise.
      {"[discord.com/gifts](https://dlscord-gifts.com/claim)", SignalCode::kMaskedLinkMismatch},
      {"claim: [https://discord.com](https://nitro-claims.site/)", SignalCode::kMaskedLinkMismatch},
      {"https://dіscord.com/nitro", SignalCode::kLookalikeDomain},         // Cyrillic і
      {"https://xn--dscord-pvf.com/nitro", SignalCode::kLookalikeDomain},  // its punycode
      {"https://disc0rd-nitro.com/gift", SignalCode::kLookalikeDomain},
      {"https://steamcommunlty.ru/tradeoffer/new", SignalCode::kLookalikeDomain},
      {"https://steamcommunity.com.ru/gift", SignalCode::kLookalikeDomain},
      {"https://discord.com@dlscord.gift/login", SignalCode::kLookalikeDomain},      // userinfo
      {"||https://discord-app.gift/claim||", SignalCode::kLookalikeDomain},          // spoiler
      {"<https://discordnitro.gift>", SignalCode::kLookalikeDomain},                 // no embed
      {"https://ｄｉｓｃｏｒｄ－ｇｉｆｔ．ｃｏｍ/x", SignalCode::kLookalikeDomain},  // fullwidth
      {"hxxps://dlscordapp.com/nitro", SignalCode::kLookalikeDomain},
      {"nitro here: nitro-discord (dot) ru/claim", SignalCode::kLookalikeDomain},
      {"free stuff at discord.gift.claim-now.ru", SignalCode::kLookalikeDomain},
      {"https://discörd.com/", SignalCode::kPhishingDomain},              // listed as Unicode
      {"https://xn--discrd-zxa.com/login", SignalCode::kPhishingDomain},  // listed, as punycode
      {"HTTPS://DISCÖRD.COM/LOGIN", SignalCode::kPhishingDomain},
      {"https://x.aabeta.phxwolf.com/", SignalCode::kPhishingDomain},  // subdomain of an entry
      {"https://bit.ly/2zo2ibr", SignalCode::kPhishingDomain},         // listed shortlink
      {"clk.rtpdn77[.]com/offer", SignalCode::kPhishingDomain},        // glob entry, defanged
  };
  return e;
}

const std::vector<std::string>& Benign() {
  static const std::vector<std::string> b{
      "check the docs at https://discord.com/developers/docs",
      "https://github.com/nlohmann/json/issues/1234 fixed it for me",
      "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
      "youtu.be/dQw4w9WgXcQ is the one",
      "my car has a nitro boost kit lol",
      "nitro cold brew is the best coffee",
      "the nitro engine in that game is insane",
      "I got a gift card for my birthday",
      "steam gift cards are on sale this week",
      "the discord nitro emoji are nice",
      "join our python server discord.gg/python",
      "open file.txt and main.cpp",
      "email me at bob@example.com",
      "version 1.2.3.4 is out",
      "lol",
      "gg wp",
      "café, résumé, naïve",
      "Привет, как дела? Всё хорошо.",
      "こんにちは。元気ですか",
      "I love my moderator team",
      "admin please help with the bot",
      "https://en.wikipedia.org/wiki/Nitro",
      "see https://docs.python.org/3/library/re.html",
      "https://steamcommunity.com/id/someone add me",
      "https://store.steampowered.com/app/570",
      "[the docs](https://discord.com/developers/docs)",
      "[github](https://github.com/foo/bar)",
      "we're airdropping supplies in the game",
      "https://cdn.discordapp.com/attachments/1/2/image.png",
      "https://media.discordapp.net/attachments/1/2/x.png",
      "https://twitch.tv/somestreamer live now",
      "connect the dot dot dot",
      "Merry Christmas everyone 🎄🎁",
      "I need help with my steam account settings",
      "check out https://example.org/page",
      "a b c d e f g",
      // Hints of self-promotion alone stay below an alert: this is ordinary chat too.
      "check out my new keyboard, it's so clicky",
      "I posted the rules in my channel",
      "watch my back in this raid please",
  };
  return b;
}

TEST(EvasionTableTest, HasAtLeastThirtyOfEach) {
  EXPECT_GE(Evasions().size(), 30u);
  EXPECT_GE(Benign().size(), 30u);
}

TEST(EvasionTableTest, EveryEvasionIsFlaggedByTheSignalThatSeesThroughIt) {
  for (const Evasion& e : Evasions()) {
    Engine engine;
    const Verdict v = engine.Judge(testing::Message(e.text));
    EXPECT_TRUE(v.Flagged()) << e.text << "\n  " << v.Summary();
    EXPECT_TRUE(v.Has(e.expect)) << e.text << "\n  expected " << Name(e.expect) << "\n  "
                                 << v.Summary();
  }
}

TEST(EvasionTableTest, NoBenignLookAlikeIsFlagged) {
  for (const std::string& text : Benign()) {
    Engine engine;
    const Verdict v = engine.Judge(testing::Message(text));
    EXPECT_FALSE(v.Flagged()) << text << "\n  " << v.Summary();
    EXPECT_LT(v.action, Action::kAlert) << text << "\n  " << v.Summary();
  }
}

// Leetspeak in a link's path changes the skeleton, not the words: the phrase is in the plain text,
// so that is no disguise. The same phrase in leetspeak is one (the plain text is then scanned in
// full, and nothing is found). Fullwidth letters are named as such when the plain (NFKC) text
// holds the phrase, even where another word's leetspeak makes the skeleton differ.
TEST(EvasionTableTest, ALookAlikeDisguiseOnlyWhenThePlainTextMissesThePhrase) {
  auto evasion = [](const std::string& text) {
    Engine engine;
    const Verdict v = engine.Judge(testing::Message(text));
    for (const Signal& s : v.signals) {
      if (s.code == SignalCode::kEvasion) return s.evidence;
    }
    return std::string("none");
  };
  EXPECT_EQ(evasion("free nitro here https://nitro-drop.example/b7hx2j"), "none");
  EXPECT_EQ(evasion("fr33 n1tro here https://nitro-drop.example/b7hx2j"),
            "look-alike letters, leetspeak or spacing");
  EXPECT_EQ(evasion("Ｆｒｅｅ Ｎｉｔｒｏ here, n1tro"), "fullwidth or styled letters");
}

}  // namespace
}  // namespace detect

#include "detect/links.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "detect/lists.h"
#include "detect/normalize.h"
#include "detect/testing/random_text.h"

namespace detect {
namespace {

const TldSet& Tlds() { return Lists::Embedded()->tlds(); }

LinkScan Scan(std::string_view raw) { return ExtractLinks(Normalize(raw).text, Tlds()); }

TEST(LinksTest, FindsSchemeAndBareLinks) {
  const LinkScan s =
      Scan("see https://Example.COM/Path?q=1 and discord.gg/abc, then www.github.com.");
  ASSERT_EQ(s.links.size(), 3u);
  EXPECT_EQ(s.links[0].host, "example.com");
  EXPECT_EQ(s.links[0].path, "/path?q=1");
  EXPECT_TRUE(s.links[0].has_scheme);
  EXPECT_EQ(s.links[1].host, "discord.gg");
  EXPECT_EQ(s.links[1].path, "/abc");
  EXPECT_FALSE(s.links[1].has_scheme);
  EXPECT_EQ(s.links[2].host, "www.github.com");
}

TEST(LinksTest, WordsWithDotsAreNotLinks) {
  EXPECT_TRUE(Scan("open file.txt or main.cpp, i.e. e.g. version 1.2.3.4 ok...").links.empty());
  EXPECT_TRUE(Scan("mail me at bob@example.invalidtld").links.empty());
  EXPECT_TRUE(Scan("").links.empty());
}

TEST(LinksTest, MaskedLinkKeepsShownTextAndTarget) {
  const LinkScan s = Scan("claim here: [discord.com/nitro](https://evil.example/claim)");
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_TRUE(s.links[0].masked);
  EXPECT_EQ(s.links[0].shown, "discord.com/nitro");
  EXPECT_EQ(s.links[0].host, "evil.example");
  EXPECT_EQ(s.links[0].path, "/claim");
}

TEST(LinksTest, MaskedTargetInAngleBrackets) {
  const LinkScan s = Scan("[click](<https://evil.gift>)");
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.links[0].host, "evil.gift");
}

TEST(LinksTest, DefangedDotsAndSchemes) {
  for (std::string_view raw : {"evil[.]gift/x", "evil (dot) gift/x", "evil dot gift/x",
                               "hxxps://evil.gift/x", "evil . gift/x", "evil{.}gift/x"}) {
    const LinkScan s = Scan(raw);
    ASSERT_EQ(s.links.size(), 1u) << raw;
    EXPECT_EQ(s.links[0].host, "evil.gift") << raw;
    EXPECT_TRUE(s.links[0].obfuscated) << raw;
  }
  // " dot " between ordinary words is not a dot.
  EXPECT_TRUE(Scan("connect the dot dot dot").links.empty());
  EXPECT_TRUE(Scan("a dot on the map").links.empty());
}

TEST(LinksTest, TextWithNothingToUndefangIsReadAsItIs) {
  // ExtractLinks skips rewriting text that has no defanged dot, masked link or ideographic full
  // stop; the links must be the same as when it always rewrites. Texts are random strings of the
  // pieces of such tricks and of ordinary links, across the 16-byte blocks of the check.
  const std::vector<std::string> pieces{"evil",
                                        "gift",
                                        "com",
                                        ".",
                                        " ",
                                        "[",
                                        "]",
                                        "(",
                                        ")",
                                        "{",
                                        "}",
                                        "dot",
                                        "do",
                                        "d",
                                        "[.]",
                                        "(.)",
                                        "{dot}",
                                        " dot ",
                                        " . ",
                                        "\xE3\x80\x82",
                                        "\xE3",
                                        "https://",
                                        "hxxp://",
                                        "/x?y=1",
                                        "github.com",
                                        "discord.gg/abc",
                                        "[see](https://evil.gift/x)",
                                        "a",
                                        "1.2.3.4",
                                        "-",
                                        "_"};
  testing::PieceTexts texts(pieces, 1, 14, 5);
  int with_links = 0, read_as_is = 0;
  for (int i = 0; i < 30'000; ++i) {
    const std::string t = texts.Next();
    const LinkScan fast = ExtractLinks(t, Tlds());
    const LinkScan slow = detail::ExtractLinksRewritingForTesting(t, Tlds());
    ASSERT_TRUE(fast == slow) << t;  // every field of every link, and the truncation
    with_links += !fast.links.empty();
    read_as_is += !detail::MayRewrite(t);
  }
  EXPECT_GT(with_links, 10'000);  // the texts are mostly ones with links
  EXPECT_GT(read_as_is, 1'000);   // and many take the shortcut
}

// The two quick checks against the rules they stand for, one position at a time, on texts of every
// length from empty to several blocks, with what they look for near both ends and across blocks.
TEST(LinksTest, TheQuickChecksAgreeWithTheirRulesAtEveryLength) {
  auto host_byte = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
           c == '_' || u >= 0x80;
  };
  // A dot between host bytes (neither a dot), a dot after a bracket or a space, "dot", U+3002.
  auto maybe_host = [&](std::string_view t) {
    for (std::size_t i = 1; i + 1 < t.size(); ++i) {
      const char c = t[i];
      if (c == '.' && ((host_byte(t[i - 1]) && host_byte(t[i + 1])) || t[i - 1] == '[' ||
                       t[i - 1] == '(' || t[i - 1] == '{' || t[i - 1] == ' ')) {
        return true;
      }
      if (t.substr(i).starts_with("dot") || t.substr(i).starts_with("\xE3\x80\x82")) return true;
    }
    return false;
  };
  // A '[', "(." "(d" "{." "{d", " . ", " dot ", or the first byte of U+3002.
  auto may_rewrite = [](std::string_view t) {
    for (std::size_t i = 0; i < t.size(); ++i) {
      const std::string_view r = t.substr(i);
      for (std::string_view s : {"[", "(.", "(d", "{.", "{d", " . ", " dot ", "\xE3"}) {
        if (r.starts_with(s)) return true;
      }
    }
    return false;
  };
  const std::vector<std::string> pieces{
      "a",        "b",   "x",     " ",   ".",  "d",    "o",
      "t",        "[",   "(",     "{",   "-",  "\xE3", "\xE3\x80\x82",
      "\xC3\xA9", "dot", " dot ", " . ", "ok", "do"};
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  int hosts = 0, rewrites = 0;
  for (int round = 0; round < 40'000; ++round) {
    std::string t;
    const std::size_t want = static_cast<std::size_t>(round % 80);
    while (t.size() < want) t += pieces[pick(rng)];
    // Mostly plain letters, so that what the checks look for is often absent.
    for (char& c : t) {
      if (rng() % 3 != 0 && c != '\xE3' && static_cast<unsigned char>(c) < 0x80) c = 'w';
    }
    ASSERT_EQ(detail::MaybeHost(t), maybe_host(t)) << '"' << t << '"';
    ASSERT_EQ(detail::MayRewrite(t), may_rewrite(t)) << '"' << t << '"';
    hosts += maybe_host(t);
    rewrites += may_rewrite(t);
  }
  EXPECT_GT(hosts, 5'000);
  EXPECT_GT(rewrites, 5'000);
  EXPECT_LT(hosts, 35'000);
  EXPECT_LT(rewrites, 35'000);
}

TEST(LinksTest, MayRewriteSeesEveryTrickAndPassesPlainLinks) {
  for (std::string_view t :
       {"evil[.]gift", "evil [.] gift", "evil(.)gift", "evil{dot}gift", "evil dot gift",
        "evil . gift", "evil\xE3\x80\x82gift", "[discord.com](https://evil.gift)",
        "a long text before evil[dot]gift"}) {
    EXPECT_TRUE(detail::MayRewrite(t)) << t;
  }
  for (std::string_view t : {"see github.com/x", "https://discord.gg/abc ok",
                             "a.b c.d e.f g.h i.j k", "no links (here) either", "",
                             "do you know docs.example.org", "don't do that: github.com/x dot"}) {
    EXPECT_FALSE(detail::MayRewrite(t)) << t;
  }
}

TEST(LinksTest, ManyTokensBeforeADefangedDotStayLinear) {
  // Thousands of dotted tokens, then one defanged dot at the end: each token must not search the
  // rest of the text again for it (a test of the result; the time is the benchmark's business).
  std::string t;
  for (int i = 0; i < 4000; ++i) t += "a.b ";
  t += "x[.]gg";
  const LinkScan s = ExtractLinks(Normalize(t).text, Tlds());
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.links[0].host, "x.gg");
  EXPECT_TRUE(s.links[0].obfuscated);
}

TEST(LinksTest, UserinfoDoesNotHideTheRealHost) {
  const LinkScan s = Scan("https://discord.com@evil.example/login");
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.links[0].host, "evil.example");
}

TEST(LinksTest, SpoilersFullwidthAndZeroWidth) {
  const LinkScan s = Scan("||https://ｅｖｉｌ．ｇｉｆｔ/a|| and disc\u200Bord.gg/x");
  ASSERT_EQ(s.links.size(), 2u);
  EXPECT_EQ(s.links[0].host, "evil.gift");
  EXPECT_EQ(s.links[1].host, "discord.gg");
}

TEST(LinksTest, UnicodeHostsBecomeIdnaALabels) {
  const LinkScan s = Scan("https://DISCÖRD.com/gift");
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.links[0].host, "xn--discrd-zxa.com");
  EXPECT_TRUE(s.links[0].idn);
  EXPECT_EQ(CanonicalHost("xn--discrd-zxa.com"), "xn--discrd-zxa.com");
  EXPECT_EQ(CanonicalHost("discörd.com"), "xn--discrd-zxa.com");
}

TEST(LinksTest, CanonicalHostRefusesBadNames) {
  EXPECT_EQ(CanonicalHost(""), "");
  EXPECT_EQ(CanonicalHost("a..b"), "");
  std::string long_label(64, 'a');
  long_label.append(".com");
  EXPECT_EQ(CanonicalHost(long_label), "");
  EXPECT_EQ(CanonicalHost("bad host.com"), "");
  EXPECT_EQ(CanonicalHost("Example.COM."), "example.com");
  // The one-pass ASCII path and the IDNA path draw the same lines.
  std::string longest(63, 'A');
  longest.append(".Com");
  std::string lowered(63, 'a');
  lowered.append(".com");
  EXPECT_EQ(CanonicalHost(longest), lowered);
  EXPECT_EQ(CanonicalHost("My_Host-1.example.."), "my_host-1.example");
  EXPECT_EQ(CanonicalHost("..."), "");
  EXPECT_EQ(CanonicalHost(".example.com"), "");
  EXPECT_EQ(CanonicalHost("evil\x01gift"), "");  // a defanged dot is not a dot
  EXPECT_EQ(CanonicalHost("bad host.cöm"), "");
  EXPECT_EQ(CanonicalHost("a..cöm"), "");
  long_label.append(".cöm");
  EXPECT_EQ(CanonicalHost(long_label), "");
  EXPECT_EQ(CanonicalHost("DISCÖRD.com."), "xn--discrd-zxa.com");
}

TEST(LinksTest, IpLiteralsNeedASchemeOrPath) {
  EXPECT_TRUE(Scan("version 37.1.209.213").links.empty());
  const LinkScan s = Scan("http://37.1.209.213/login");
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_TRUE(s.links[0].ip_literal);
  EXPECT_EQ(s.links[0].host, "37.1.209.213");
}

TEST(LinksTest, StopsAtTheLimit) {
  std::string many;
  for (int i = 0; i < 100; ++i) {
    many += 'a';
    many += std::to_string(i);
    many += ".com ";
  }
  const LinkScan s = ExtractLinks(many, Tlds(), 10);
  EXPECT_EQ(s.links.size(), 10u);
  EXPECT_TRUE(s.truncated);
}

TEST(ListsTest, EmbeddedListsLoadWithExpectedCounts) {
  const auto c = Lists::Embedded()->counts();
  EXPECT_GT(c.phishing_domains, 23000u);
  EXPECT_EQ(c.phishing_prefixes, 50u);
  EXPECT_EQ(c.phishing_globs, 2u);
  EXPECT_GT(c.suspicious_domains, 900u);
  EXPECT_GT(c.scam_phrases, 650u);
  EXPECT_GT(c.tlds, 1400u);
  EXPECT_EQ(c.self_promotion, 77u);  // 43 clear asks and 34 hints (data/self-promotion.txt)
  // Scam phrases left out: "𝗜'" (too short) and 12 short fragments in styled letters ("𝘄𝗲𝗲𝗸").
  EXPECT_EQ(c.skipped, 13u);
}

TEST(ListsTest, HostMatchesExactlyOrAsSubdomainNeverParent) {
  const auto lists = Lists::Embedded();
  auto kind = [&](std::string_view text) {
    const LinkScan s = ExtractLinks(Normalize(text).text, lists->tlds());
    return s.links.empty() ? HostVerdict::Kind::kNone : lists->CheckLink(s.links[0]).kind;
  };
  EXPECT_EQ(kind("https://aabeta.phxwolf.com/"), HostVerdict::Kind::kPhishing);
  EXPECT_EQ(kind("https://x.aabeta.phxwolf.com/"), HostVerdict::Kind::kPhishing);
  EXPECT_EQ(kind("https://phxwolf.com/"), HostVerdict::Kind::kNone);
  EXPECT_EQ(kind("https://t.me/ucheatarchive"), HostVerdict::Kind::kSuspicious);
  EXPECT_EQ(kind("https://t.me/somethingelse"), HostVerdict::Kind::kNone);
  EXPECT_EQ(kind("https://discord.com/"), HostVerdict::Kind::kNone);
  // Unicode entries (raw in the list) meet punycode and Unicode URLs.
  EXPECT_EQ(kind("https://discörd.com/"), HostVerdict::Kind::kPhishing);
  EXPECT_EQ(kind("https://xn--discrd-zxa.com/"), HostVerdict::Kind::kPhishing);
  // Glob entries: clk.rtpdn*.com.
  EXPECT_EQ(kind("https://clk.rtpdn42.com/x"), HostVerdict::Kind::kPhishing);
  EXPECT_EQ(kind("https://clk.rtpdn.com/x"), HostVerdict::Kind::kNone);
  // Shortlink prefixes match host + path, never the shortener alone.
  EXPECT_EQ(kind("https://bit.ly/2zo2ibr"), HostVerdict::Kind::kPhishing);
  EXPECT_EQ(kind("https://bit.ly/2zo2ibrx"), HostVerdict::Kind::kNone);
  EXPECT_EQ(kind("https://bit.ly/something"), HostVerdict::Kind::kNone);
  EXPECT_EQ(kind("http://37.1.209.213/x"), HostVerdict::Kind::kPhishing);
  EXPECT_EQ(kind("https://0x1trade.com"), HostVerdict::Kind::kSuspicious);
}

TEST(ListsTest, FromDirectoryNamesTheMissingFile) {
  auto r = Lists::FromDirectory("/nonexistent-antispam-lists");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(r.error().subject, "phishing-domains/combined-domains.txt");
}

TEST(ListsTest, FromDirectoryReadsTheProjectCopy) {
  auto r = Lists::FromDirectory(ANTISPAM_DATA_DIR);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ((*r)->counts().phishing_domains, Lists::Embedded()->counts().phishing_domains);
}

TEST(PhraseMatcherTest, MatchesWholeWordsOnly) {
  auto m = PhraseMatcher::Compile({"free nitro", "airdrop", "/claim"});
  ASSERT_TRUE(m.has_value());
  auto names = [&](std::string_view text) {
    std::vector<std::string> out;
    for (auto i : m->Scan(text)) out.push_back(m->pattern(i));
    return out;
  };
  EXPECT_EQ(names("get free nitro now"), std::vector<std::string>{"free nitro"});
  EXPECT_TRUE(names("carefree nitrous oxide").empty());
  EXPECT_EQ(names("airdrop! airdrop"), std::vector<std::string>{"airdrop"});
  EXPECT_EQ(names("x.com/claim?x"), std::vector<std::string>{"/claim"});
  EXPECT_TRUE(names("").empty());
  PhraseMatcher none;
  EXPECT_TRUE(none.Scan("free nitro").empty());
}

TEST(PhraseMatcherTest, GroupsShareOneScanAndKeepTheirOwnLimits) {
  auto m = PhraseMatcher::CompileGroups(
      {{"free nitro", "steam gift", "claim now", "gift card"}, {"free nitro", "airdrop"}});
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->size(), 6u);
  EXPECT_EQ(m->group_size(0), 4u);
  EXPECT_EQ(m->group_size(1), 2u);
  EXPECT_EQ(m->group_size(2), 0u);
  // A pattern in both groups is reported for both.
  std::vector<std::pair<std::size_t, std::string>> got;
  for (auto i : m->Scan("free nitro and an airdrop")) got.emplace_back(m->group(i), m->pattern(i));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::pair<std::size_t, std::string>>{
                     {0, "free nitro"}, {1, "airdrop"}, {1, "free nitro"}}));
  // The limit applies per group: group 0 stops at two, group 1 still reports its match.
  std::size_t in0 = 0, in1 = 0;
  for (auto i : m->Scan("steam gift, gift card, claim now, free nitro", 2))
    ++(m->group(i) == 0 ? in0 : in1);
  EXPECT_EQ(in0, 2u);
  EXPECT_EQ(in1, 1u);
  // Reusing the output vector clears it.
  std::vector<std::uint32_t> ids{99, 98};
  m->ScanInto("nothing here", 4, ids);
  EXPECT_TRUE(ids.empty());
  EXPECT_FALSE(PhraseMatcher::CompileGroups({}).has_value());
  EXPECT_FALSE(PhraseMatcher::CompileGroups({{"a"}, {"b"}, {"c"}, {"d"}, {"e"}}).has_value());
}

}  // namespace
}  // namespace detect

#include "detect/engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "detect/detail/format.h"
#include "detect/detail/state.h"
#include "detect/lists.h"
#include "detect/testing/samples.h"

namespace detect {
namespace {

using namespace std::chrono_literals;
using testing::EstablishedMember;
using testing::FreshAccount;
using testing::Message;
using testing::Now;

// The engine remembers what the lists say about a host it has met; new lists must not be answered
// from the old ones.
TEST(EngineTest, NewListsAreNotAnsweredFromWhatTheOldOnesSaidOfAHost) {
  Engine e;
  const std::string text = "look at https://listed-later.example/page";
  const Verdict before = e.Judge(Message(text));
  EXPECT_FALSE(before.Has(SignalCode::kPhishingDomain)) << before.Summary();
  ListTexts texts{};
  texts.phishing_domains = "listed-later.example\n";
  texts.suspicious_domains = "other-host.example\n";
  texts.tlds = "example\n";
  auto lists = Lists::Build(texts);
  ASSERT_TRUE(lists.has_value()) << lists.error().message;
  e.SetLists(*lists);
  const Verdict after = e.Judge(Message(text));
  EXPECT_TRUE(after.Has(SignalCode::kPhishingDomain)) << after.Summary();
  // And back: the embedded lists do not list it.
  e.SetLists(Lists::Embedded());
  EXPECT_FALSE(e.Judge(Message(text)).Has(SignalCode::kPhishingDomain));
  // The memo and the lists agree, host by host and link by link.
  const Verdict other = [&] {
    e.SetLists(*lists);
    return e.Judge(Message("see https://a.other-host.example and https://listed-later.example"));
  }();
  EXPECT_TRUE(other.Has(SignalCode::kPhishingDomain)) << other.Summary();
  EXPECT_TRUE(other.Has(SignalCode::kSuspiciousDomain)) << other.Summary();
}

TEST(EngineTest, QuietEstablishedMemberIsLowAndCertain) {
  Engine e;
  const Verdict v = e.Judge(Message("anyone up for a match tonight?"));
  EXPECT_EQ(v.level, Level::kLow);
  EXPECT_EQ(v.action, Action::kNone);
  EXPECT_TRUE(v.signals.empty()) << v.Summary();
  EXPECT_DOUBLE_EQ(v.risk, 0);
  EXPECT_GE(v.certainty, 0.6);
  EXPECT_FALSE(v.llm_recommended);
  EXPECT_EQ(v.trigger, Trigger::kMessage);
}

TEST(EngineTest, MessageRateFiresOnTheSixthMessageInTenSeconds) {
  Engine e;
  for (int i = 0; i < 5; ++i) {
    const Verdict v = e.Judge(
        Message("msg " + std::to_string(i) + " about things", EstablishedMember(), Now() + i * 1s));
    EXPECT_FALSE(v.Has(SignalCode::kMessageRate)) << i;
  }
  const Verdict v = e.Judge(Message("msg 5 about other", EstablishedMember(), Now() + 5s));
  EXPECT_TRUE(v.Has(SignalCode::kMessageRate)) << v.Summary();
  for (const Signal& s : v.signals) {
    if (s.code != SignalCode::kMessageRate) continue;
    EXPECT_EQ(s.reason, "6 messages in 10 s (limit 5)");
    EXPECT_EQ(s.evidence, "6");
  }
  // Another member in the same guild is not affected.
  EXPECT_FALSE(e.Judge(Message("hello there", EstablishedMember(2), Now() + 5s))
                   .Has(SignalCode::kMessageRate));
}

// Reasons are formatted in a stack buffer, then copied once: long ones too.
TEST(EngineTest, ReasonsOfAnyLengthAreFormattedWhole) {
  EXPECT_EQ(detail::Format(FMT_COMPILE("{} in {} s"), 7, 10), "7 in 10 s");
  const std::string longer(2000, 'x');  // past the buffer's 500 bytes on the stack
  EXPECT_EQ(detail::Format(FMT_COMPILE("<{}>"), longer), "<" + longer + ">");
}

TEST(EngineTest, MessageRateWindowSlides) {
  Engine e;
  for (int i = 0; i < 6; ++i) {
    const Verdict v = e.Judge(
        Message("message number " + std::to_string(i), EstablishedMember(), Now() + i * 3s));
    EXPECT_FALSE(v.Has(SignalCode::kMessageRate)) << i << " " << v.Summary();
  }
}

TEST(EngineTest, MessageRateFollowsThePolicy) {
  Engine e;
  PolicyData p = PolicyData::Defaults();
  ASSERT_TRUE(p.Set("rate.max_messages", "2").has_value());
  ASSERT_TRUE(p.Set("rate.window_seconds", "5").has_value());
  e.SetPolicy(Message("").guild, *CompiledPolicy::Compile(p));
  e.Judge(Message("one message here", EstablishedMember(), Now()));
  e.Judge(Message("two message here", EstablishedMember(), Now() + 1s));
  EXPECT_TRUE(e.Judge(Message("three message", EstablishedMember(), Now() + 2s))
                  .Has(SignalCode::kMessageRate));
}

TEST(EngineTest, NearDuplicatesFromOneMember) {
  Engine e;
  e.Judge(Message("BUY CHEAP FOLLOWERS DM ME 1", EstablishedMember(), Now()));
  e.Judge(Message("buy cheap followers dm me!! 2", EstablishedMember(), Now() + 20s));
  const Verdict v =
      e.Judge(Message("bսy  cheap followers, dm me 3", EstablishedMember(), Now() + 40s));
  EXPECT_TRUE(v.Has(SignalCode::kDuplicate)) << v.Summary();
  // Short replies never count as duplicates.
  Engine e2;
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(
        e2.Judge(Message("ok", EstablishedMember(), Now() + i * 20s)).Has(SignalCode::kDuplicate));
  }
}

TEST(EngineTest, SameTextFromManyMembersIsARaid) {
  Engine e;
  const std::string text = "join the best server ever discord.gg/abcdef";
  EXPECT_FALSE(e.Judge(Message(text, EstablishedMember(1), Now())).Has(SignalCode::kRaidText));
  EXPECT_FALSE(e.Judge(Message(text, EstablishedMember(2), Now() + 2s)).Has(SignalCode::kRaidText));
  const Verdict v = e.Judge(Message(text, EstablishedMember(3), Now() + 4s));
  EXPECT_TRUE(v.Has(SignalCode::kRaidText)) << v.Summary();
  EXPECT_TRUE(v.Flagged());
  // A crowd saying the same short thing is not a raid.
  Engine crowd;
  for (std::uint64_t u = 10; u < 20; ++u) {
    EXPECT_FALSE(crowd.Judge(Message("happy new year everyone!!", EstablishedMember(u), Now()))
                     .Has(SignalCode::kRaidText));
  }
  // Outside the window the count starts again.
  EXPECT_FALSE(
      e.Judge(Message(text, EstablishedMember(4), Now() + 60s)).Has(SignalCode::kRaidText));
}

TEST(EngineTest, MassMentionsAndEveryone) {
  Engine e;
  MessageSample s = Message("look at this");
  s.user_mentions = 12;
  const Verdict v = e.Judge(s);
  EXPECT_TRUE(v.Has(SignalCode::kMassMention));
  EXPECT_TRUE(v.Flagged()) << v.Summary();
  EXPECT_TRUE(e.Judge(Message("@everyone look at this", EstablishedMember(2)))
                  .Has(SignalCode::kEveryoneMention));
  MessageSample resolved = Message("look", EstablishedMember(3));
  resolved.mentions_everyone = true;
  EXPECT_TRUE(e.Judge(resolved).Has(SignalCode::kEveryoneMention));
}

TEST(EngineTest, FreshAccountPostingAnUnknownLinkFirstThing) {
  Engine e;
  const Verdict v = e.Judge(Message("hey check https://cool-site.example/x", FreshAccount()));
  EXPECT_TRUE(v.Has(SignalCode::kNewAccount));
  EXPECT_TRUE(v.Has(SignalCode::kNewMember));
  EXPECT_TRUE(v.Has(SignalCode::kFirstMessageLink));
  EXPECT_TRUE(v.Flagged()) << v.Summary();
  // The same from an established member is nothing.
  EXPECT_FALSE(Engine().Judge(Message("hey check https://cool-site.example/x")).Flagged());
  // A trusted link from the fresh account is not a first-message link.
  EXPECT_FALSE(Engine()
                   .Judge(Message("https://github.com/a/b", FreshAccount()))
                   .Has(SignalCode::kFirstMessageLink));
}

TEST(EngineTest, PhishingLinkIsHighAndRestrictsWithHighCertainty) {
  Engine e;
  const Verdict v = e.Judge(Message("free stuff https://aabeta.phxwolf.com/login"));
  EXPECT_EQ(v.level, Level::kHigh);
  EXPECT_EQ(v.action, Action::kRestrict);
  EXPECT_GE(v.certainty, 0.95);
  EXPECT_FALSE(v.llm_recommended);
  ASSERT_FALSE(v.signals.empty());
  EXPECT_EQ(v.signals.front().code, SignalCode::kPhishingDomain);  // strongest first
  EXPECT_EQ(v.signals.front().evidence, "aabeta.phxwolf.com");
  EXPECT_FALSE(v.signals.front().reason.empty());
  // The guild's own thresholds: kick at the restrict risk (the stronger wins), alert disabled.
  PolicyData p = PolicyData::Defaults();
  ASSERT_TRUE(p.Set("action.kick", "0.6").has_value());
  ASSERT_TRUE(p.Set("action.alert", "2").has_value());
  Engine own;
  own.SetPolicy(Message("").guild, *CompiledPolicy::Compile(p));
  EXPECT_EQ(own.Judge(Message("free stuff https://aabeta.phxwolf.com/login")).action,
            Action::kKick);
  EXPECT_EQ(own.Judge(Message("hello there")).action, Action::kNone);
}

TEST(EngineTest, LookalikeHostsAreRememberedPerHostNotPerMessage) {
  // The engine remembers what it worked out about each host (and 256 hosts at most): the same
  // look-alike flagged every time it appears, trusted and ordinary hosts never, across far more
  // distinct hosts than the memo holds (so entries are replaced as it goes).
  Engine e;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 400; ++i) {
      const auto at = Now() + std::chrono::seconds(60 * (round * 400 + i));
      const std::string n = std::to_string(i);
      const Verdict fake =
          e.Judge(Message("see https://dlscord-" + n + ".example/x", EstablishedMember(1), at));
      ASSERT_TRUE(fake.Has(SignalCode::kLookalikeDomain)) << round << " " << i;
      const Verdict real =
          e.Judge(Message("see https://site" + n + ".example/x", EstablishedMember(2), at));
      ASSERT_FALSE(real.Has(SignalCode::kLookalikeDomain)) << round << " " << i;
    }
  }
  EXPECT_FALSE(e.Judge(Message("see https://discord.com/channels/1", EstablishedMember(3), Now()))
                   .Has(SignalCode::kLookalikeDomain));
}

TEST(EngineTest, KeywordsComeFromTheGuildPolicyWhateverTheSharedScanHolds) {
  // The default keywords are scanned together with the scam phrases; a guild with its own list
  // (extra keywords, or a default removed) gets exactly its list.
  Engine e;
  const core::GuildId guild = Message("x").guild;
  EXPECT_TRUE(e.Judge(Message("want free robux?")).Has(SignalCode::kKeyword));
  EXPECT_FALSE(
      e.Judge(Message("pump it to the moon", EstablishedMember(2))).Has(SignalCode::kKeyword));
  PolicyData own = PolicyData::Defaults();
  ASSERT_TRUE(own.Set("keywords.extra", "moon pump").has_value());
  ASSERT_TRUE(own.Set("keywords.defaults", "airdrop").has_value());
  auto compiled = CompiledPolicy::Compile(own);
  ASSERT_TRUE(compiled.has_value()) << compiled.error().message;
  EXPECT_FALSE((*compiled)->default_keywords());
  EXPECT_TRUE(CompiledPolicy::Default()->default_keywords());
  e.SetPolicy(guild, *compiled);
  EXPECT_TRUE(
      e.Judge(Message("the moon pump is on", EstablishedMember(3))).Has(SignalCode::kKeyword));
  EXPECT_TRUE(
      e.Judge(Message("new airdrop today", EstablishedMember(4))).Has(SignalCode::kKeyword));
  EXPECT_FALSE(
      e.Judge(Message("want free robux?", EstablishedMember(5))).Has(SignalCode::kKeyword));
}

TEST(EngineTest, SelfPromotionAlertsOnClearAsksAndOnlyHintsOtherwise) {
  Engine e;
  // A clear ask alerts the admins, with the phrase as evidence; nothing is restricted.
  const Verdict sub = e.Judge(Message("SUB to MY channel, sub4sub!", EstablishedMember(1)));
  ASSERT_TRUE(sub.Has(SignalCode::kSelfPromotion)) << sub.Summary();
  EXPECT_EQ(sub.action, Action::kAlert) << sub.Summary();
  // Several asks and a link: restricted.
  const Verdict link =
      e.Judge(Message("please subscribe to my channel, like and subscribe: https://youtube.com/@me",
                      EstablishedMember(2)));
  EXPECT_GE(link.action, Action::kRestrict) << link.Summary();
  // A hint alone ("check out my"): seen, but only logged.
  const Verdict hint = e.Judge(Message("check out my new setup", EstablishedMember(3)));
  EXPECT_TRUE(hint.Has(SignalCode::kSelfPromotion)) << hint.Summary();
  EXPECT_FALSE(hint.Flagged()) << hint.Summary();
  // Nothing at all in "subscription" talk.
  EXPECT_FALSE(e.Judge(Message("my nitro subscription renewed", EstablishedMember(4)))
                   .Has(SignalCode::kSelfPromotion));
  // The weight is policy: a server that allows self-promotion turns it off.
  PolicyData off = PolicyData::Defaults();
  ASSERT_TRUE(off.Set("weight.self_promotion", "0").has_value());
  e.SetPolicy(Message("x").guild, *CompiledPolicy::Compile(off));
  EXPECT_FALSE(
      e.Judge(Message("sub to my channel", EstablishedMember(5))).Has(SignalCode::kSelfPromotion));
}

TEST(EngineTest, CapsZalgoAndEmojiFloods) {
  Engine e;
  EXPECT_TRUE(e.Judge(Message("THIS IS THE BEST SERVER IN THE WORLD JOIN NOW"))
                  .Has(SignalCode::kCapsFlood));
  std::string zalgo = "h";
  for (int i = 0; i < 20; ++i) zalgo += "\xCC\x81";  // U+0301
  zalgo += "ello";
  EXPECT_TRUE(e.Judge(Message(zalgo, EstablishedMember(2))).Has(SignalCode::kZalgo));
  std::string emoji;
  for (int i = 0; i < 20; ++i) emoji += "\xF0\x9F\x98\x82";  // U+1F602
  EXPECT_TRUE(e.Judge(Message(emoji, EstablishedMember(3))).Has(SignalCode::kEmojiFlood));
  EXPECT_FALSE(e.Judge(Message("OK", EstablishedMember(4))).Has(SignalCode::kCapsFlood));
}

TEST(EngineTest, BotsAndModeratorsAreExempt) {
  Engine e;
  Author mod = EstablishedMember();
  mod.is_moderator = true;
  const Verdict v = e.Judge(Message("https://aabeta.phxwolf.com/login", mod));
  EXPECT_TRUE(v.exempt);
  EXPECT_EQ(v.action, Action::kNone);
  Author bot = EstablishedMember(2);
  bot.is_bot = true;
  EXPECT_TRUE(e.Judge(Message("@everyone", bot)).exempt);
}

TEST(EngineTest, HistoryRaisesAndFalsePositivesLower) {
  Author repeat = EstablishedMember();
  repeat.prior_detections = 3;
  Author vindicated = EstablishedMember(2);
  vindicated.prior_false_positives = 2;
  vindicated.reputation = 0.8;
  const std::string text = "free nitro, anyone? https://cool-site.example/";
  const double base = Engine().Judge(Message(text)).risk;
  const double up = Engine().Judge(Message(text, repeat)).risk;
  const double down = Engine().Judge(Message(text, vindicated)).risk;
  EXPECT_GT(up, base);
  EXPECT_LT(down, base);
}

TEST(EngineTest, GreyZoneRecommendsTheLlmAndWithLlmDecides) {
  Engine e;
  // One keyword and a fresh account: grey zone.
  const Verdict v = e.Judge(Message("steam gift for the first 10 people", FreshAccount()));
  ASSERT_GE(v.risk, 0.2);
  ASSERT_LT(v.risk, 0.75);
  EXPECT_TRUE(v.llm_recommended) << v.Summary();
  const core::GuildId g = Message("").guild;
  const Verdict spam = e.WithLlm(v, {LlmOpinion::Label::kSpam, 0.95, "classic gift scam"}, g);
  EXPECT_TRUE(spam.llm_used);
  EXPECT_FALSE(spam.llm_recommended);
  EXPECT_GT(spam.risk, v.risk);
  EXPECT_TRUE(spam.Has(SignalCode::kLlm));
  const Verdict normal =
      e.WithLlm(v, {LlmOpinion::Label::kNormal, 0.9, "a real giveaway by a regular"}, g);
  EXPECT_LT(normal.risk, v.risk);
  // Asking twice replaces the first opinion rather than stacking.
  const Verdict twice = e.WithLlm(spam, {LlmOpinion::Label::kSpam, 0.95, "again"}, g);
  EXPECT_NEAR(twice.risk, spam.risk, 1e-9);
}

TEST(EngineTest, JoinBurstMarksEveryJoinerInTheWindowOnce) {
  Engine e;
  PolicyData p = PolicyData::Defaults();
  ASSERT_TRUE(p.Set("join_burst.joins", "4").has_value());
  const core::GuildId g(700000000000000001ULL);
  e.SetPolicy(g, *CompiledPolicy::Compile(p));
  std::vector<Verdict> verdicts;
  for (int i = 0; i < 6; ++i) {
    JoinSample j;
    j.guild = g;
    j.user = EstablishedMember(100 + static_cast<std::uint64_t>(i));
    j.at = Now() + i * 2s;
    verdicts.push_back(e.Judge(j));
  }
  EXPECT_FALSE(verdicts[2].Has(SignalCode::kJoinBurst));
  EXPECT_TRUE(verdicts[3].Has(SignalCode::kJoinBurst));
  EXPECT_EQ(verdicts[3].raid_members.size(), 3u);  // the three before
  EXPECT_TRUE(verdicts[4].Has(SignalCode::kJoinBurst));
  EXPECT_TRUE(verdicts[4].raid_members.empty());  // already reported
  EXPECT_EQ(verdicts[5].trigger, Trigger::kJoin);
}

TEST(EngineTest, JoinOfAFreshImpersonatorWithNoAvatar) {
  Engine e;
  JoinSample j;
  j.guild = core::GuildId(700000000000000001ULL);
  j.user = FreshAccount();
  j.user.username = "discord_support";
  j.user.global_name = "Ｍоdеrаtоr";
  j.at = Now();
  const Verdict v = e.Judge(j);
  EXPECT_TRUE(v.Has(SignalCode::kImpersonationName));
  EXPECT_TRUE(v.Has(SignalCode::kDefaultAvatar));
  EXPECT_TRUE(v.Has(SignalCode::kNewAccount));
  EXPECT_TRUE(v.Flagged()) << v.Summary();
  JoinSample ok = j;
  ok.user = EstablishedMember(5);
  ok.user.username = "badminton_fan";
  EXPECT_FALSE(e.Judge(ok).Flagged());
}

TEST(EngineTest, BadInputGetsAVerdict) {
  Engine e;
  const std::string invalid = "free \xFF\xFE nitro \xC3";
  EXPECT_NO_THROW(e.Judge(Message(invalid)));
  EXPECT_EQ(e.Judge(Message("", EstablishedMember(2))).level, Level::kLow);
  const std::string nul("free\0nitro https://aabeta.phxwolf.com", 37);
  EXPECT_TRUE(e.Judge(Message(nul, EstablishedMember(3))).Has(SignalCode::kPhishingDomain));
  std::string huge;
  while (huge.size() < 100 * 1024) huge += "https://a.example/ free nitro \xE2\x80\x8B ";
  const Verdict v = e.Judge(Message(huge, EstablishedMember(4)));
  EXPECT_TRUE(v.Flagged());
  MessageSample many = Message("hi", EstablishedMember(5));
  many.user_mentions = 10000;
  many.role_mentions = -5;  // nonsense from the caller is clamped
  EXPECT_TRUE(e.Judge(many).Has(SignalCode::kMassMention));
}

TEST(EngineTest, StateExpiresAndStaysSmall) {
  Engine e;
  for (std::uint64_t u = 0; u < 1000; ++u) {
    e.Judge(
        Message("a normal sentence number " + std::to_string(u), EstablishedMember(u + 1), Now()));
  }
  const EngineStats s = e.Stats();
  EXPECT_EQ(s.members, 1000u);
  EXPECT_EQ(s.messages, 1000u);
  EXPECT_LE(s.state_bytes / s.members, 256u);
  EXPECT_LE(s.texts, detail::RaidTexts::kSlots);  // fixed, whatever the traffic
  e.Expire(Now() + 20min);
  EXPECT_EQ(e.Stats().members, 0u);
}

TEST(EngineTest, ClassifierAddsOneBoundedSignal) {
  struct Fixed : TextClassifier {
    double p;
    explicit Fixed(double v) : p(v) {}
    double SpamProbability(std::string_view) const override { return p; }
    std::string Describe() const override { return "fixed"; }
  };
  Engine e;
  e.SetClassifier(std::make_shared<Fixed>(0.99));
  const Verdict spam = e.Judge(Message("win a free cruise, text WIN to 80000"));
  EXPECT_TRUE(spam.Has(SignalCode::kClassifier));
  EXPECT_TRUE(spam.Flagged()) << spam.Summary();
  EXPECT_LE(spam.risk, DefaultWeight(SignalCode::kClassifier) + 1e-9);
  e.SetClassifier(std::make_shared<Fixed>(0.02));
  const Verdict ham = e.Judge(Message("see you at practice", EstablishedMember(2)));
  EXPECT_FALSE(ham.Has(SignalCode::kClassifier));
  EXPECT_GE(ham.certainty, 0.9);
}

}  // namespace
}  // namespace detect

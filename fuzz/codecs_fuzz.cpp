// AFL++ target for the parsers that read text from outside the process: snowflake ids, the
// store's timestamp, date and text[] codecs, secret redaction, the detection normaliser and the
// link extractor, the gateway's zlib-stream inflater and its payload decoder, and the decoders of
// interactions and REST messages (with a write-and-read-back oracle), and the phrase matcher
// (against a plain search). The first input byte
// picks the parser; the rest is its input. Parsers must fail closed (never crash, never accept
// garbage silently), and whatever they accept must survive a format/parse round trip unchanged — a
// violated oracle aborts.
//
// Built and run by scripts/fuzz.sh (afl-g++), which ctest calls for a bounded time.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/id.h"
#include "core/redact.h"
#include "detect/detail/normalize_unicode.h"
#include "detect/links.h"
#include "detect/matcher.h"
#include "detect/normalize.h"
#include "discord/model/entities.h"
#include "discord/model/interaction.h"
#include "discord/model/message.h"
#include "net/zlib_stream.h"
#include "store/pg/detail/params.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

bool ValidUtf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

bool IsWordByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u >= 0x80;
}

// Where `p` first occurs in `text` as whole words, or npos.
std::size_t FirstWholeWord(const std::string& p, const std::string& text) {
  for (std::size_t at = text.find(p); at != std::string::npos; at = text.find(p, at + 1)) {
    const std::size_t end = at + p.size();
    if (IsWordByte(p.front()) && at > 0 && IsWordByte(text[at - 1])) continue;
    if (IsWordByte(p.back()) && end < text.size() && IsWordByte(text[end])) continue;
    return at;
  }
  return std::string::npos;
}

// The matcher against a plain search: per group, the `limit` patterns that occur first (ties at
// one place either way), each once, the whole list in order of where they first occur.
void CheckMatcher(const detect::PhraseMatcher* matcher,
                  const std::vector<std::vector<std::string>>& groups, const std::string& text,
                  std::size_t limit) {
  std::vector<std::vector<std::size_t>> occurring(groups.size());  // first starts, per group
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::vector<std::string> kept = groups[g];
    std::erase(kept, std::string());
    std::sort(kept.begin(), kept.end());
    kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
    for (const std::string& p : kept) {
      const std::size_t at = FirstWholeWord(p, text);
      if (at != std::string::npos) occurring[g].push_back(at);
    }
  }
  std::vector<std::vector<std::size_t>> got(groups.size());
  std::vector<std::uint32_t> ids = matcher->Scan(text, limit);
  std::size_t previous = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    Check(std::find(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(i), ids[i]) ==
          ids.begin() + static_cast<std::ptrdiff_t>(i));
    const std::size_t at = FirstWholeWord(matcher->pattern(ids[i]), text);
    Check(at != std::string::npos && at >= previous);
    previous = at;
    got[matcher->group(ids[i])].push_back(at);
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    Check(got[g].size() == std::min(limit, occurring[g].size()));
    if (got[g].empty()) continue;
    const std::size_t last = *std::max_element(got[g].begin(), got[g].end());
    const auto before = [&](const std::vector<std::size_t>& v) {
      return std::count_if(v.begin(), v.end(), [&](std::size_t at) { return at < last; });
    };
    Check(before(got[g]) == before(occurring[g]));
  }
}

// A fixed list over `text`; and, when the input holds a record separator (0x1E), a list read from
// the input: patterns before it split at 0x1F into three groups, the text after it.
void CheckPhrases(const std::string& text) {
  static const std::vector<std::string> fixed{
      "free nitro", "nitro",         "i",          "gg",          "my channel", "/claim",
      ".ru/trade",  "$50",           ", and",      "i will give", "x.com",      "?",
      "--",         "\xC3\xA9 free", "it's free!", "aaaa",        "sub4sub"};
  static const std::vector<std::vector<std::string>> fixed_groups{fixed};
  static const detect::PhraseMatcher fixed_matcher =
      *detect::PhraseMatcher::CompileGroups(fixed_groups);
  CheckMatcher(&fixed_matcher, fixed_groups, text, 100);
  const std::size_t split = text.find('\x1e');
  if (split == std::string::npos) return;
  std::vector<std::vector<std::string>> groups(3);
  std::size_t from = 0, index = 0;
  const std::string spec = text.substr(0, split);
  while (from <= spec.size() && index < 3000) {
    std::size_t to = spec.find('\x1f', from);
    if (to == std::string::npos) to = spec.size();
    groups[index++ % 3].push_back(spec.substr(from, to - from));
    from = to + 1;
  }
  auto matcher = detect::PhraseMatcher::CompileGroups(groups);
  Check(matcher.has_value());
  CheckMatcher(&*matcher, groups, text.substr(split + 1), 1 + spec.size() % 4);
}

void One(const std::string& data) {
  if (data.empty()) return;
  const std::string in = data.substr(1);
  using namespace store::pg::detail;
  switch (static_cast<unsigned char>(data[0]) % 10) {
    case 0: {
      auto id = core::UserId::Parse(in);
      if (id) {
        auto again = core::UserId::Parse(id->ToString());
        Check(again && *again == *id);
      }
      break;
    }
    case 1: {
      auto t = ParseTimestamp(in);
      if (t) {
        auto again = ParseTimestamp(FormatTimestamp(*t));
        Check(again && *again == *t);
      }
      break;
    }
    case 2: {
      auto d = ParseDate(in);
      if (d) {
        auto again = ParseDate(FormatDate(*d));
        Check(again && *again == *d);
      }
      break;
    }
    case 3: {
      auto items = ParseTextArray(in);
      if (items) {
        auto again = ParseTextArray(FormatTextArray(*items));
        Check(again && *again == *items);
      }
      break;
    }
    case 5: {
      const detect::Normalized n = detect::Normalize(in);
      for (const std::string* t : {&n.text, &n.skeleton}) {
        Check(ValidUtf8(*t));
        Check(t->find('\0') == std::string::npos);
      }
      Check(n.text.find("  ") == std::string::npos);
      Check(n.text.empty() || (n.text.front() != ' ' && n.text.back() != ' '));
      // The ASCII fast path must agree with the general path.
      const detect::Normalized slow = detect::detail::NormalizeUnicode(in);
      Check(slow.text == n.text && slow.skeleton == n.skeleton &&
            slow.letter_print == n.letter_print && slow.letter_count == n.letter_count &&
            slow.lone_chars == n.lone_chars && slow.letters == n.letters && slow.shape == n.shape);
      // The phrase matcher finds what a plain search finds, over the raw input and the skeleton.
      CheckPhrases(in);
      CheckPhrases(n.skeleton);
      break;
    }
    case 6: {
      // Link extraction over normalised text: every host canonical, paths bounded, the limit kept.
      static const detect::TldSet tlds("com\ngg\ngift\nru\nxyz\nnet\norg\n");
      const std::string text = detect::Normalize(in).text;
      const detect::LinkScan scan = detect::ExtractLinks(text, tlds, 8);
      Check(scan.links.size() <= 8);
      for (const detect::Link& l : scan.links) {
        Check(!l.host.empty() && l.host.size() <= 253);
        Check(l.ip_literal || detect::CanonicalHost(l.host) == l.host);
        Check(l.path.size() <= 256);
        Check(l.masked || l.shown.empty());
      }
      // Skipping the rewrite of text with nothing to undefang changes nothing.
      Check(detect::detail::ExtractLinksRewritingForTesting(text, tlds, 8) == scan);
      break;
    }
    case 7: {
      // zlib-stream: the input cut into frames (each led by a length byte). Never a crash, never a
      // payload over the limit, and once failed always failed.
      net::ZlibStream z(1 << 16);
      bool failed = false;
      for (std::size_t i = 0; i < in.size();) {
        const std::size_t n =
            std::min<std::size_t>(static_cast<unsigned char>(in[i]), in.size() - i - 1);
        auto p = z.Feed(std::string_view(in).substr(i + 1, n));
        i += 1 + n;
        Check(!failed || !p.has_value());
        if (!p) {
          failed = true;
        } else if (*p) {
          Check((*p)->size() <= (1 << 16));
        }
      }
      break;
    }
    case 8: {
      // Gateway payloads: any bytes give a payload or an error, never a crash; a decoded message
      // has the ids it claims to have.
      auto p = discord::DecodeGatewayPayload(in);
      if (p) {
        if (const auto* m = std::get_if<discord::Message>(&p->data)) {
          Check(m->id.value() != 0 || in.find("\"id\"") != std::string::npos);
          Check(m->attachments >= 0 && m->embeds >= 0);
        }
      } else {
        Check(!p.error().message.empty());
      }
      break;
    }
    case 9: {
      // Interactions (the gateway's INTERACTION_CREATE d, or the HTTP endpoint's body) and REST
      // messages: what decodes survives being written back in Discord's shape and read again.
      if (auto i = discord::DecodeInteraction(in)) {
        auto again = discord::DecodeInteraction(discord::ToJson(*i).dump());
        Check(again.has_value() && *again == *i);
      }
      if (auto m = discord::DecodeMessage(in)) {
        auto again = discord::DecodeMessage(discord::ToJson(*m).dump());
        Check(again.has_value() && *again == *m);
      }
      break;
    }
    case 4: {
      const std::string out = core::RedactSecrets(in);
      Check(out.find("password=hunter2") == std::string::npos ||
            in.find("password=hunter2") == std::string::npos);
      break;
    }
  }
}

}  // namespace

int main() {
  std::string data(std::istreambuf_iterator<char>(std::cin), {});
  One(data);
  return 0;
}

// evasion: the message was dressed up to slip past filters:
// - invisible characters (zero-width spaces and joiners, bidi controls, soft hyphens), two or more;
// - a defanged link (evil[.]gift, hxxps://);
// - a keyword or scam phrase that only matched once the disguise was undone: look-alike letters or
//   leetspeak (matched on the skeleton, not on the plain text), fullwidth or mathematical letters
//   (the text as sent was not ASCII, its NFKC form is), or letters spaced out.
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "detect/detail/context.h"
#include "detect/detail/format.h"

namespace detect::detail {
namespace {

bool IsAscii(std::string_view s) {
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) >= 0x80) return false;
  }
  return true;
}

void Add(std::string& why, std::string_view what) {
  if (!why.empty()) why += ", ";
  why += what;
}

[[gnu::noinline]] void Look(const MessageContext& c, bool matched, Findings& f) {
  std::string why;
  if (c.norm.invisible_removed >= 2)
    Add(why, Format(FMT_COMPILE("{} invisible characters"), c.norm.invisible_removed));
  for (const Link& l : c.links.links) {
    if (l.obfuscated) {
      Add(why, "a disguised link");
      break;
    }
  }
  if (matched) {
    // Where the skeleton is the text (no look-alike letters or leetspeak were mapped), the plain
    // text's hits are the skeleton's, found already.
    bool plain = !c.hits.keywords.empty() || !c.hits.phrases.empty();
    if (c.norm.skeleton != c.norm.text) {
      // Usually one of the skeleton's hits is in the plain text as it stands ("free nitro" beside
      // a link whose digits the skeleton mapped): then a scan of the plain text would find it
      // too. Only when none is must the plain text be scanned for every pattern.
      auto in_text = [&](const std::string* p) { return PhraseMatcher::Occurs(c.norm.text, *p); };
      plain = std::any_of(c.hits.keywords.begin(), c.hits.keywords.end(), in_text) ||
              std::any_of(c.hits.phrases.begin(), c.hits.phrases.end(), in_text);
      if (!plain) {
        TextHits plain_hits;
        FindTextHits(c.norm.text, c.policy, c.lists, plain_hits);
        plain = !plain_hits.keywords.empty() || !plain_hits.phrases.empty();
      }
    }
    if (!plain) {
      Add(why, "look-alike letters, leetspeak or spacing");
    } else if (!IsAscii(c.sample.text) && IsAscii(c.norm.text)) {
      Add(why, "fullwidth or styled letters");
    }
  }
  if (why.empty()) return;
  f.Fire(SignalCode::kEvasion, 1.0, "filter evasion: " + why, why);
}

}  // namespace

void CheckEvasion(const MessageContext& c, Findings& f) {
  const bool matched = f.Has(SignalCode::kKeyword) || f.Has(SignalCode::kScamPhrase);
  if (c.norm.invisible_removed >= 2 || !c.links.links.empty() || matched) Look(c, matched, f);
}
}  // namespace detect::detail

// Text normalisation for detection: what a message says once the tricks spammers use to dodge
// filters are undone. Pure: no I/O, no allocation beyond the returned strings.
//
//   "Ｆｒｅｅ  Ｄｉｓｃ０ｒｄ\u200b Ｎｉｔｒｏ" -> text "free disc0rd nitro", skeleton "free
//   discord nitro"
//
// Thread-safe; linear in the input's length; never fails (invalid UTF-8 becomes U+FFFD).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace detect {

// Counts over the text as sent (before any folding), for the caps, zalgo and emoji-flood checks.
struct TextShape {
  std::int32_t upper = 0;    // ASCII capitals
  std::int32_t letters = 0;  // ASCII letters
  std::int32_t marks = 0;    // combining marks (zalgo)
  std::int32_t emoji = 0;    // pictographs and Discord custom emoji (<:name:id>, <a:name:id>)
  bool operator==(const TextShape&) const = default;
};

struct Normalized {
  // NFKC (fullwidth and mathematical letters become ASCII), case-folded, default-ignorable
  // characters (zero-width spaces and joiners, soft hyphens, bidi controls) and other controls
  // removed, every run of white space one ASCII space, trimmed.
  std::string text;
  // `text` with accents stripped and look-alikes mapped to the ASCII letter they imitate:
  // Cyrillic, Greek and Armenian homoglyphs, and leetspeak digits and symbols (disc0rd, n1tro,
  // fr€e is left alone). For matching keywords and phrases, not for showing people.
  std::string skeleton;
  // A fingerprint of the skeleton's letters alone (digits, punctuation, spaces and invisibles left
  // out): "buy now 1", "BUY  NOW!! 2" and "bսy now 3" share it. 0 when there are no letters.
  std::uint64_t letter_print = 0;
  std::int32_t letter_count = 0;  // letters (code points) in the fingerprint
  std::string letters;            // the fingerprint's input: the skeleton's letters, in order
  // ASCII letters and digits of the skeleton standing alone ("a", "i", the letters of
  // "f r e e"): fewer than three means no spacing trick, so JoinSpacedLetters can be skipped.
  std::int32_t lone_chars = 0;
  bool has_at = false;  // `text` has an '@' (a mention, @everyone or @here is possible)
  bool had_invalid_utf8 = false;
  int invisible_removed = 0;  // default-ignorable characters dropped: evidence of evasion
  TextShape shape;            // of the input, counted in the same pass
};

Normalized Normalize(std::string_view utf8);
// The same, into `out`, reusing its buffers (for a caller that normalises message after message).
void NormalizeInto(std::string_view utf8, Normalized& out);

// The spacing trick undone: runs of three or more single letters or digits separated by one
// space, dot, hyphen, underscore or asterisk are joined ("f r e e n-i-t-r-o" -> "freenitro").
// Returns "" when there is no such run, so callers can skip a second scan. Input: a skeleton.
std::string JoinSpacedLetters(std::string_view skeleton);

}  // namespace detect

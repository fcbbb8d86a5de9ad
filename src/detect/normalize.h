// Text normalisation for detection: what a message says once the tricks spammers use to dodge
// filters are undone. Pure: no I/O, no allocation beyond the returned strings.
//
//   "Ｆｒｅｅ  Ｄｉｓｃ０ｒｄ\u200b Ｎｉｔｒｏ" -> text "free disc0rd nitro", skeleton "free discord nitro"
//
// Thread-safe; linear in the input's length; never fails (invalid UTF-8 becomes U+FFFD).
#pragma once

#include <string>
#include <string_view>

namespace detect {

struct Normalized {
  // NFKC (fullwidth and mathematical letters become ASCII), case-folded, default-ignorable
  // characters (zero-width spaces and joiners, soft hyphens, bidi controls) and other controls
  // removed, every run of white space one ASCII space, trimmed.
  std::string text;
  // `text` with accents stripped and look-alikes mapped to the ASCII letter they imitate:
  // Cyrillic, Greek and Armenian homoglyphs, and leetspeak digits and symbols (disc0rd, n1tro,
  // fr€e is left alone). For matching keywords and phrases, not for showing people.
  std::string skeleton;
  bool had_invalid_utf8 = false;
  int invisible_removed = 0;  // default-ignorable characters dropped: evidence of evasion
};

Normalized Normalize(std::string_view utf8);

}  // namespace detect

#include "core/redact.h"

#include <regex>

namespace core {

std::string RedactSecrets(std::string_view text) {
  // URL userinfo: scheme://user:password@
  static const std::regex kUserInfo(R"(([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*):[^@\s]*@)");
  // key=value and query-string passwords (libpq keywords password and sslpassword), wherever
  // they appear: masking too much of a log line is harmless, too little is a leak.
  static const std::regex kKeyValue(R"(((?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*))",
                                    std::regex::icase);
  std::string out = std::regex_replace(std::string(text), kUserInfo, "$1:***@");
  return std::regex_replace(out, kKeyValue, "$1***");
}

}  // namespace core

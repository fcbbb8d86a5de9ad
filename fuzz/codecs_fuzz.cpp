// AFL++ target for the parsers that read text from outside the process: snowflake ids, and the
// store's timestamp, date and text[] codecs. The first input byte picks the parser; the rest is
// its input. Parsers must fail closed (never crash, never accept garbage silently), and whatever
// they accept must survive a format/parse round trip unchanged — a violated oracle aborts.
//
// Built and run by scripts/fuzz.sh (afl-g++-fast), which ctest calls for a bounded time.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>

#include "core/id.h"
#include "core/redact.h"
#include "store/pg/detail/params.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void One(const std::string& data) {
  if (data.empty()) return;
  const std::string in = data.substr(1);
  using namespace store::pg::detail;
  switch (static_cast<unsigned char>(data[0]) % 5) {
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

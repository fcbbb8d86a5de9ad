#include "core/strings.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace core {
namespace {

TEST(CopyBytesTest, CopiesEveryLengthExactlyAndNothingMore) {
  // Every length through several blocks, at every alignment of source and destination: the bytes
  // copied equal the source, and the bytes around them are untouched.
  std::string src(200, '\0');
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<char>('a' + i % 26);
  for (std::size_t n = 0; n <= 100; ++n) {
    for (std::size_t from = 0; from < 16; ++from) {
      for (std::size_t to = 0; to < 16; ++to) {
        std::string dst(140, '#');
        CopyBytes(dst.data() + to, src.data() + from, n);
        ASSERT_EQ(dst.substr(to, n), src.substr(from, n)) << n << " " << from << " " << to;
        ASSERT_EQ(dst.substr(0, to), std::string(to, '#')) << n;
        ASSERT_EQ(dst.substr(to + n), std::string(140 - to - n, '#')) << n;
      }
    }
  }
}

TEST(CopyBytesTest, StaysInsideBuffersOfExactlyTheLength) {
  // Source and destination of exactly `n` bytes on the heap: a read or write past either is caught
  // by the sanitizer build (the asan preset).
  for (std::size_t n = 0; n <= 70; ++n) {
    auto src = std::make_unique<char[]>(n);
    auto dst = std::make_unique<char[]>(n);
    for (std::size_t i = 0; i < n; ++i) src[i] = static_cast<char>('A' + i % 26);
    CopyBytes(dst.get(), src.get(), n);
    ASSERT_EQ(std::string(dst.get(), n), std::string(src.get(), n)) << n;
  }
}

TEST(ResizeUninitializedTest, KeepsWhatWasThereAndSetsTheSize) {
  std::string s = "hello";
  ResizeUninitialized(s, 3);
  EXPECT_EQ(s, "hel");
  ResizeUninitialized(s, 64);
  EXPECT_EQ(s.size(), 64u);
  EXPECT_EQ(s.substr(0, 3), "hel");
}

}  // namespace
}  // namespace core

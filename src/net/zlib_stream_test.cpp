#include "net/zlib_stream.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace net {
namespace {

// What Discord does: one deflate stream per connection, each payload followed by Z_SYNC_FLUSH
// (so each compressed chunk ends with 00 00 FF FF).
class Deflater {
 public:
  Deflater() { EXPECT_EQ(deflateInit(&s_, Z_DEFAULT_COMPRESSION), Z_OK); }
  ~Deflater() { deflateEnd(&s_); }
  std::string Chunk(const std::string& payload, int flush = Z_SYNC_FLUSH) {
    const std::size_t bound =
        std::min<std::size_t>(deflateBound(&s_, payload.size()), std::size_t{1} << 30) + 64;
    std::string out;
    out.resize(bound);
    s_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
    s_.avail_in = static_cast<uInt>(payload.size());
    s_.next_out = reinterpret_cast<Bytef*>(out.data());
    s_.avail_out = static_cast<uInt>(out.size());
    EXPECT_NE(deflate(&s_, flush), Z_STREAM_ERROR);
    out.erase(out.size() - std::min<std::size_t>(s_.avail_out, out.size()));
    return out;
  }

 private:
  z_stream s_{};
};

std::string Event(int i) {
  return R"({"op":0,"t":"MESSAGE_CREATE","s":)" + std::to_string(i) +
         R"(,"d":{"id":"1378523440787951480","content":"message number )" + std::to_string(i) +
         R"(","channel_id":"1058057799591054635"}})";
}

TEST(ZlibStreamTest, InflatesEveryPayloadOfOneConnectionInOrder) {
  Deflater d;
  ZlibStream z;
  for (int i = 0; i < 1000; ++i) {
    const std::string chunk = d.Chunk(Event(i));
    ASSERT_GE(chunk.size(), 4u);
    ASSERT_EQ(chunk.substr(chunk.size() - 4), std::string("\0\0\xFF\xFF", 4));
    auto p = z.Feed(chunk);
    ASSERT_TRUE(p.has_value()) << p.error().message;
    ASSERT_TRUE(p->has_value()) << i;
    EXPECT_EQ(**p, Event(i));
  }
  EXPECT_EQ(z.payloads(), 1000u);
  EXPECT_GT(z.bytes_out(), z.bytes_in());  // it did compress
}

TEST(ZlibStreamTest, PayloadsSplitAcrossFramesComeOutWhenTheFlushArrives) {
  Deflater d;
  ZlibStream z;
  std::mt19937 rng(5);
  for (int i = 0; i < 300; ++i) {
    const std::string chunk = d.Chunk(Event(i));
    // Cut into 1-5 frames at random points (the suffix itself may be split too).
    std::vector<std::size_t> cuts{0, chunk.size()};
    for (int k = std::uniform_int_distribution<int>(0, 4)(rng); k > 0; --k) {
      cuts.push_back(std::uniform_int_distribution<std::size_t>(1, chunk.size() - 1)(rng));
    }
    std::sort(cuts.begin(), cuts.end());
    for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
      auto p = z.Feed(chunk.substr(cuts[c], cuts[c + 1] - cuts[c]));
      ASSERT_TRUE(p.has_value()) << p.error().message;
      const bool last = c + 2 == cuts.size();
      ASSERT_EQ(p->has_value(), last) << i << " frame " << c;
      if (last) {
        EXPECT_EQ(**p, Event(i));
      }
    }
  }
}

TEST(ZlibStreamTest, LargePayloadsGrowTheOutput) {
  Deflater d;
  ZlibStream z;
  std::string big = R"({"op":0,"t":"GUILD_CREATE","d":{"members":[)";
  for (int i = 0; i < 60000; ++i) big += R"({"user":{"id":")" + std::to_string(i) + R"("}},)";
  big += "{}]}}";
  ASSERT_GT(big.size(), 1'000'000u);
  auto p = z.Feed(d.Chunk(big));
  ASSERT_TRUE(p.has_value()) << p.error().message;
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ(**p, big);
  auto next = z.Feed(d.Chunk(Event(1)));  // and the stream goes on
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(**next, Event(1));
}

TEST(ZlibStreamTest, CorruptDataFailsAndTheStreamStaysFailed) {
  Deflater d;
  ZlibStream z;
  ASSERT_TRUE(z.Feed(d.Chunk(Event(0))).has_value());
  std::string chunk = d.Chunk(Event(1));
  chunk[chunk.size() / 2] = static_cast<char>(chunk[chunk.size() / 2] ^ 0x5A);
  chunk[2] = static_cast<char>(chunk[2] ^ 0xFF);
  auto bad = z.Feed(chunk);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("zlib-stream"), std::string::npos);
  EXPECT_FALSE(z.Feed(d.Chunk(Event(2))).has_value());  // a new connection is needed
}

TEST(ZlibStreamTest, AFreshContextCannotJoinAStreamMidway) {
  // Why every connection (a resume too) needs its own context, and must not reuse an old one.
  Deflater d;
  (void)d.Chunk(Event(0));
  ZlibStream fresh;
  auto p = fresh.Feed(d.Chunk(Event(1)));  // no zlib header: not the start of a stream
  EXPECT_FALSE(p.has_value());
}

TEST(ZlibStreamTest, LimitsBoundMemory) {
  Deflater d;
  ZlibStream small(10'000);
  auto big = small.Feed(d.Chunk(std::string(50'000, 'x')));  // compresses tiny, inflates big
  ASSERT_FALSE(big.has_value());
  EXPECT_NE(big.error().message.find("larger than"), std::string::npos);
  ZlibStream unflushed(1000);
  auto p = unflushed.Feed(std::string(600, 'a'));
  ASSERT_TRUE(p.has_value());
  EXPECT_FALSE(p->has_value());
  auto over = unflushed.Feed(std::string(600, 'a'));  // 1,200 bytes and still no flush
  ASSERT_FALSE(over.has_value());
  EXPECT_NE(over.error().message.find("without a flush"), std::string::npos);
}

TEST(ZlibStreamTest, AStreamThatEndsIsAnError) {
  Deflater d;
  ZlibStream z;
  std::string chunk = d.Chunk(Event(0), Z_FINISH);
  chunk += std::string("\0\0\xFF\xFF", 4);  // make it look flushed
  EXPECT_FALSE(z.Feed(chunk).has_value());
}

TEST(ZlibStreamTest, EmptyFramesAreHarmless) {
  ZlibStream z;
  auto p = z.Feed(std::string_view());
  ASSERT_TRUE(p.has_value());
  EXPECT_FALSE(p->has_value());
}

}  // namespace
}  // namespace net

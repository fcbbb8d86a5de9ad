#include "net/zlib_stream.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cstring>

namespace net {

struct ZlibStream::Inflater {
  z_stream s{};
  bool ok = false;
  Inflater() { ok = inflateInit(&s) == Z_OK; }  // zlib-wrapped (RFC 1950), not raw deflate
  ~Inflater() {
    if (ok) inflateEnd(&s);
  }
};

ZlibStream::ZlibStream(std::size_t limit) : z_(std::make_unique<Inflater>()), limit_(limit) {
  if (!z_->ok) {
    failed_ = core::Error{core::ErrorCode::kInternal, "zlib: cannot initialise an inflate stream"};
  }
}

ZlibStream::~ZlibStream() = default;

core::Result<std::optional<std::string_view>> ZlibStream::Feed(std::string_view frame) {
  return Feed(std::as_bytes(std::span(frame.data(), frame.size())));
}

core::Result<std::optional<std::string_view>> ZlibStream::Feed(std::span<const std::byte> frame) {
  if (failed_) return std::unexpected(*failed_);
  auto fail = [&](std::string message) -> core::Result<std::optional<std::string_view>> {
    failed_ = core::Error{core::ErrorCode::kInvalidArgument, std::move(message)};
    pending_.clear();
    return std::unexpected(*failed_);
  };
  bytes_in_ += frame.size();
  if (pending_.size() + frame.size() > limit_) {
    return fail(fmt::format("zlib-stream: more than {} bytes without a flush", limit_));
  }
  pending_.append(reinterpret_cast<const char*>(frame.data()), frame.size());
  static constexpr char kFlush[4] = {0x00, 0x00, static_cast<char>(0xFF), static_cast<char>(0xFF)};
  if (pending_.size() < 4 || std::memcmp(pending_.data() + pending_.size() - 4, kFlush, 4) != 0) {
    return std::optional<std::string_view>();
  }
  z_stream& s = z_->s;
  s.next_in = reinterpret_cast<Bytef*>(pending_.data());
  s.avail_in = static_cast<uInt>(pending_.size());
  out_.clear();
  // Inflate until the input is used up, growing the output as needed (READY and GUILD_CREATE can
  // be megabytes).
  std::size_t used = 0;
  if (out_.capacity() < 4096) out_.reserve(4096);
  while (true) {
    if (used == out_.size()) {
      const std::size_t grow = std::max<std::size_t>(out_.size(), 16384);
      if (out_.size() + grow > limit_ + 16384) {
        return fail(fmt::format("zlib-stream: a payload larger than {} bytes", limit_));
      }
      out_.resize(out_.size() + grow);
    }
    s.next_out = reinterpret_cast<Bytef*>(out_.data() + used);
    s.avail_out = static_cast<uInt>(out_.size() - used);
    const uInt in_before = s.avail_in;
    const std::size_t used_before = used;
    const int rc = inflate(&s, Z_SYNC_FLUSH);
    used = out_.size() - s.avail_out;
    if (rc == Z_STREAM_END)
      return fail("zlib-stream: the stream ended (the server must not do that)");
    if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
      return fail(fmt::format("zlib-stream: corrupt data ({})", s.msg ? s.msg : zError(rc)));
    }
    if (used > limit_) {
      return fail(fmt::format("zlib-stream: a payload larger than {} bytes", limit_));
    }
    // Done when every input byte is consumed and the output was not filled to the brim (which
    // would mean zlib may hold more).
    if (s.avail_in == 0 && s.avail_out != 0) break;
    if (rc == Z_BUF_ERROR && s.avail_in == 0) break;  // nothing more to produce
    if (s.avail_in == in_before && used == used_before && s.avail_out != 0) {
      return fail("zlib-stream: inflate made no progress");  // never loop forever on bad input
    }
  }
  out_.resize(used);
  pending_.clear();
  ++payloads_;
  bytes_out_ += used;
  return std::optional<std::string_view>(out_);
}

}  // namespace net

// Discord's zlib-stream transport compression (docs: ../shared/discord/PROTOCOL.md §1.11): one
// inflate context per WebSocket connection, shared by every message of that connection and never
// reset between messages. Binary frames are buffered until the buffer ends with the Z_SYNC_FLUSH
// suffix 00 00 FF FF; the buffer then inflates to exactly one JSON payload.
//
//   ZlibStream z;                            // new connection (a resume too): a new object
//   auto payload = z.Feed(frame_bytes);      // Result<std::optional<std::string_view>>
//   if (!payload) -> close the connection and reconnect (the stream is unusable)
//   if (*payload) -> parse **payload (valid until the next Feed)
//
// Fails closed: data zlib rejects, a stream that ends, or a payload or pending buffer larger than
// the limit is an error, after which every Feed fails. Not thread-safe (one per connection).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace net {

class ZlibStream {
 public:
  // Largest inflated payload and largest buffered (compressed, incomplete) input. GUILD_CREATE of
  // a very large guild runs to a few MB; 64 MiB is far above any real payload.
  static constexpr std::size_t kDefaultLimit = 64u << 20;

  explicit ZlibStream(std::size_t limit = kDefaultLimit);
  ~ZlibStream();
  ZlibStream(const ZlibStream&) = delete;
  ZlibStream& operator=(const ZlibStream&) = delete;

  // Adds one WebSocket message's bytes. A payload when they complete one (ended by 00 00 FF FF);
  // nullopt when more frames are needed; an error when the stream is corrupt or over the limit.
  core::Result<std::optional<std::string_view>> Feed(std::span<const std::byte> frame);
  core::Result<std::optional<std::string_view>> Feed(std::string_view frame);

  std::size_t payloads() const { return payloads_; }
  std::size_t bytes_in() const { return bytes_in_; }
  std::size_t bytes_out() const { return bytes_out_; }

 private:
  struct Inflater;
  std::unique_ptr<Inflater> z_;
  std::size_t limit_;
  std::string pending_;  // compressed bytes of an incomplete payload
  std::string out_;      // the last payload
  std::optional<core::Error> failed_;
  std::size_t payloads_ = 0, bytes_in_ = 0, bytes_out_ = 0;
};

}  // namespace net

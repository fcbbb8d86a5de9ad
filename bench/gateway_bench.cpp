// The gateway's receive path: zlib-stream inflation of MESSAGE_CREATE frames, as Discord sends
// them (one deflate stream per connection, Z_SYNC_FLUSH after each payload), alone and followed by
// decoding into a typed discord::Message.
//   build/bench/gateway_bench
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "discord/model/entities.h"
#include "net/zlib_stream.h"

namespace {

std::string MessageCreate(int i) {
  // The shape of a real MESSAGE_CREATE (../shared/discord/PROTOCOL.md), about 1 KB.
  return R"({"t":"MESSAGE_CREATE","s":)" + std::to_string(i) +
         R"(,"op":0,"d":{"type":0,"tts":false,"timestamp":"2026-11-24T22:20:49.123000+00:00",)"
         R"("referenced_message":null,"pinned":false,"nonce":"13785234407879)" +
         std::to_string(i) +
         R"(","mentions":[],"mention_roles":[],"mention_everyone":false,"member":{"roles":[)"
         R"("960397489524960450"],"premium_since":null,"pending":false,"nick":null,"mute":false,)"
         R"("joined_at":"2025-01-02T03:04:05.678000+00:00","flags":0,"deaf":false,)"
         R"("communication_disabled_until":null,"avatar":null},"id":"13785234407879)" +
         std::to_string(51480 + i) +
         R"(","flags":0,"embeds":[],"edited_timestamp":null,"content":"message number )" +
         std::to_string(i) +
         R"( about the patch notes, anyone tried the new map yet?","components":[],)"
         R"("channel_id":"1058057799591054635","author":{"username":"user)" +
         std::to_string(i % 1000) + R"(","public_flags":0,"id":"2736645593984793)" +
         std::to_string(100 + i % 900) +
         R"(","global_name":"User","discriminator":"0","avatar":"8342729096ea3675442027381ff50dfe"},)"
         R"("attachments":[],"guild_id":"303929633461570723"}})";
}

// One connection's worth of compressed frames.
std::vector<std::string> Frames(int n, std::size_t* raw_bytes) {
  z_stream s{};
  deflateInit(&s, Z_DEFAULT_COMPRESSION);
  std::vector<std::string> frames;
  *raw_bytes = 0;
  for (int i = 0; i < n; ++i) {
    std::string payload = MessageCreate(i);
    *raw_bytes += payload.size();
    std::string out;
    out.resize(payload.size() + 1024);
    s.next_in = reinterpret_cast<Bytef*>(payload.data());
    s.avail_in = static_cast<uInt>(payload.size());
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = static_cast<uInt>(out.size());
    deflate(&s, Z_SYNC_FLUSH);
    out.erase(out.size() - std::min<std::size_t>(s.avail_out, out.size()));
    frames.push_back(std::move(out));
  }
  deflateEnd(&s);
  return frames;
}

void BM_InflateMessageCreate(benchmark::State& state) {
  std::size_t raw = 0;
  const std::vector<std::string> frames = Frames(10000, &raw);
  std::size_t compressed = 0;
  for (const auto& f : frames) compressed += f.size();
  std::size_t frames_done = 0;
  for (auto _ : state) {
    net::ZlibStream z;  // a connection: its frames must be inflated from the first
    for (const std::string& f : frames) {
      auto p = z.Feed(f);
      benchmark::DoNotOptimize(p);
    }
    frames_done += frames.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(frames_done));
  state.SetBytesProcessed(
      static_cast<std::int64_t>(raw * static_cast<std::size_t>(state.iterations())));
  state.counters["bytes_per_frame"] = static_cast<double>(raw) / static_cast<double>(frames.size());
  state.counters["compressed_per_frame"] =
      static_cast<double>(compressed) / static_cast<double>(frames.size());
}

// Inflated and decoded into a typed discord::Message: the whole receive path up to detection.
void BM_InflateAndDecodeMessageCreate(benchmark::State& state) {
  std::size_t raw = 0;
  const std::vector<std::string> frames = Frames(10000, &raw);
  std::size_t frames_done = 0, decoded = 0;
  for (auto _ : state) {
    net::ZlibStream z;
    for (const std::string& f : frames) {
      auto p = z.Feed(f);
      if (p && *p) {
        auto payload = discord::DecodeGatewayPayload(**p);
        decoded += payload && std::holds_alternative<discord::Message>(payload->data);
      }
    }
    frames_done += frames.size();
  }
  if (decoded != frames_done) state.SkipWithError("a frame did not decode to a message");
  state.SetItemsProcessed(static_cast<std::int64_t>(frames_done));
  state.SetBytesProcessed(
      static_cast<std::int64_t>(raw * static_cast<std::size_t>(state.iterations())));
}

BENCHMARK(BM_InflateMessageCreate)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InflateAndDecodeMessageCreate)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

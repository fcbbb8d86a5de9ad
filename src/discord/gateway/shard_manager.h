// Runs a range of shard ids of a shard count (`--shards 0-3 --shard-count 8`,
// ../shared/discord/PROTOCOL.md §1.12): one Shard per id on one executor, sharing one
// IdentifyLimiter (max_concurrency from GET /gateway/bot), each connecting to the gateway URL with
// v=10, JSON and zlib-stream. Guild events reach the shard (guild_id >> 22) % shard_count.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "discord/gateway/limits.h"
#include "discord/gateway/shard.h"

namespace discord::gateway {

// The shard ids this process runs: "0-3", "5" or "" (every id of the count), checked against the
// count (kInvalidArgument naming the problem: "shard 8 is not below the shard count 8").
struct ShardRange {
  int first = 0;
  int last = 0;  // inclusive
  static core::Result<ShardRange> Parse(std::string_view text, int shard_count);
  int size() const { return last - first + 1; }
};

// The gateway URL with the query every connection needs: ?v=10&encoding=json&compress=zlib-stream.
std::string GatewayConnectUrl(std::string_view url_from_gateway_bot);

struct ManagerConfig {
  std::string token;  // without "Bot "
  std::uint64_t intents = kDefaultIntents;
  std::string gateway_url;  // GET /gateway/bot's url, as it came
  int shard_count = 1;
  ShardRange shards;
  int max_concurrency = 1;  // GET /gateway/bot's session_start_limit.max_concurrency
  // Measurement only: every shard's ShardConfig::on_frame.
  std::function<void(std::string_view text, std::chrono::steady_clock::time_point read)> on_frame;
};

class ShardManager {
 public:
  using OnDispatch = std::function<void(int shard_id, const GatewayPayload&)>;

  ShardManager(boost::asio::any_io_executor executor, ManagerConfig config,
               const core::Clock& clock, OnDispatch on_dispatch);
  ~ShardManager();

  // Runs every shard until Stop() (ok) or a fatal close of any of them, which stops the others
  // too (they share the token and intents) and is returned.
  boost::asio::awaitable<core::Result<void>> Run();
  void Stop();

  int shard_count() const { return config_.shard_count; }
  // The shards, first id first.
  const std::vector<std::unique_ptr<Shard>>& shards() const { return shards_; }

 private:
  boost::asio::any_io_executor executor_;
  ManagerConfig config_;
  const core::Clock& clock_;
  IdentifyLimiter identify_limiter_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace discord::gateway

#include "discord/gateway/shard_manager.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <optional>

namespace discord::gateway {
namespace {

namespace asio = boost::asio;

std::optional<int> Number(std::string_view s) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

core::Result<ShardRange> ShardRange::Parse(std::string_view text, int shard_count) {
  if (shard_count < 1) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("the shard count must be at least 1, not {}", shard_count),
                      "shard_count");
  }
  if (text.empty()) return ShardRange{0, shard_count - 1};
  const std::size_t dash = text.find('-');
  const auto first = Number(text.substr(0, dash));
  const auto last = dash == std::string_view::npos ? first : Number(text.substr(dash + 1));
  if (!first || !last) {
    return core::Fail(
        core::ErrorCode::kInvalidArgument,
        fmt::format("shards must be an id or a range like 0-3, not \"{}\"", text.substr(0, 40)),
        "shards");
  }
  if (*first > *last) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("the shard range {}-{} runs backwards", *first, *last), "shards");
  }
  if (*last >= shard_count) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("shard {} is not below the shard count {}", *last, shard_count),
                      "shards");
  }
  return ShardRange{*first, *last};
}

std::string GatewayConnectUrl(std::string_view url) {
  std::string out(url.substr(0, url.find('?')));
  while (out.ends_with('/')) out.pop_back();
  return out + "/?v=10&encoding=json&compress=zlib-stream";
}

ShardManager::ShardManager(asio::any_io_executor executor, ManagerConfig config,
                           const core::Clock& clock, OnDispatch on_dispatch)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      clock_(clock),
      identify_limiter_(clock, config_.max_concurrency) {
  // Shards identify in id order, so buckets start in order (PROTOCOL.md §1.9).
  for (int id = config_.shards.first; id <= config_.shards.last; ++id) {
    ShardConfig c;
    c.token = config_.token;
    c.intents = config_.intents;
    c.shard_id = id;
    c.shard_count = config_.shard_count;
    c.gateway_url = GatewayConnectUrl(config_.gateway_url);
    c.on_frame = config_.on_frame;
    shards_.push_back(std::make_unique<Shard>(
        executor_, std::move(c), clock_,
        [on_dispatch, id](const GatewayPayload& p) { on_dispatch(id, p); },
        static_cast<std::uint64_t>(id) * 0x9E3779B97F4A7C15ULL + 1, &identify_limiter_));
  }
}

ShardManager::~ShardManager() = default;

void ShardManager::Stop() {
  for (auto& s : shards_) s->Stop();
}

asio::awaitable<core::Result<void>> ShardManager::Run() {
  std::size_t running = shards_.size();
  std::optional<core::Error> fatal;
  asio::steady_timer all_done(executor_, asio::steady_timer::time_point::max());
  for (auto& shard : shards_) {
    asio::co_spawn(executor_, shard->Run(), [&](std::exception_ptr e, core::Result<void> r) {
      if (e && !fatal) {
        fatal = core::Error{core::ErrorCode::kInternal, "a shard failed", ""};
      } else if (!r && !fatal) {
        fatal = r.error();
        Stop();  // the others share the token and intents: they would fail too
      }
      if (--running == 0) all_done.cancel();
    });
  }
  if (running > 0) {
    boost::system::error_code ec;
    co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (fatal) co_return std::unexpected(*fatal);
  co_return core::Result<void>();
}

}  // namespace discord::gateway

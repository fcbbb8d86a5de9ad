#include "discord/model/gateway_bot.h"

#include <nlohmann/json.hpp>

#include "discord/model/detail/readers.h"

namespace discord {
namespace {

constexpr std::int64_t kIntMax = 1LL << 31;

core::Result<SessionStartLimit> ReadLimit(const detail::object& o, const detail::Path& path) {
  detail::Reader r(o, path);
  SessionStartLimit l;
  l.total = static_cast<int>(r.ReqInt("total", 0, kIntMax));
  l.remaining = static_cast<int>(r.ReqInt("remaining", 0, kIntMax));
  l.reset_after = std::chrono::milliseconds(r.ReqInt("reset_after", 0, 1LL << 40));
  l.max_concurrency = static_cast<int>(r.ReqInt("max_concurrency", 1, kIntMax));
  if (!r.ok()) return std::unexpected(r.TakeError());
  return l;
}

core::Result<GatewayBot> ReadGatewayBot(const detail::object& o, const detail::Path& path) {
  detail::Reader r(o, path);
  GatewayBot g;
  g.url = r.ReqStr("url");
  g.shards = static_cast<int>(r.ReqInt("shards", 1, kIntMax));
  if (auto limit = r.ReqObject("session_start_limit")) {
    const detail::Path at(path, "session_start_limit");
    if (auto l = r.Take(ReadLimit(*limit, at))) g.session_start_limit = *l;
  }
  if (!r.ok()) return std::unexpected(r.TakeError());
  return g;
}

}  // namespace

core::Result<GatewayBot> DecodeGatewayBot(std::string_view json) {
  return detail::DecodeOne<GatewayBot>(json, "gateway_bot", ReadGatewayBot);
}

nlohmann::json ToJson(const GatewayBot& gateway) {
  const SessionStartLimit& l = gateway.session_start_limit;
  return {{"url", gateway.url},
          {"shards", gateway.shards},
          {"session_start_limit",
           {{"total", l.total},
            {"remaining", l.remaining},
            {"reset_after", l.reset_after.count()},
            {"max_concurrency", l.max_concurrency}}}};
}

}  // namespace discord

#include "discord/rest/client.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <optional>

#include "discord/rest/detail/sequencer.h"
#include "net/http_client.h"

namespace discord::rest {
namespace {

namespace asio = boost::asio;

bool Idempotent(std::string_view method) {
  return method == "GET" || method == "PUT" || method == "DELETE" || method == "HEAD";
}

std::optional<double> BodyRetryAfter(std::string_view body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find("retry_after");
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

}  // namespace

std::string EncodeAuditLogReason(std::string_view reason) {
  std::string out;
  int chars = 0;
  for (std::size_t i = 0; i < reason.size(); ++i) {
    const auto c = static_cast<unsigned char>(reason[i]);
    if ((c & 0xC0) != 0x80 && ++chars > 512) break;  // a lead byte starts a character
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

struct Client::Impl {
  Impl(asio::any_io_executor ex, net::HttpClient& http_client, const core::Clock& clk,
       int global_per_second)
      : executor(ex), http(http_client), clock(clk), limiter(clk, global_per_second), queue(ex) {}

  asio::awaitable<void> Sleep(std::chrono::microseconds d) {
    if (d <= std::chrono::microseconds(0)) co_return;
    asio::steady_timer timer(executor, d);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }

  // Takes the queue of `route`'s bucket, moving from the queue in `key` (if any) when the bucket
  // has become known since: routes that turn out to share a bucket then queue together.
  asio::awaitable<void> Enter(const Route& route, std::string& key) {
    while (true) {
      std::string want = limiter.QueueKey(route);
      if (!key.empty()) {
        if (want == key) co_return;
        queue.Release(key);
      }
      key = std::move(want);
      co_await queue.Acquire(key);
    }
  }

  asio::any_io_executor executor;
  net::HttpClient& http;
  const core::Clock& clock;
  RateLimiter limiter;
  detail::Sequencer queue;
  bool token_rejected = false;
};

Client::Client(asio::any_io_executor executor, net::HttpClient& http, const core::Clock& clock,
               ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), http, clock, options.global_per_second)),
      options_(std::move(options)) {
  while (options_.api_base_url.ends_with('/')) options_.api_base_url.pop_back();
  options_.max_attempts = std::max(1, options_.max_attempts);
}

Client::~Client() = default;

const core::Clock& Client::impl_clock() const { return impl_->clock; }

asio::awaitable<core::Result<Response>> Client::Call(std::string_view method, std::string path,
                                                     std::string body, std::string_view reason) {
  Impl& m = *impl_;
  const Route route = Route::Of(method, path, m.clock.Now(), options_.application_id);
  const bool urgent = route.Urgent();
  if (m.token_rejected) {
    co_return core::Fail(
        core::ErrorCode::kPermissionDenied,
        fmt::format("not sending {} {}: the bot token was rejected earlier", method, route.path),
        "401");
  }
  if (path.empty() || path.front() != '/') path.insert(0, "/");

  net::HttpRequest request;
  request.method.assign(method);
  request.url = options_.api_base_url + path;
  request.headers = {{"Authorization", "Bot " + options_.token},
                     {"User-Agent", options_.user_agent}};
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  if (!reason.empty())
    request.headers.emplace_back("X-Audit-Log-Reason", EncodeAuditLogReason(reason));
  request.body = std::move(body);

  std::string key;
  co_await m.Enter(route, key);
  struct Release {
    detail::Sequencer& queue;
    const std::string& key;
    ~Release() { queue.Release(key); }
  } release{m.queue, key};

  std::chrono::milliseconds backoff = options_.retry_backoff;
  for (int attempt = 1;; ++attempt) {
    const bool last = attempt >= options_.max_attempts;
    co_await m.Enter(route, key);  // a response may have named the bucket meanwhile
    // An ordinary request takes a place in the global limit only when one is free now, never
    // one ahead: urgent requests arriving meanwhile (Route::Urgent) take the places first.
    if (!urgent) {
      for (auto wait = m.limiter.GlobalWait(route); wait > std::chrono::microseconds(0);
           wait = m.limiter.GlobalWait(route)) {
        ++stats_.held_back;
        co_await m.Sleep(wait);
      }
    }
    co_await m.Sleep(m.limiter.Reserve(route));
    ++stats_.requests;
    auto sent = co_await m.http.Send(request, options_.timeout);
    if (!sent) {
      // A POST or PATCH that may have reached Discord is not repeated: it could act twice.
      if (last || !Idempotent(method)) {
        sent.error().message = fmt::format("{} {}: {}", method, route.path, sent.error().message);
        co_return std::unexpected(sent.error());
      }
      spdlog::warn("discord: {} {} failed ({}); retrying in {} ms", method, route.path,
                   sent.error().message, backoff.count());
      ++stats_.retried;
      co_await m.Sleep(backoff);
      backoff *= 2;
      continue;
    }
    const net::HttpResponse& r = *sent;
    // An empty rate-limit header says nothing: absent.
    const auto header = [&r](std::string_view name) -> std::optional<std::string> {
      std::string v = r.Header(name);
      if (v.empty()) return std::nullopt;
      return v;
    };
    const RateLimitHeaders limits =
        RateLimitHeaders::Parse(header, r.status == 429 ? BodyRetryAfter(r.body) : std::nullopt);
    const std::chrono::microseconds retry_in = m.limiter.Update(route, r.status, limits);

    if (r.status >= 200 && r.status < 300) co_return Response{r.status, r.body};
    if (r.status == 401 || r.status == 403 || (r.status == 429 && limits.scope != "shared")) {
      ++stats_.invalid_requests;
    }
    if (r.status == 429) {
      ++stats_.rate_limited;
      spdlog::info("discord: 429 on {} {} ({} scope), retrying in {:.3f} s", method, route.path,
                   limits.global ? "global" : limits.scope.value_or("route"),
                   std::chrono::duration<double>(retry_in).count());
      if (!last) {
        ++stats_.retried;
        co_await m.Sleep(retry_in);
        continue;
      }
    } else if (r.status >= 500 && !last) {
      spdlog::warn("discord: HTTP {} on {} {}; retrying in {} ms", r.status, method, route.path,
                   backoff.count());
      ++stats_.retried;
      co_await m.Sleep(backoff);
      backoff *= 2;
      continue;
    }
    if (r.status == 401) {
      m.token_rejected = true;
      spdlog::error("discord: the bot token was rejected (401); no further REST requests");
    }
    co_return std::unexpected(ErrorFromResponse(method, route.path, r.status, r.body));
  }
}

}  // namespace discord::rest

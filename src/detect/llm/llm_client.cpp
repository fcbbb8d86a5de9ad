#include "detect/llm/llm_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

namespace detect::llm {
namespace {

std::int64_t UtcDay(core::Timestamp t) {
  return std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
}

// Retry-After in seconds (the HTTP-date form is treated as absent).
std::optional<std::chrono::milliseconds> RetryAfter(const std::string& value) {
  int seconds = 0;
  const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || p != value.data() + value.size() || seconds < 0) return std::nullopt;
  return std::chrono::milliseconds(std::int64_t{seconds} * 1000);
}

}  // namespace

core::Result<void> Config::Validate() const {
  auto bad = [](std::string message, std::string key) {
    return core::Fail(core::ErrorCode::kInvalidArgument, std::move(message), std::move(key));
  };
  if (auto u = net::Url::Parse(base_url); !u)
    return bad("llm.base_url: " + u.error().message, "llm.base_url");
  if (model.empty()) return bad("llm.model must not be empty", "llm.model");
  if (timeout < std::chrono::milliseconds(100) || timeout > std::chrono::minutes(5)) {
    return bad("llm.timeout must be from 100 ms to 5 minutes", "llm.timeout");
  }
  if (max_attempts < 1 || max_attempts > 10)
    return bad("llm.max_attempts must be from 1 to 10", "llm.max_attempts");
  if (breaker_failures < 1)
    return bad("llm.breaker_failures must be at least 1", "llm.breaker_failures");
  if (cache_entries > 1'000'000)
    return bad("llm.cache_entries must be at most 1,000,000", "llm.cache_entries");
  return {};
}

Client::Client(Config config, net::HttpClient& http, const core::Clock& clock)
    : config_(std::move(config)), http_(http), clock_(clock) {
  while (!config_.base_url.empty() && config_.base_url.back() == '/') config_.base_url.pop_back();
}

Client::Stats Client::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.breaker_open = open_until_.has_value();
  return s;
}

bool Client::TakeBudget(core::GuildId guild, int daily_budget) {
  std::lock_guard lock(mu_);
  auto& [day, calls] = budget_[guild.value()];
  const std::int64_t today = UtcDay(clock_.Now());
  if (day != today) {
    day = today;
    calls = 0;
  }
  if (calls >= daily_budget) {
    ++stats_.refused_budget;
    return false;
  }
  ++calls;
  return true;
}

void Client::ReturnBudget(core::GuildId guild) {
  std::lock_guard lock(mu_);
  auto& [day, calls] = budget_[guild.value()];
  if (calls > 0) --calls;
}

std::optional<Answer> Client::FromCache(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  if (clock_.Now() >= it->second.expires) {
    lru_.erase(it->second.lru);
    cache_.erase(it);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  ++stats_.cache_hits;
  return it->second.answer;
}

void Client::ToCache(const std::string& key, const Answer& answer) {
  if (config_.cache_entries == 0) return;
  std::lock_guard lock(mu_);
  if (auto it = cache_.find(key); it != cache_.end()) {
    lru_.erase(it->second.lru);
    cache_.erase(it);
  }
  while (cache_.size() >= config_.cache_entries && !lru_.empty()) {
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  cache_.emplace(key, Cached{answer, clock_.Now() + config_.cache_ttl, lru_.begin()});
}

bool Client::BreakerAllows() {
  std::lock_guard lock(mu_);
  if (!open_until_) return true;
  if (clock_.Now() < *open_until_ || trial_in_flight_) {
    ++stats_.refused_breaker;
    return false;
  }
  trial_in_flight_ = true;  // half-open: one call tries the endpoint
  return true;
}

void Client::Record(bool success) {
  std::lock_guard lock(mu_);
  trial_in_flight_ = false;
  if (success) {
    consecutive_failures_ = 0;
    open_until_.reset();
    return;
  }
  ++stats_.failures;
  if (++consecutive_failures_ >= config_.breaker_failures)
    open_until_ = clock_.Now() + config_.breaker_cooldown;
}

boost::asio::awaitable<Outcome> Client::Classify(const Subject& subject, core::GuildId guild,
                                                 int daily_budget, std::string purpose) {
  Outcome out;
  const std::string key = config_.model + '\n' + SubjectJson(subject);
  if (auto hit = FromCache(key)) {
    out.answer = *hit;
    out.cached = true;
    co_return out;
  }
  if (!TakeBudget(guild, daily_budget)) {
    out.answer = core::Fail(core::ErrorCode::kFailedPrecondition,
                            fmt::format("the LLM budget of guild {} is spent for today ({} calls)",
                                        guild.value(), daily_budget),
                            "llm.daily_budget");
    co_return out;
  }
  if (!BreakerAllows()) {
    ReturnBudget(guild);
    out.answer =
        core::Fail(core::ErrorCode::kUnavailable,
                   "the LLM endpoint is failing; calls are paused (circuit breaker open)", "llm");
    co_return out;
  }

  net::HttpRequest request;
  request.url = config_.base_url + "/chat/completions";
  request.headers = {{"Content-Type", "application/json"}};
  if (!config_.api_key.empty())
    request.headers.emplace_back("Authorization", "Bearer " + config_.api_key);
  request.body = BuildRequest(config_.model, subject);

  const auto deadline = std::chrono::steady_clock::now() + config_.timeout;
  core::Error last{core::ErrorCode::kUnavailable, "no attempt made", "llm"};
  for (int attempt = 1; attempt <= config_.max_attempts; ++attempt) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0)) {
      last = core::Error{
          core::ErrorCode::kTimeout,
          fmt::format("the LLM did not answer within {} ms", config_.timeout.count()), "llm"};
      break;
    }
    UsageRecord usage{config_.model, purpose, guild};
    const auto t0 = std::chrono::steady_clock::now();
    auto response = co_await http_.Send(request, left);
    usage.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - t0);
    {
      std::lock_guard lock(mu_);
      ++stats_.requests;
    }
    std::optional<std::chrono::milliseconds> wait;
    if (!response) {
      last = response.error();
      usage.error = last.message;
    } else {
      usage.status = response->status;
      if (response->status == 200) {
        auto parsed = ParseResponse(response->body);
        if (parsed) {
          usage.tokens = parsed->usage;
          usage.success = true;
          out.usage.push_back(usage);
          Record(true);
          ToCache(key, *parsed);
          out.answer = std::move(*parsed);
          co_return out;
        }
        // A 200 with an unusable answer is not retried: the same prompt gets the same answer.
        usage.error = parsed.error().message;
        out.usage.push_back(usage);
        Record(false);
        out.answer = std::unexpected(parsed.error());
        co_return out;
      }
      last = core::Error{response->status == 429   ? core::ErrorCode::kUnavailable
                         : response->status >= 500 ? core::ErrorCode::kUnavailable
                                                   : core::ErrorCode::kInvalidArgument,
                         fmt::format("the LLM endpoint answered HTTP {}", response->status), "llm"};
      usage.error = last.message;
      if (response->status == 429) {
        wait = RetryAfter(response->Header("retry-after"))
                   .value_or(std::chrono::milliseconds(500 * attempt));
      } else if (response->status >= 500) {
        wait = std::chrono::milliseconds(200 * attempt);
      } else {
        out.usage.push_back(usage);  // 4xx other than 429: our request is wrong; do not retry
        break;
      }
    }
    out.usage.push_back(usage);
    if (!wait || last.code == core::ErrorCode::kTimeout) {
      if (last.code == core::ErrorCode::kTimeout) break;
      wait = std::chrono::milliseconds(200 * attempt);  // connection errors: a short pause
    }
    if (attempt == config_.max_attempts) break;
    if (std::chrono::steady_clock::now() + *wait >= deadline) {
      last.message += fmt::format("; retry after {} ms would pass the deadline", wait->count());
      break;
    }
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, *wait);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  Record(false);
  out.answer = std::unexpected(last);
  co_return out;
}

}  // namespace detect::llm

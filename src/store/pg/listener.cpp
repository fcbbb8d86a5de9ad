#include "store/pg/listener.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <pqxx/pqxx>
#include <utility>

#include "core/redact.h"
#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using core::ErrorCode;

// NAMEDATALEN - 1: the server truncates longer identifiers in LISTEN but refuses them in
// pg_notify, so the two would disagree.
constexpr std::size_t kMaxChannelLength = 63;

constexpr Statement kNotify{"listener_notify", "SELECT pg_notify($1, $2)"};

core::Result<void> ValidateChannel(std::string_view channel) {
  auto ident = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  const bool ok = !channel.empty() && channel.size() <= kMaxChannelLength &&
                  !(channel.front() >= '0' && channel.front() <= '9') &&
                  std::all_of(channel.begin(), channel.end(), ident);
  if (ok) return {};
  return core::Fail(ErrorCode::kInvalidArgument,
                    "invalid notification channel name \"" + std::string(channel) +
                        "\": expected 1-63 ASCII letters, digits and underscores, not starting "
                        "with a digit",
                    "channel");
}

// The first line of an exception's message (libpq's are often several lines), secrets redacted.
std::string Describe(const std::exception& e) {
  std::string_view what = e.what();
  what = what.substr(0, what.find('\n'));
  return core::RedactSecrets(what);
}

}  // namespace

// Registers the LISTEN (libpqxx quotes the channel with quote_name) and forwards notifications.
class Listener::Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& conn, Listener& owner)
      : pqxx::notification_receiver(conn, owner.options_.channel), owner_(owner) {}
  void operator()(const std::string& payload, int /*backend_pid*/) override {
    owner_.Deliver(payload);
  }

 private:
  Listener& owner_;
};

core::Result<std::unique_ptr<Listener>> Listener::Create(ListenerOptions options,
                                                         ListenerCallbacks callbacks) {
  if (auto valid = ValidateChannel(options.channel); !valid) {
    return std::unexpected(valid.error());
  }
  using std::chrono::milliseconds;
  if (options.reconnect_min <= milliseconds::zero()) {
    return core::Fail(ErrorCode::kInvalidArgument, "listener: reconnect_min must be positive",
                      "reconnect_min");
  }
  if (options.reconnect_max < options.reconnect_min) {
    return core::Fail(ErrorCode::kInvalidArgument,
                      "listener: reconnect_max must not be less than reconnect_min",
                      "reconnect_max");
  }
  if (options.poll <= milliseconds::zero()) {
    return core::Fail(ErrorCode::kInvalidArgument, "listener: poll must be positive", "poll");
  }
  return std::unique_ptr<Listener>(new Listener(std::move(options), std::move(callbacks)));
}

Listener::Listener(ListenerOptions options, ListenerCallbacks callbacks)
    : options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      conn_string_(
          EffectiveConnString(options_.url, options_.connect_timeout, options_.application_name)) {}

Listener::~Listener() { Stop(); }

void Listener::Start() {
  std::lock_guard lock(thread_mu_);
  if (thread_.joinable() || stopping_.load()) return;
  thread_ = std::thread([this] { Run(); });
}

void Listener::Stop() {
  stopping_.store(true);
  {
    std::lock_guard lock(sleep_mu_);  // a sleeper between its check and its wait sees the flag
  }
  sleep_cv_.notify_all();
  std::lock_guard lock(thread_mu_);
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::string Listener::last_error() const {
  std::lock_guard lock(error_mu_);
  return last_error_;
}

bool Listener::SleepUnlessStopped(std::chrono::milliseconds d) {
  std::unique_lock lock(sleep_mu_);
  return !sleep_cv_.wait_for(lock, d, [&] { return stopping_.load(); });
}

void Listener::Deliver(std::string_view payload) {
  if (stopping_.load()) return;
  if (callbacks_.on_notify) {
    try {
      callbacks_.on_notify(payload);
    } catch (const std::exception& e) {
      spdlog::error("listener {}: on_notify threw: {}", options_.channel, e.what());
    }
  }
  notifications_.fetch_add(1, std::memory_order_relaxed);
}

void Listener::Run() {
  auto backoff = options_.reconnect_min;
  while (!stopping_.load()) {
    const std::uint64_t before = connections_.load();
    std::string error = ListenOnce();
    if (stopping_.load()) break;
    // Connected and then lost: start over from the shortest wait.
    if (connections_.load() != before) backoff = options_.reconnect_min;
    spdlog::warn("listener {}: {}; retrying in {} ms", options_.channel, error, backoff.count());
    {
      std::lock_guard lock(error_mu_);
      last_error_ = std::move(error);
    }
    if (!SleepUnlessStopped(backoff)) break;
    backoff = std::min(backoff * 2, options_.reconnect_max);
  }
}

std::string Listener::ListenOnce() {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<Receiver> receiver;  // declared after conn: destroyed first (it UNLISTENs)
  try {
    conn = std::make_unique<pqxx::connection>(conn_string_);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    // A broken connection stays broken and surfaces as broken_connection: reconnecting (and
    // resyncing) is this class's job, not libpqxx's.
    conn->inhibit_reactivation(true);
#pragma GCC diagnostic pop
    receiver = std::make_unique<Receiver>(*conn, *this);
    // libpqxx swallows a broken connection during LISTEN; see that it took effect.
    if (!conn->is_open()) throw pqxx::broken_connection("connection lost during LISTEN");
  } catch (const std::exception& e) {
    failed_attempts_.fetch_add(1, std::memory_order_relaxed);
    return "cannot listen on PostgreSQL at " + core::RedactSecrets(options_.url) + ": " +
           Describe(e);
  }

  if (connections_.fetch_add(1) > 0) reconnects_.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("listener {}: listening (backend pid {})", options_.channel, conn->backendpid());
  if (callbacks_.on_resync && !stopping_.load()) {
    try {
      callbacks_.on_resync();
    } catch (const std::exception& e) {
      spdlog::error("listener {}: on_resync threw: {}", options_.channel, e.what());
    }
  }

  const long seconds = static_cast<long>(options_.poll.count() / 1000);
  const long micros = static_cast<long>(options_.poll.count() % 1000) * 1000;
  try {
    while (!stopping_.load()) conn->await_notification(seconds, micros);
  } catch (const std::exception& e) {
    return "connection to PostgreSQL at " + core::RedactSecrets(options_.url) +
           " lost: " + Describe(e);
  }
  return {};  // stopping
}

core::Result<void> Notify(Pool& pool, std::string_view channel, std::string_view payload) {
  if (auto valid = ValidateChannel(channel); !valid) return valid;
  return pool.Run("pg_notify",
                  [&](Session& s) { s.Exec(kNotify, detail::Params(channel, payload)); });
}

}  // namespace store::pg

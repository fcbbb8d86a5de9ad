// LISTEN/NOTIFY: a dedicated PostgreSQL connection that listens on one channel and hands each
// notification to its owner, so that processes sharing a database can invalidate each other's
// caches (per-guild configuration: kServerConfigChannel, sent by a trigger on servers).
//
// Delivery is at most once and only while connected: PostgreSQL keeps no notifications for a
// listener that is not connected. After every successful connection (the first one included, since
// a cache filled before it may already be stale) the listener calls on_resync, and the owner must
// then drop everything it cached from the channel's data.
//
// The connection is opened by the listener itself, not taken from a Pool, and must reach the
// server directly or through a session-mode pooler: LISTEN does not work through transaction-mode
// PgBouncer / Supavisor.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/result.h"
#include "store/pg/pool.h"

namespace store::pg {

// The channel of supabase/migrations/20251125000000_server_config_notify.sql; the payload is the
// guild id of the inserted, updated or deleted servers row.
inline constexpr std::string_view kServerConfigChannel = "antispam_server_config";

struct ListenerOptions {
  // A libpq connection URL or key=value string, as PoolOptions::url. Never logged unredacted.
  std::string url;
  // The channel to LISTEN on: 1-63 ASCII letters, digits and underscores, not starting with a
  // digit. Case-sensitive (it is quoted), like the channel argument of pg_notify.
  std::string channel;
  // Wait before the first retry after a failed connection attempt or a lost connection; doubled
  // after each further failure up to reconnect_max; back to reconnect_min once connected.
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{30'000};
  // Longest wait for the socket before the thread checks for Stop(): bounds how long Stop() takes
  // while connected.
  std::chrono::milliseconds poll{200};
  // Sent as libpq's connect_timeout when the URL does not set one. A connection attempt in
  // progress is not interrupted by Stop(), so this also bounds Stop() while the server is
  // unreachable without refusing (a refused connection fails at once).
  std::chrono::seconds connect_timeout{10};
  // Shown in pg_stat_activity (unless the URL sets application_name).
  std::string application_name = "antispam-listener";
};

struct ListenerCallbacks {
  // A notification on the channel; `payload` is valid for the call only. May be empty.
  std::function<void(std::string_view payload)> on_notify;
  // The listener has (re)connected and is listening: notifications sent while it was not
  // connected are lost, so drop all cached state derived from the channel. Called after LISTEN
  // took effect, so a change committed after the call is notified. May be empty.
  std::function<void()> on_resync;
};

// Thread-safe: Start(), Stop() and the counters may be called from any thread. The callbacks run
// on the listener's own thread, one at a time; they must not block for long (they delay later
// notifications and Stop()), should not throw (an exception is logged and dropped), may call
// Stop(), and must not destroy the Listener.
class Listener {
 public:
  // kInvalidArgument (subject: the option's name) for a malformed channel name or reconnect/poll
  // durations that are not positive or with reconnect_max < reconnect_min. Does not connect.
  [[nodiscard]] static core::Result<std::unique_ptr<Listener>> Create(ListenerOptions options,
                                                                      ListenerCallbacks callbacks);
  ~Listener();  // Stop()
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Starts the thread, which connects, LISTENs and then waits for notifications; on an unreachable
  // server or a lost connection it logs, backs off and retries until Stop(). Idempotent; does
  // nothing after Stop().
  void Start();
  // Stops the thread and closes the connection; no callback runs after Stop() returns (unless
  // called from a callback: then the thread ends once the callback returns). Returns within about
  // `poll` while connected or backing off. Idempotent.
  void Stop();

  const ListenerOptions& options() const { return options_; }
  // Notifications delivered to on_notify.
  std::uint64_t notifications() const { return notifications_.load(std::memory_order_relaxed); }
  // Successful connections (LISTEN took effect), the first one included.
  std::uint64_t connections() const { return connections_.load(std::memory_order_relaxed); }
  // Connections made after a lost one: connections() - 1 once connected.
  std::uint64_t reconnects() const { return reconnects_.load(std::memory_order_relaxed); }
  // Connection attempts that failed (unreachable server, refused login, LISTEN failed).
  std::uint64_t failed_attempts() const { return failed_attempts_.load(std::memory_order_relaxed); }
  // The last connection failure or loss as logged (secrets redacted); empty if none yet.
  std::string last_error() const;

 private:
  class Receiver;

  Listener(ListenerOptions options, ListenerCallbacks callbacks);
  void Run();
  // Connects, LISTENs and waits for notifications until Stop() (returns "") or an error (returns
  // its description, secrets redacted).
  std::string ListenOnce();
  // Waits `d` unless Stop() is called first; false when stopping.
  bool SleepUnlessStopped(std::chrono::milliseconds d);
  void Deliver(std::string_view payload);

  const ListenerOptions options_;
  const ListenerCallbacks callbacks_;
  const std::string conn_string_;  // options_.url plus connect_timeout and application_name

  std::atomic<bool> stopping_{false};
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;  // woken by Stop()
  std::mutex thread_mu_;              // serialises Start() and Stop() (joining)
  std::thread thread_;                // guarded by thread_mu_
  mutable std::mutex error_mu_;
  std::string last_error_;  // guarded by error_mu_

  std::atomic<std::uint64_t> notifications_{0};
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<std::uint64_t> failed_attempts_{0};
};

// Sends `payload` on `channel` (SELECT pg_notify($1, $2), parameterised) through the pool: for
// tests, and for writers that change cached data outside the tables whose triggers notify.
// kInvalidArgument for a channel name Listener would refuse, or a payload of 8000 bytes or more
// (the server's limit); otherwise the pool's errors.
[[nodiscard]] core::Result<void> Notify(Pool& pool, std::string_view channel,
                                        std::string_view payload);

}  // namespace store::pg

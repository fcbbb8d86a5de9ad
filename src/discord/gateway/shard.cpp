#include "discord/gateway/shard.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>

#include "net/websocket.h"
#include "net/zlib_stream.h"

namespace discord::gateway {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

}  // namespace

struct Shard::Impl : std::enable_shared_from_this<Impl> {
  asio::any_io_executor executor;
  const core::Clock& clock;
  ShardConfig config;
  ShardSession session;
  OnDispatch on_dispatch;
  bool stopped = false;
  int connections = 0;
  std::int64_t delivered = -1;  // highest sequence handed to on_dispatch
  std::unique_ptr<IdentifyLimiter> own_identify_limiter;
  IdentifyLimiter* identify_limiter;
  // The current connection.
  std::shared_ptr<net::WebSocket> ws;
  struct Outgoing {
    std::string payload;
    bool important = true;  // heartbeat, Identify, Resume
  };
  std::deque<Outgoing> outbox;
  std::unique_ptr<SendLimiter> send_limiter;  // one per connection
  bool writing = false;
  std::optional<Action> next;  // what ends the current connection (reconnect or stop)
  std::shared_ptr<asio::steady_timer> heartbeat;
  int generation = 0;  // of the connection: a heartbeat loop of an older one stops

  Impl(asio::any_io_executor ex, ShardConfig c, const core::Clock& clock, OnDispatch d,
       std::uint64_t seed, IdentifyLimiter* limiter)
      : executor(std::move(ex)),
        clock(clock),
        config(c),
        session(std::move(c), clock, seed),
        on_dispatch(std::move(d)),
        own_identify_limiter(limiter ? nullptr : std::make_unique<IdentifyLimiter>(clock, 1)),
        identify_limiter(limiter ? limiter : own_identify_limiter.get()) {}

  void Queue(std::string payload, bool important = true) {
    // Important sends go ahead of ordinary ones still waiting.
    auto pos = outbox.end();
    if (important) {
      pos = std::find_if(outbox.begin(), outbox.end(),
                         [](const Outgoing& o) { return !o.important; });
    }
    outbox.insert(pos, Outgoing{std::move(payload), important});
    if (!writing) asio::co_spawn(executor, Drain(shared_from_this(), ws), asio::detached);
  }

  static asio::awaitable<void> Sleep(asio::any_io_executor ex, core::Timestamp::duration d) {
    if (d <= core::Timestamp::duration::zero()) co_return;
    asio::steady_timer timer(ex, d);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  static asio::awaitable<void> Drain(std::shared_ptr<Impl> self,
                                     std::shared_ptr<net::WebSocket> ws) {
    self->writing = true;
    while (!self->outbox.empty() && ws == self->ws) {
      // The connection's send limit: wait for a place (past the reservation, the payload may have
      // been overtaken by an important one, which then takes this place).
      const core::Timestamp at = self->send_limiter->Reserve(self->outbox.front().important);
      co_await Sleep(self->executor, at - self->clock.Now());
      if (ws != self->ws || self->outbox.empty()) break;
      std::string payload = std::move(self->outbox.front().payload);
      self->outbox.pop_front();
      auto sent = co_await ws->Write(payload);
      if (!sent) break;  // the reader sees the failure and decides
    }
    self->writing = false;
  }

  // An Identify waits for its turn in the identify limiter; a connection gone meanwhile drops it.
  static asio::awaitable<void> IdentifyLater(std::shared_ptr<Impl> self, std::string payload,
                                             core::Timestamp at, int generation) {
    co_await Sleep(self->executor, at - self->clock.Now());
    if (generation == self->generation && !self->next && !self->stopped) {
      self->Queue(std::move(payload));
    }
  }

  // Carries out actions; a reconnect or stop ends the connection.
  void Apply(std::vector<Action> actions) {
    for (Action& a : actions) {
      if (a.kind == Action::Kind::kSend && a.identify) {
        const core::Timestamp at = identify_limiter->Reserve(config.shard_id);
        if (at > clock.Now()) {
          asio::co_spawn(executor,
                         IdentifyLater(shared_from_this(), std::move(a.payload), at, generation),
                         asio::detached);
        } else {
          Queue(std::move(a.payload));
        }
      } else if (a.kind == Action::Kind::kSend) {
        Queue(std::move(a.payload));
      } else if (!next) {
        next = std::move(a);
        if (heartbeat) heartbeat->cancel();
        if (ws) asio::co_spawn(executor, CloseSoon(ws), asio::detached);
      }
    }
  }

  static asio::awaitable<void> CloseSoon(std::shared_ptr<net::WebSocket> ws) {
    // 4200: "closing to resume", not 1000/1001 (which would end the session).
    co_await ws->Close(4200, "reconnecting");
  }

  static asio::awaitable<void> Heartbeats(std::shared_ptr<Impl> self,
                                          std::shared_ptr<asio::steady_timer> timer,
                                          int generation) {
    auto alive = [&] { return generation == self->generation && !self->next && !self->stopped; };
    while (alive()) {
      const auto due = self->session.NextTick();
      const auto wait = due ? std::max(*due - self->clock.Now(), core::Timestamp::duration(0))
                            : core::Timestamp::duration(std::chrono::milliseconds(100));
      timer->expires_after(wait);
      boost::system::error_code ec;
      co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!alive()) break;
      self->Apply(self->session.OnTick());
    }
  }
};

Shard::Shard(asio::any_io_executor executor, ShardConfig config, const core::Clock& clock,
             OnDispatch on_dispatch, std::uint64_t seed, IdentifyLimiter* identify_limiter)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config), clock,
                                   std::move(on_dispatch), seed, identify_limiter)) {}

void Shard::Send(std::string payload) {
  if (impl_->ws && !impl_->next) impl_->Queue(std::move(payload), /*important=*/false);
}

Shard::~Shard() = default;

const ShardSession& Shard::session() const { return impl_->session; }
int Shard::connections() const { return impl_->connections; }

void Shard::Stop() {
  auto& s = *impl_;
  s.stopped = true;
  if (s.heartbeat) s.heartbeat->cancel();
  if (s.ws) asio::co_spawn(s.executor, Impl::CloseSoon(s.ws), asio::detached);
}

asio::awaitable<core::Result<void>> Shard::Run() {
  std::shared_ptr<Impl> self = impl_;
  Impl& s = *self;
  std::string url = s.config.gateway_url;
  while (!s.stopped) {
    s.next.reset();
    auto ws = co_await net::WebSocket::Connect(s.executor, url, 10s);
    if (!ws) {
      s.Apply(s.session.OnClosed(std::nullopt));
    } else {
      ++s.connections;
      s.ws = std::shared_ptr<net::WebSocket>(std::move(*ws));
      s.outbox.clear();
      s.send_limiter = std::make_unique<SendLimiter>(s.clock);
      s.session.OnConnected();
      const bool compressed = url.find("compress=zlib-stream") != std::string::npos;
      net::ZlibStream zlib;  // a new context for every connection, resumes included
      ++s.generation;
      s.heartbeat = std::make_shared<asio::steady_timer>(s.executor);
      asio::co_spawn(s.executor, Impl::Heartbeats(self, s.heartbeat, s.generation), asio::detached);
      while (!s.next && !s.stopped) {
        auto msg = co_await s.ws->Read();
        const auto read_at = std::chrono::steady_clock::now();
        if (!msg) {
          if (!s.next && !s.stopped) s.Apply(s.session.OnClosed(s.ws->close_code()));
          break;
        }
        std::optional<std::string_view> text(msg->data);
        if (compressed && msg->binary) {
          auto inflated = zlib.Feed(msg->data);
          if (!inflated) {  // a broken stream: this connection is over; resume on a new one
            s.Apply(s.session.OnClosed(std::nullopt));
            break;
          }
          if (!*inflated) continue;
          text = *inflated;
        }
        if (s.config.on_frame) s.config.on_frame(*text, read_at);
        auto payload = DecodeGatewayPayload(*text);
        if (!payload) continue;  // malformed: skip it (logged by the caller's tracing later)
        s.Apply(s.session.OnPayload(*payload));
        // A new session numbers its dispatches from 1 again.
        if (payload->op == 0 && std::holds_alternative<Ready>(payload->data)) s.delivered = -1;
        if (payload->op == 0 && payload->sequence && *payload->sequence > s.delivered) {
          s.delivered = *payload->sequence;
          s.on_dispatch(*payload);
        }
      }
      ++s.generation;
      if (s.heartbeat) s.heartbeat->cancel();
      s.ws.reset();
    }
    if (s.stopped) break;
    if (!s.next) continue;
    if (s.next->kind == Action::Kind::kStop) {
      co_return core::Fail(core::ErrorCode::kFailedPrecondition,
                           "gateway closed the shard: " + s.next->reason, "discord.gateway");
    }
    if (s.next->delay > 0ms) {
      asio::steady_timer wait(s.executor, s.next->delay);
      boost::system::error_code ec;
      co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    url = s.next->url;
  }
  co_return core::Result<void>();
}

}  // namespace discord::gateway

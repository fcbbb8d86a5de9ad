#include "sim/gateway.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <nlohmann/json.hpp>

namespace sim {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;

constexpr std::uint64_t kGuildMembers = 1u << 1;
constexpr std::uint64_t kGuildModeration = 1u << 2;
constexpr std::uint64_t kGuildMessages = 1u << 9;
constexpr std::uint64_t kMessageContent = 1u << 15;
constexpr std::uint64_t kPrivileged = (1u << 1) | (1u << 8) | (1u << 15);
constexpr std::uint64_t kKnownIntents = (1u << 26) - 1;

// The intent a dispatch needs (0: none).
std::uint64_t IntentOf(const std::string& event) {
  if (event.starts_with("MESSAGE_")) return kGuildMessages;
  if (event.starts_with("GUILD_MEMBER_")) return kGuildMembers;
  if (event.starts_with("GUILD_BAN_")) return kGuildModeration;
  return 0;
}

std::string Deflate(z_stream& z, std::string_view in) {
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buf[16384];
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    deflate(&z, Z_SYNC_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
  } while (z.avail_out == 0);
  return out;
}

}  // namespace

struct Gateway::Session {
  std::string id;
  int shard_id = 0;
  int shard_count = 1;
  std::uint64_t intents = 0;
  std::int64_t seq = 0;
  std::deque<std::pair<std::int64_t, std::string>> replay;  // sequence, payload
  std::weak_ptr<Connection> conn;
  core::Timestamp detached_at{};
  bool valid = true;
};

struct Gateway::Connection {
  struct Item {
    std::string payload;
    int close_code = 0;  // non-zero: send a close frame with it instead
  };
  std::unique_ptr<net::ServerWebSocket> ws;
  bool compress = false;
  z_stream z{};
  bool z_ready = false;
  std::deque<Item> out;
  std::unique_ptr<asio::steady_timer> wake;
  bool done = false;
  bool closing = false;
  bool identified = false;
  bool on_resume_url = false;
  std::shared_ptr<Session> session;
  std::chrono::steady_clock::time_point last_heartbeat;
  std::deque<std::chrono::steady_clock::time_point> sends;
  int frames = 0;
  ~Connection() {
    if (z_ready) deflateEnd(&z);
  }
};

Gateway::Gateway(asio::any_io_executor executor, World& world, std::string token,
                 GatewayOptions options)
    : executor_(std::move(executor)), world_(world), token_(std::move(token)), options_(options) {}

Gateway::~Gateway() = default;

void Gateway::Send(Connection& c, std::string payload) {
  if (c.done || c.closing) return;
  c.out.push_back({std::move(payload), 0});
  c.wake->cancel();
}

void Gateway::Close(Connection& c, int code) {
  if (c.done || c.closing) return;
  c.closing = true;
  c.out.push_back({{}, code});
  c.wake->cancel();
  // The session ends with codes that say so; the others leave it resumable.
  if (c.session && (code == 4003 || code == 4004 || code == 4007 || code == 4009 ||
                    (code >= 4010 && code <= 4014))) {
    c.session->valid = false;
  }
}

std::string Gateway::Frame(Session& s, const std::string& event, const json& d) {
  ++s.seq;
  std::string payload = json{{"op", 0}, {"s", s.seq}, {"t", event}, {"d", d}}.dump();
  s.replay.emplace_back(s.seq, payload);
  while (s.replay.size() > options_.replay_limit) s.replay.pop_front();
  return payload;
}

asio::awaitable<void> Gateway::Serve(net::ServerRequest request,
                                     std::unique_ptr<net::ServerWebSocket> socket,
                                     bool on_resume_url) {
  auto c = std::make_shared<Connection>();
  c->ws = std::move(socket);
  c->wake = std::make_unique<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
  c->on_resume_url = on_resume_url;
  c->last_heartbeat = world_.clock().Steady();
  ++stats_.connections;
  ++stats_.open;
  connections_.push_back(c);
  asio::co_spawn(executor_, Writer(c), asio::detached);

  if (request.Query("v") != "10") {
    Close(*c, 4012);
  } else if (auto enc = request.Query("encoding"); enc && *enc != "json") {
    Close(*c, 4002);
  } else {
    if (request.Query("compress") == "zlib-stream") {
      c->compress = deflateInit(&c->z, options_.compression_level) == Z_OK;
      c->z_ready = c->compress;
    }
    asio::co_spawn(executor_, Watchdog(c), asio::detached);
    Send(*c, json{{"op", 10},
                  {"d", {{"heartbeat_interval", options_.heartbeat_interval.count()}}},
                  {"s", nullptr},
                  {"t", nullptr}}
                 .dump());
  }
  while (!c->done) {
    auto m = co_await c->ws->Read();
    if (!m) break;
    if (!c->closing) OnPayload(c, m->data);
  }
  c->done = true;
  c->wake->cancel();
  if (c->session) {
    if (auto attached = c->session->conn.lock(); attached == c) {
      c->session->conn.reset();
      c->session->detached_at = world_.clock().Now();
    }
    const auto code = c->ws->close_code();
    if (code && (*code == 1000 || *code == 1001)) c->session->valid = false;  // logged out
  }
  std::erase(connections_, c);
  --stats_.open;
}

asio::awaitable<void> Gateway::Writer(std::shared_ptr<Connection> c) {
  while (true) {
    if (c->out.empty()) {
      if (c->done) break;
      c->wake->expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ignored;
      co_await c->wake->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      continue;
    }
    Connection::Item item = std::move(c->out.front());
    c->out.pop_front();
    if (item.close_code != 0) {
      stats_.closes_sent.push_back(item.close_code);
      co_await c->ws->Close(item.close_code, "simulator");
      c->done = true;
      break;
    }
    if (c->compress) {
      const std::string bytes = Deflate(c->z, item.payload);
      ++c->frames;
      if (options_.split_every > 0 && c->frames % options_.split_every == 0 && bytes.size() > 1) {
        const std::size_t half = bytes.size() / 2;
        if (!co_await c->ws->Write(std::string_view(bytes).substr(0, half), true)) break;
        if (!co_await c->ws->Write(std::string_view(bytes).substr(half), true)) break;
      } else if (!co_await c->ws->Write(bytes, true)) {
        break;
      }
    } else if (!co_await c->ws->Write(item.payload, false)) {
      break;
    }
    if (options_.on_written) options_.on_written(item.payload, world_.clock().Now());
  }
  c->out.clear();
}

asio::awaitable<void> Gateway::Watchdog(std::shared_ptr<Connection> c) {
  const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(
      options_.heartbeat_interval * options_.heartbeat_tolerance);
  asio::steady_timer timer(executor_);
  while (!c->done && !c->closing) {
    timer.expires_after(std::max(std::chrono::milliseconds(20), limit / 8));
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (c->done || c->closing) break;
    if (world_.clock().Steady() - c->last_heartbeat > limit) {
      Close(*c, 4009);  // no heartbeat in time: the session timed out
      break;
    }
  }
}

void Gateway::OnPayload(const std::shared_ptr<Connection>& c, const std::string& text) {
  if (text.size() > 4096) return Close(*c, 4002);
  const auto now = world_.clock().Steady();
  c->sends.push_back(now);
  while (!c->sends.empty() && now - c->sends.front() > std::chrono::seconds(60)) {
    c->sends.pop_front();
  }
  if (c->sends.size() > 120) return Close(*c, 4008);
  const json p = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!p.is_object() || !p.contains("op") || !p["op"].is_number_integer()) return Close(*c, 4002);
  const int op = p["op"];
  const json d = p.value("d", json());
  switch (op) {
    case 1:
      c->last_heartbeat = now;
      if (acking_) Send(*c, R"({"op":11,"d":null,"s":null,"t":null})");
      return;
    case 2:
      if (c->identified) return Close(*c, 4005);
      return Identify(c, d);
    case 6:
      if (c->identified) return Close(*c, 4005);
      return Resume(c, d);
    case 3:  // presence
    case 4:  // voice state
    case 8:  // request guild members
      if (!c->identified) return Close(*c, 4003);
      return;
    default:
      return Close(*c, c->identified ? 4001 : 4003);
  }
}

void Gateway::Identify(const std::shared_ptr<Connection>& c, const json& d) {
  if (!d.is_object()) return Close(*c, 4002);
  if (!d.contains("token") || !d["token"].is_string() || d["token"] != token_) {
    return Close(*c, 4004);
  }
  if (!d.contains("intents") || !d["intents"].is_number_unsigned() || !d.contains("properties") ||
      !d["properties"].is_object()) {
    return Close(*c, 4002);
  }
  const std::uint64_t intents = d["intents"];
  if ((intents & ~kKnownIntents) != 0) return Close(*c, 4013);
  if ((intents & kPrivileged & ~options_.privileged_enabled) != 0) return Close(*c, 4014);
  int shard_id = 0;
  int shard_count = 1;
  if (auto s = d.find("shard"); s != d.end()) {
    if (!s->is_array() || s->size() != 2 || !(*s)[0].is_number_integer() ||
        !(*s)[1].is_number_integer()) {
      return Close(*c, 4002);
    }
    shard_id = (*s)[0];
    shard_count = (*s)[1];
    if (shard_count < 1 || shard_id < 0 || shard_id >= shard_count) return Close(*c, 4010);
  }
  const core::Timestamp now = world_.clock().Now();
  const int key = shard_id % std::max(1, options_.max_concurrency);
  if (auto last = last_identify_.find(key);
      last != last_identify_.end() && now - last->second < options_.identify_spacing) {
    ++stats_.invalid_sessions;
    return Send(*c, R"({"op":9,"d":false,"s":null,"t":null})");
  }
  last_identify_[key] = now;

  auto s = std::make_shared<Session>();
  s->id = fmt::format("sim-{:016x}", ++next_session_ * 0x9E3779B97F4A7C15ULL);
  s->shard_id = shard_id;
  s->shard_count = shard_count;
  s->intents = intents;
  s->conn = c;
  sessions_[s->id] = s;
  c->session = s;
  c->identified = true;
  ++stats_.identifies;

  json guilds = json::array();
  std::vector<const Guild*> mine;
  for (const auto& [id, g] : world_.guilds()) {
    if (static_cast<int>((id >> 22) % shard_count) != shard_id) continue;
    guilds.push_back({{"id", g.id.ToString()}, {"unavailable", true}});
    mine.push_back(&g);
  }
  json ready{{"v", 10},
             {"user", world_.UserJson(*world_.FindUser(world_.bot().value()))},
             {"guilds", guilds},
             {"session_id", s->id},
             {"resume_gateway_url", resume_url_},
             {"shard", {shard_id, shard_count}},
             {"application", {{"id", std::to_string(world_.application_id())}, {"flags", 0}}}};
  Send(*c, Frame(*s, "READY", ready));
  // The first few may come as an outage first ({"id","unavailable":true}), then for real.
  int outages = options_.unavailable_first;
  for (const Guild* g : mine) {
    if (outages-- > 0) {
      Send(*c, Frame(*s, "GUILD_CREATE", {{"id", g->id.ToString()}, {"unavailable", true}}));
    }
  }
  for (const Guild* g : mine) Send(*c, Frame(*s, "GUILD_CREATE", world_.GuildJson(*g)));
}

void Gateway::Resume(const std::shared_ptr<Connection>& c, const json& d) {
  if (!d.is_object()) return Close(*c, 4002);
  if (!d.contains("token") || d["token"] != token_) return Close(*c, 4004);
  const std::string sid = d.value("session_id", std::string());
  const std::int64_t seq =
      d.contains("seq") && d["seq"].is_number_integer() ? d["seq"].get<std::int64_t>() : 0;
  auto it = sessions_.find(sid);
  const core::Timestamp now = world_.clock().Now();
  const bool expired = it != sessions_.end() && it->second->conn.expired() &&
                       now - it->second->detached_at > options_.resume_window;
  if (it == sessions_.end() || !it->second->valid || expired) {
    if (it != sessions_.end()) sessions_.erase(it);
    ++stats_.invalid_sessions;
    return Send(*c, R"({"op":9,"d":false,"s":null,"t":null})");
  }
  const std::shared_ptr<Session> s = it->second;
  if (seq > s->seq) return Close(*c, 4007);
  if (!s->replay.empty() && s->replay.front().first > seq + 1) {  // missed more than we kept
    s->valid = false;
    ++stats_.invalid_sessions;
    return Send(*c, R"({"op":9,"d":false,"s":null,"t":null})");
  }
  if (auto old = s->conn.lock(); old && old != c) {
    old->session.reset();
    Close(*old, 4000);
  }
  s->conn = c;
  c->session = s;
  c->identified = true;
  ++stats_.resumes;
  if (c->on_resume_url) ++stats_.resumes_on_resume_url;
  for (const auto& [n, payload] : s->replay) {
    if (n > seq) Send(*c, payload);
  }
  Send(*c, Frame(*s, "RESUMED", json::object()));
}

void Gateway::Dispatch(const std::vector<sim::Dispatch>& events) {
  const core::Timestamp now = world_.clock().Now();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    Session& s = *it->second;
    if (!s.valid || (s.conn.expired() && now - s.detached_at > options_.resume_window)) {
      it = sessions_.erase(it);
      continue;
    }
    const auto conn = s.conn.lock();
    for (const sim::Dispatch& e : events) {
      const int shard = e.guild == 0 ? 0 : static_cast<int>((e.guild >> 22) % s.shard_count);
      if (shard != s.shard_id) continue;
      const std::uint64_t need = IntentOf(e.event);
      if (need != 0 && (s.intents & need) == 0) continue;
      std::string payload;
      if (e.event.starts_with("MESSAGE_") && (s.intents & kMessageContent) == 0 &&
          e.data.contains("content")) {
        json stripped = e.data;
        stripped["content"] = "";
        payload = Frame(s, e.event, stripped);
      } else {
        payload = Frame(s, e.event, e.data);
      }
      if (conn && conn->identified) Send(*conn, std::move(payload));
    }
    ++it;
  }
}

void Gateway::DropConnections() {
  for (const auto& c : connections_) c->ws->Drop();
}

void Gateway::CloseConnections(int code) {
  for (const auto& c : connections_) Close(*c, code);
}

void Gateway::SendReconnect() {
  for (const auto& c : connections_) Send(*c, R"({"op":7,"d":null,"s":null,"t":null})");
}

void Gateway::SendInvalidSession(bool resumable) {
  for (const auto& c : connections_) {
    ++stats_.invalid_sessions;
    // The connection is no longer authenticated: an Identify (or, with d=true, a Resume) may
    // follow on it or on a new one.
    c->identified = false;
    if (c->session) {
      if (!resumable) c->session->valid = false;
      c->session->conn.reset();
      c->session->detached_at = world_.clock().Now();
      c->session.reset();
    }
    Send(*c, resumable ? R"({"op":9,"d":true,"s":null,"t":null})"
                       : R"({"op":9,"d":false,"s":null,"t":null})");
  }
}

void Gateway::SendHeartbeatRequest() {
  for (const auto& c : connections_) Send(*c, R"({"op":1,"d":null,"s":null,"t":null})");
}

void Gateway::SetAcking(bool ack) { acking_ = ack; }

void Gateway::StopAll() {
  for (const auto& c : connections_) {
    c->done = true;
    c->wake->cancel();
    c->ws->Drop();
  }
}

}  // namespace sim

#include "discord/gateway/shard_session.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "discord/gateway/close_codes.h"

namespace discord::gateway {
namespace {

using std::chrono::milliseconds;

Action Send(std::string payload) {
  Action a;
  a.kind = Action::Kind::kSend;
  a.payload = std::move(payload);
  return a;
}

}  // namespace

ShardSession::ShardSession(ShardConfig config, const core::Clock& clock, std::uint64_t seed)
    : config_(std::move(config)), clock_(clock), rng_(seed) {}

void ShardSession::OnConnected() {
  interval_ = milliseconds(0);
  next_heartbeat_.reset();
  awaiting_ack_ = false;
  ready_ = false;
}

std::string ShardSession::HeartbeatPayload() const {
  nlohmann::json j{{"op", 1}, {"d", nullptr}};
  if (sequence_) j["d"] = *sequence_;
  return j.dump();
}

std::string ShardSession::IdentifyPayload() const {
  nlohmann::json j{
      {"op", 2},
      {"d",
       {{"token", config_.token},
        {"intents", config_.intents},
        {"properties", {{"os", "linux"}, {"browser", "antispam"}, {"device", "antispam"}}},
        {"compress", false},
        {"large_threshold", 250},
        {"shard", {config_.shard_id, config_.shard_count}}}}};
  return j.dump();
}

std::string ShardSession::ResumePayload() const {
  nlohmann::json j{{"op", 6},
                   {"d",
                    {{"token", config_.token},
                     {"session_id", session_id_},
                     {"seq", sequence_ ? nlohmann::json(*sequence_) : nlohmann::json(nullptr)}}}};
  return j.dump();
}

void ShardSession::ForgetSession() {
  session_id_.clear();
  resume_url_.clear();
  sequence_.reset();
}

Action ShardSession::Reconnect(bool resume, bool back_off) {
  Action a;
  a.kind = Action::Kind::kReconnect;
  a.resume = resume && !session_id_.empty();
  a.url = a.resume && !resume_url_.empty() ? resume_url_ : config_.gateway_url;
  if (back_off) {
    // Exponential with full jitter: up to 1 s, 2 s, 4 s, ... capped at 60 s.
    const auto cap = std::min<std::int64_t>(60'000, 1000LL << std::min(failures_, 6));
    a.delay = milliseconds(std::uniform_int_distribution<std::int64_t>(0, cap)(rng_));
  }
  ++failures_;
  next_heartbeat_.reset();
  return a;
}

std::vector<Action> ShardSession::OnPayload(const GatewayPayload& p) {
  std::vector<Action> out;
  switch (p.op) {
    case 10: {  // Hello: start heartbeating, then Identify or Resume
      interval_ = milliseconds(p.heartbeat_interval.value_or(41250));
      const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
      next_heartbeat_ = clock_.Now() + std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::duration<double, std::milli>(
                                               jitter * static_cast<double>(interval_.count())));
      awaiting_ack_ = false;
      if (!session_id_.empty()) {
        ++resumes_;
        out.push_back(Send(ResumePayload()));
      } else {
        ++identifies_;
        out.push_back(Send(IdentifyPayload()));
        out.back().identify = true;
      }
      break;
    }
    case 11:  // Heartbeat ACK
      awaiting_ack_ = false;
      break;
    case 1:  // the server asks for a heartbeat now (the regular schedule stands)
      out.push_back(Send(HeartbeatPayload()));
      break;
    case 7:  // Reconnect: resume on a new connection, at once
      out.push_back(Reconnect(/*resume=*/true, /*back_off=*/false));
      break;
    case 9:  // Invalid Session
      if (!p.resumable.value_or(false)) {
        ForgetSession();
        Action a = Reconnect(/*resume=*/false, /*back_off=*/false);
        // The documented pause before a new Identify: 1-5 s.
        a.delay = milliseconds(std::uniform_int_distribution<int>(1000, 5000)(rng_));
        out.push_back(std::move(a));
      } else {
        out.push_back(Reconnect(/*resume=*/true, /*back_off=*/false));
      }
      break;
    case 0:  // Dispatch
      if (p.sequence && (!sequence_ || *p.sequence > *sequence_)) sequence_ = p.sequence;
      if (const auto* r = std::get_if<Ready>(&p.data)) {
        session_id_ = r->session_id;
        // The resume URL comes without the query; resumes need the same v, encoding and compress.
        resume_url_ = r->resume_gateway_url;
        if (const auto q = config_.gateway_url.find('?');
            q != std::string::npos && resume_url_.find('?') == std::string::npos) {
          while (resume_url_.ends_with('/')) resume_url_.pop_back();
          resume_url_ += "/" + config_.gateway_url.substr(q);
        }
        ready_ = true;
        failures_ = 0;
      } else if (p.event == "RESUMED") {
        ready_ = true;
        failures_ = 0;
      }
      break;
    default:
      break;
  }
  return out;
}

std::vector<Action> ShardSession::OnTick() {
  std::vector<Action> out;
  if (!next_heartbeat_ || clock_.Now() < *next_heartbeat_) return out;
  if (awaiting_ack_) {
    // The last heartbeat was never acknowledged: a zombie connection. Close it (not with
    // 1000/1001, which would end the session) and resume.
    out.push_back(Reconnect(/*resume=*/true, /*back_off=*/false));
    return out;
  }
  out.push_back(Send(HeartbeatPayload()));
  awaiting_ack_ = true;
  *next_heartbeat_ += std::chrono::duration_cast<std::chrono::microseconds>(interval_);
  if (*next_heartbeat_ <= clock_.Now()) {  // fell far behind (a paused process): re-anchor
    next_heartbeat_ =
        clock_.Now() + std::chrono::duration_cast<std::chrono::microseconds>(interval_);
  }
  return out;
}

std::vector<Action> ShardSession::OnClosed(std::optional<int> code) {
  std::vector<Action> out;
  const CloseDecision d = DecideAfterClose(code);
  next_heartbeat_.reset();
  ready_ = false;
  switch (d.next) {
    case AfterClose::kFatal: {
      Action a;
      a.kind = Action::Kind::kStop;
      a.reason = std::string(d.reason);
      out.push_back(std::move(a));
      break;
    }
    case AfterClose::kNewSession:
      ForgetSession();
      out.push_back(Reconnect(/*resume=*/false, d.back_off));
      break;
    case AfterClose::kResume:
      out.push_back(Reconnect(/*resume=*/true, d.back_off));
      break;
  }
  return out;
}

}  // namespace discord::gateway

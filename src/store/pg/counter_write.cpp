#include "store/pg/counter_write.h"

#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "store/pg/detail/analytics_merge.h"
#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

// $1..$4 member counts (server, user, count, last message time), one entry per member.
// $5..$15 analytics (server, date, the eight counters, metrics), one entry per (server, date), in
// key order. $16..$27 gpt_usage rows (NULL timestamps become now()). Parallel arrays per part; an
// empty part is three, eleven or twelve empty arrays and its CTE writes nothing.
//
// The CTEs run on the statement's snapshot and do not see each other's rows, but foreign keys are
// checked at the end of the statement, when the servers and users inserted here exist. ON
// CONFLICT DO UPDATE updates each conflicting row under its row lock, so concurrent writers
// serialise per row and lose no increment; rows are inserted in key order (servers, users,
// members and days sorted), so two writers lock them in the same order.
constexpr Statement kWrite{"counter_write", R"sql(
WITH
md AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[])
    AS t(server_id, user_id, n, last_at)),
ad AS (
  SELECT * FROM unnest($5::text[], $6::date[], $7::integer[], $8::integer[], $9::integer[],
                       $10::integer[], $11::integer[], $12::integer[], $13::integer[],
                       $14::integer[], $15::jsonb[]) WITH ORDINALITY
    AS t(server_id, date, detection_count, verification_count, ban_count, verify_count,
         false_positive_count, gpt_call_count, message_count, join_count, metrics, ord)),
gd AS (
  SELECT * FROM unnest($16::text[], $17::text[], $18::timestamptz[], $19::text[], $20::integer[],
                       $21::integer[], $22::integer[], $23::text[], $24::boolean[],
                       $25::integer[], $26::numeric[], $27::jsonb[])
    AS t(server_id, user_id, ts, model, prompt_tokens, completion_tokens, total_tokens, purpose,
         success, latency_ms, cost_usd, metadata)),
srv AS (
  INSERT INTO servers (guild_id)
  SELECT server_id FROM md UNION SELECT server_id FROM ad UNION SELECT server_id FROM gd
  ORDER BY 1
  ON CONFLICT (guild_id) DO NOTHING),
usr AS (
  INSERT INTO users (discord_id)
  SELECT user_id FROM md UNION SELECT user_id FROM gd WHERE user_id IS NOT NULL
  ORDER BY 1
  ON CONFLICT (discord_id) DO NOTHING),
mem AS (
  INSERT INTO server_members AS m (server_id, user_id, message_count, last_message_at)
  SELECT server_id, user_id, n, last_at FROM md
  ON CONFLICT (server_id, user_id) DO UPDATE SET
    message_count = m.message_count + excluded.message_count,
    last_message_at = greatest(m.last_message_at, excluded.last_message_at)
  RETURNING 1),
ana AS (
  INSERT INTO analytics AS a (server_id, date, detection_count, verification_count, ban_count,
                              verify_count, false_positive_count, gpt_call_count, message_count,
                              join_count, metrics)
  SELECT server_id, date, detection_count, verification_count, ban_count, verify_count,
         false_positive_count, gpt_call_count, message_count, join_count, metrics
  FROM ad ORDER BY ord
  ON CONFLICT (server_id, date) DO UPDATE SET
    detection_count = a.detection_count + excluded.detection_count,
    verification_count = a.verification_count + excluded.verification_count,
    ban_count = a.ban_count + excluded.ban_count,
    verify_count = a.verify_count + excluded.verify_count,
    false_positive_count = a.false_positive_count + excluded.false_positive_count,
    gpt_call_count = a.gpt_call_count + excluded.gpt_call_count,
    message_count = a.message_count + excluded.message_count,
    join_count = a.join_count + excluded.join_count,
    metrics = a.metrics || excluded.metrics
  RETURNING 1),
gpt AS (
  INSERT INTO gpt_usage (server_id, user_id, "timestamp", model, prompt_tokens,
                         completion_tokens, total_tokens, purpose, success, latency_ms, cost_usd,
                         metadata)
  SELECT server_id, user_id, COALESCE(ts, now()), model, prompt_tokens, completion_tokens,
         total_tokens, purpose, success, latency_ms, cost_usd, metadata
  FROM gd
  RETURNING 1)
SELECT (SELECT count(*) FROM mem), (SELECT count(*) FROM ana), (SELECT count(*) FROM gpt)
)sql"};


// Zero is "not set": the database stamps the row.
std::optional<Timestamp> StampOf(const GptUsage& u) {
  if (u.timestamp == Timestamp{}) return std::nullopt;
  return u.timestamp;
}

// The member part as four array parameters, one entry per member in key order.
core::Result<void> AddMembers(std::span<const MessageCountDelta> deltas, Params& out) {
  std::map<std::pair<GuildId, UserId>, MessageCountDelta> merged;
  for (const auto& d : deltas) {
    if (d.count < 0) {
      return core::Fail(core::ErrorCode::kInvalidArgument, "negative message count delta", "count");
    }
    auto [it, inserted] = merged.try_emplace({d.server_id, d.user_id}, d);
    if (!inserted) {
      it->second.count += d.count;
      it->second.last_message_at = std::max(it->second.last_message_at, d.last_message_at);
    }
  }
  Params server, user, count, last;
  for (const auto& [key, d] : merged) {
    server.Add(d.server_id);
    user.Add(d.user_id);
    count.Add(d.count);
    last.Add(d.last_message_at);
  }
  out.Add(server.ToArrayLiteral())
      .Add(user.ToArrayLiteral())
      .Add(count.ToArrayLiteral())
      .Add(last.ToArrayLiteral());
  return {};
}

// The analytics part as eleven array parameters, one entry per (server, date) in key order.
core::Result<void> AddDays(std::span<const AnalyticsDay> deltas, Params& out) {
  std::map<std::pair<std::uint64_t, Date>, AnalyticsDay> sums;
  for (const auto& d : deltas) {
    if (!detail::NonNegative(d)) {
      return core::Fail(
          core::ErrorCode::kConstraintViolation,
          "counter_write: negative analytics delta for server " + d.server_id.ToString(),
          "analytics_counts_nonnegative");
    }
    auto [it, inserted] = sums.try_emplace({d.server_id.value(), d.date}, d);
    if (inserted) continue;
    AnalyticsDay& sum = it->second;
    sum.detection_count += d.detection_count;
    sum.verification_count += d.verification_count;
    sum.ban_count += d.ban_count;
    sum.verify_count += d.verify_count;
    sum.false_positive_count += d.false_positive_count;
    sum.gpt_call_count += d.gpt_call_count;
    sum.message_count += d.message_count;
    sum.join_count += d.join_count;
    auto metrics = detail::MergeMetrics(sum.metrics, d.metrics, "counter_write");
    if (!metrics) return std::unexpected(metrics.error());
    sum.metrics = std::move(*metrics);
  }
  Params server, date, detections, verifications, bans, verifies, false_positives, gpt_calls,
      messages, joins, metrics;
  for (const auto& [key, d] : sums) {
    server.Add(d.server_id);
    date.Add(d.date);
    detections.Add(d.detection_count);
    verifications.Add(d.verification_count);
    bans.Add(d.ban_count);
    verifies.Add(d.verify_count);
    false_positives.Add(d.false_positive_count);
    gpt_calls.Add(d.gpt_call_count);
    messages.Add(d.message_count);
    joins.Add(d.join_count);
    metrics.Add(d.metrics);
  }
  for (const Params* p : {&server, &date, &detections, &verifications, &bans, &verifies,
                          &false_positives, &gpt_calls, &messages, &joins, &metrics}) {
    out.Add(p->ToArrayLiteral());
  }
  return {};
}

// The gpt_usage part as twelve array parameters, in the given order.
core::Result<void> AddLlmCalls(std::span<const GptUsage> usages, Params& out) {
  Params server, user, stamp, model, prompt, completion, total, purpose, success, latency, cost,
      metadata;
  for (const auto& u : usages) {
    // A NaN cost would turn every sum into NaN and every budget comparison false.
    if (u.cost_usd && !std::isfinite(*u.cost_usd)) {
      return core::Fail(core::ErrorCode::kInvalidArgument, "cost_usd must be a finite number",
                        "cost_usd");
    }
    server.Add(u.server_id);
    user.Add(u.user_id);
    stamp.Add(StampOf(u));
    model.Add(u.model);
    prompt.Add(u.prompt_tokens);
    completion.Add(u.completion_tokens);
    total.Add(u.total_tokens);
    purpose.Add(u.purpose);
    success.Add(u.success);
    latency.Add(u.latency_ms);
    cost.Add(u.cost_usd);
    metadata.Add(u.metadata);
  }
  for (const Params* p : {&server, &user, &stamp, &model, &prompt, &completion, &total, &purpose,
                          &success, &latency, &cost, &metadata}) {
    out.Add(p->ToArrayLiteral());
  }
  return {};
}

}  // namespace

core::Result<CounterWriteResult> CounterWriter::Write(std::span<const MessageCountDelta> members,
                                                      std::span<const AnalyticsDay> days,
                                                      std::span<const GptUsage> llm_calls) {
  if (members.empty() && days.empty() && llm_calls.empty()) return CounterWriteResult{};
  Params params;
  if (auto r = AddMembers(members, params); !r) return std::unexpected(r.error());
  if (auto r = AddDays(days, params); !r) return std::unexpected(r.error());
  if (auto r = AddLlmCalls(llm_calls, params); !r) return std::unexpected(r.error());
  return pool_.Run("counter_write", [&](Session& s) {
    const auto rows = s.Exec(kWrite, params);
    const auto row = rows[0];
    return CounterWriteResult{.members = static_cast<int>(detail::Int(row[0])),
                              .days = static_cast<int>(detail::Int(row[1])),
                              .llm_calls = static_cast<int>(detail::Int(row[2])),
                              .statements = 1};
  });
}

}  // namespace store::pg

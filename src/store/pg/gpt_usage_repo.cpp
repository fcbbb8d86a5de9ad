#include "store/pg/gpt_usage_repo.h"

#include <cmath>

#include <optional>
#include <string>

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

#define ANTISPAM_GPT_USAGE_COLUMNS                                                   \
  "id, server_id, user_id, \"timestamp\", model, prompt_tokens, completion_tokens, " \
  "total_tokens, purpose, success, latency_ms, cost_usd, metadata"

// $3 timestamp (NULL: now()).
constexpr Statement kRecord{
    "gpt_usage_record",
    "INSERT INTO gpt_usage (server_id, user_id, \"timestamp\", model, prompt_tokens, "
    "  completion_tokens, total_tokens, purpose, success, latency_ms, cost_usd, metadata) "
    "VALUES ($1, $2, COALESCE($3, now()), $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb) "
    "RETURNING " ANTISPAM_GPT_USAGE_COLUMNS};
// $1..$12: one array per column, equally long; NULL timestamps become now().
constexpr Statement kRecordBatch{
    "gpt_usage_record_batch",
    "INSERT INTO gpt_usage (server_id, user_id, \"timestamp\", model, prompt_tokens, "
    "  completion_tokens, total_tokens, purpose, success, latency_ms, cost_usd, metadata) "
    "SELECT t.server_id, t.user_id, COALESCE(t.ts, now()), t.model, t.prompt_tokens, "
    "  t.completion_tokens, t.total_tokens, t.purpose, t.success, t.latency_ms, t.cost_usd, "
    "  t.metadata "
    "FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::integer[], "
    "  $6::integer[], $7::integer[], $8::text[], $9::boolean[], $10::integer[], $11::numeric[], "
    "  $12::jsonb[]) "
    "  AS t(server_id, user_id, ts, model, prompt_tokens, completion_tokens, total_tokens, "
    "  purpose, success, latency_ms, cost_usd, metadata)"};
// Served by gpt_usage_server_time_idx.
constexpr Statement kCountSince{
    "gpt_usage_count_since",
    "SELECT count(*) FROM gpt_usage WHERE server_id = $1 AND \"timestamp\" >= $2"};
constexpr Statement kTotalsSince{
    "gpt_usage_totals_since",
    "SELECT count(*), COALESCE(sum(total_tokens), 0), COALESCE(sum(cost_usd), 0) "
    "FROM gpt_usage WHERE server_id = $1 AND \"timestamp\" >= $2"};

#undef ANTISPAM_GPT_USAGE_COLUMNS

GptUsage Decode(const pqxx::row& r) {
  using namespace detail;
  const auto latency = OptInt(r[10]);
  return GptUsage{
      .id = UuidOf(r[0]),
      .server_id = IdOf<GuildId>(r[1]),
      .user_id = OptId<UserId>(r[2]),
      .timestamp = Time(r[3]),
      .model = Text(r[4]),
      .prompt_tokens = static_cast<int>(Int(r[5])),
      .completion_tokens = static_cast<int>(Int(r[6])),
      .total_tokens = static_cast<int>(Int(r[7])),
      .purpose = OptText(r[8]),
      .success = Bool(r[9]),
      .latency_ms = latency ? std::optional<int>(static_cast<int>(*latency)) : std::nullopt,
      .cost_usd = OptDouble(r[11]),
      .metadata = Text(r[12]),
  };
}

// Zero is "not set": the database stamps the row.
std::optional<Timestamp> StampOf(const GptUsage& u) {
  if (u.timestamp == Timestamp{}) return std::nullopt;
  return u.timestamp;
}

}  // namespace

namespace {
// A NaN cost would turn every sum into NaN and every budget comparison false.
core::Result<void> CheckCost(const GptUsage& u) {
  if (u.cost_usd && !std::isfinite(*u.cost_usd)) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "cost_usd must be a finite number",
                      "cost_usd");
  }
  return {};
}
}  // namespace

core::Result<GptUsage> GptUsageRepo::Record(const GptUsage& u) {
  if (auto bad = CheckCost(u); !bad) return std::unexpected(bad.error());
  return pool_.Run("gpt_usage.record", [&](Session& s) {
    return Decode(s.Exec(
        kRecord,
        Params(u.server_id, u.user_id, StampOf(u), u.model, u.prompt_tokens, u.completion_tokens,
               u.total_tokens, u.purpose, u.success, u.latency_ms, u.cost_usd, u.metadata))[0]);
  });
}

core::Result<void> GptUsageRepo::RecordBatch(std::span<const GptUsage> usages) {
  if (usages.empty()) return {};
  Params server, user, stamp, model, prompt, completion, total, purpose, success, latency, cost,
      metadata;
  for (const auto& u : usages) {
    if (auto bad = CheckCost(u); !bad) return bad;
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
  const Params params(server.ToArrayLiteral(), user.ToArrayLiteral(), stamp.ToArrayLiteral(),
                      model.ToArrayLiteral(), prompt.ToArrayLiteral(), completion.ToArrayLiteral(),
                      total.ToArrayLiteral(), purpose.ToArrayLiteral(), success.ToArrayLiteral(),
                      latency.ToArrayLiteral(), cost.ToArrayLiteral(), metadata.ToArrayLiteral());
  return pool_.Run("gpt_usage.record_batch", [&](Session& s) { s.Exec(kRecordBatch, params); });
}

core::Result<std::int64_t> GptUsageRepo::CountSince(GuildId server, Timestamp since) {
  return pool_.Run("gpt_usage.count_since", [&](Session& s) {
    return detail::Int(s.Exec(kCountSince, Params(server, since))[0][0]);
  });
}

core::Result<GptUsageTotals> GptUsageRepo::TotalsSince(GuildId server, Timestamp since) {
  return pool_.Run("gpt_usage.totals_since", [&](Session& s) {
    const auto rows = s.Exec(kTotalsSince, Params(server, since));
    const auto row = rows[0];
    return GptUsageTotals{
        .calls = detail::Int(row[0]),
        .total_tokens = detail::Int(row[1]),
        .cost_usd = detail::Double(row[2]),
    };
  });
}

}  // namespace store::pg

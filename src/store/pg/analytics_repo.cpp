#include "store/pg/analytics_repo.h"

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "store/pg/detail/analytics_merge.h"
#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

#define ANTISPAM_ANALYTICS_COLUMNS                                                  \
  "server_id, date, detection_count, verification_count, ban_count, verify_count, " \
  "false_positive_count, gpt_call_count, message_count, join_count, metrics"

// $1..$11: one array per column, equally long, without repeated (server, date) pairs (ON
// CONFLICT DO UPDATE cannot touch a row twice in one statement). Each conflicting row is updated
// under its row lock, so concurrent adds serialise per row and none is lost.
constexpr Statement kAdd{
    "analytics_add",
    "INSERT INTO analytics AS a (server_id, date, detection_count, verification_count, "
    "  ban_count, verify_count, false_positive_count, gpt_call_count, message_count, join_count, "
    "  metrics) "
    "SELECT t.server_id, t.date, t.detection_count, t.verification_count, t.ban_count, "
    "  t.verify_count, t.false_positive_count, t.gpt_call_count, t.message_count, t.join_count, "
    "  t.metrics "
    "FROM unnest($1::text[], $2::date[], $3::integer[], $4::integer[], $5::integer[], "
    "  $6::integer[], $7::integer[], $8::integer[], $9::integer[], $10::integer[], $11::jsonb[]) "
    "  WITH ORDINALITY AS t(server_id, date, detection_count, verification_count, ban_count, "
    "  verify_count, false_positive_count, gpt_call_count, message_count, join_count, metrics, "
    "  ord) "
    "ORDER BY t.ord "
    "ON CONFLICT (server_id, date) DO UPDATE SET "
    "  detection_count = a.detection_count + excluded.detection_count, "
    "  verification_count = a.verification_count + excluded.verification_count, "
    "  ban_count = a.ban_count + excluded.ban_count, "
    "  verify_count = a.verify_count + excluded.verify_count, "
    "  false_positive_count = a.false_positive_count + excluded.false_positive_count, "
    "  gpt_call_count = a.gpt_call_count + excluded.gpt_call_count, "
    "  message_count = a.message_count + excluded.message_count, "
    "  join_count = a.join_count + excluded.join_count, "
    "  metrics = a.metrics || excluded.metrics"};
constexpr Statement kGet{"analytics_get", "SELECT " ANTISPAM_ANALYTICS_COLUMNS
                                          " FROM analytics WHERE server_id = $1 AND date = $2"};
constexpr Statement kRange{
    "analytics_range",
    "SELECT " ANTISPAM_ANALYTICS_COLUMNS
    " FROM analytics WHERE server_id = $1 AND date BETWEEN $2 AND $3 ORDER BY date"};

#undef ANTISPAM_ANALYTICS_COLUMNS

AnalyticsDay Decode(const pqxx::row& r) {
  using namespace detail;
  return AnalyticsDay{
      .server_id = IdOf<GuildId>(r[0]),
      .date = DateOf(r[1]),
      .detection_count = Int(r[2]),
      .verification_count = Int(r[3]),
      .ban_count = Int(r[4]),
      .verify_count = Int(r[5]),
      .false_positive_count = Int(r[6]),
      .gpt_call_count = Int(r[7]),
      .message_count = Int(r[8]),
      .join_count = Int(r[9]),
      .metrics = Text(r[10]),
  };
}


}  // namespace

core::Result<void> AnalyticsRepo::Add(const std::vector<AnalyticsDay>& deltas) {
  if (deltas.empty()) return {};
  // One entry per (server, date), in key order: concurrent batches lock their rows in the same
  // order and cannot deadlock on each other.
  std::map<std::pair<std::uint64_t, Date>, AnalyticsDay> sums;
  for (const auto& d : deltas) {
    if (!detail::NonNegative(d)) {
      return core::Fail(core::ErrorCode::kConstraintViolation,
                        "analytics.add: negative delta for server " + d.server_id.ToString(),
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
    auto metrics = detail::MergeMetrics(sum.metrics, d.metrics, "analytics.add");
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
  const Params params(server.ToArrayLiteral(), date.ToArrayLiteral(), detections.ToArrayLiteral(),
                      verifications.ToArrayLiteral(), bans.ToArrayLiteral(),
                      verifies.ToArrayLiteral(), false_positives.ToArrayLiteral(),
                      gpt_calls.ToArrayLiteral(), messages.ToArrayLiteral(), joins.ToArrayLiteral(),
                      metrics.ToArrayLiteral());
  return pool_.Run("analytics.add", [&](Session& s) { s.Exec(kAdd, params); });
}

core::Result<std::optional<AnalyticsDay>> AnalyticsRepo::Get(GuildId server, Date date) {
  return pool_.Run("analytics.get", [&](Session& s) -> std::optional<AnalyticsDay> {
    auto rows = s.Exec(kGet, Params(server, date));
    if (rows.empty()) return std::nullopt;
    return Decode(rows[0]);
  });
}

core::Result<std::vector<AnalyticsDay>> AnalyticsRepo::Range(GuildId server, Date from, Date to) {
  return pool_.Run("analytics.range", [&](Session& s) {
    std::vector<AnalyticsDay> out;
    for (const auto& row : s.Exec(kRange, Params(server, from, to))) out.push_back(Decode(row));
    return out;
  });
}

}  // namespace store::pg

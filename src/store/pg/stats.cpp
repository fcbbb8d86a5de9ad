#include "store/pg/stats.h"

#include "store/pg/detail/session.h"

namespace store::pg {

core::Result<std::vector<std::pair<std::string, std::int64_t>>> TableRowCounts(Pool& pool) {
  // Table names are constants, not input: one statement counts them all.
  static constexpr Statement kCounts{
      "stats_row_counts",
      "SELECT 'servers', count(*) FROM servers UNION ALL "
      "SELECT 'users', count(*) FROM users UNION ALL "
      "SELECT 'server_members', count(*) FROM server_members UNION ALL "
      "SELECT 'detection_events', count(*) FROM detection_events UNION ALL "
      "SELECT 'verification_events', count(*) FROM verification_events UNION ALL "
      "SELECT 'admin_actions', count(*) FROM admin_actions UNION ALL "
      "SELECT 'messages', count(*) FROM messages UNION ALL "
      "SELECT 'analytics', count(*) FROM analytics UNION ALL "
      "SELECT 'server_relationships', count(*) FROM server_relationships UNION ALL "
      "SELECT 'training_data', count(*) FROM training_data UNION ALL "
      "SELECT 'gpt_usage', count(*) FROM gpt_usage"};
  return pool.Run("stats.row_counts", [](Session& s) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& row : s.Exec(kCounts)) {
      out.emplace_back(detail::Text(row[0]), detail::Int(row[1]));
    }
    return out;
  });
}

}  // namespace store::pg

#include "store/pg/message_repo.h"

#include <map>
#include <string>
#include <utility>

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

#define ANTISPAM_MESSAGE_COLUMNS \
  "id, server_id, user_id, message_id, channel_id, content, sent_at, is_flagged, metadata"

// A re-store changes nothing but raising is_flagged; the WHERE keeps it from rewriting the row
// (and from returning it) otherwise.
constexpr Statement kStore{
    "messages_store",
    "INSERT INTO messages AS m (server_id, user_id, message_id, channel_id, content, sent_at, "
    "  is_flagged, metadata) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) "
    "ON CONFLICT (server_id, message_id) DO UPDATE SET is_flagged = TRUE "
    "  WHERE excluded.is_flagged AND NOT m.is_flagged "
    "RETURNING " ANTISPAM_MESSAGE_COLUMNS};
// $1..$8: one array per column, equally long, without repeated (server, message) pairs.
constexpr Statement kStoreBatch{
    "messages_store_batch",
    "INSERT INTO messages AS m (server_id, user_id, message_id, channel_id, content, sent_at, "
    "  is_flagged, metadata) "
    "SELECT t.server_id, t.user_id, t.message_id, t.channel_id, t.content, t.sent_at, "
    "  t.is_flagged, t.metadata "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], "
    "  $7::boolean[], $8::jsonb[]) WITH ORDINALITY "
    "  AS t(server_id, user_id, message_id, channel_id, content, sent_at, is_flagged, metadata, "
    "       ord) "
    "ORDER BY t.ord "
    "ON CONFLICT (server_id, message_id) DO UPDATE SET is_flagged = TRUE "
    "  WHERE excluded.is_flagged AND NOT m.is_flagged"};
constexpr Statement kFind{"messages_find",
                          "SELECT " ANTISPAM_MESSAGE_COLUMNS
                          " FROM messages WHERE server_id = $1 AND message_id = $2"};
constexpr Statement kRecentForUser{
    "messages_recent_for_user",
    "SELECT " ANTISPAM_MESSAGE_COLUMNS
    " FROM messages WHERE server_id = $1 AND user_id = $2 "
    "ORDER BY COALESCE(sent_at, stored_at) DESC, stored_at DESC LIMIT $3"};
constexpr Statement kPurgeOlderThan{"messages_purge_older_than",
                                    "DELETE FROM messages WHERE COALESCE(sent_at, stored_at) < $1"};

// Each server's retention (settings "retention.messages_days", 1-365; the default otherwise, also
// for a value that is not a whole number in range) against the database's clock.
constexpr Statement kPurgeByRetention{
    "messages_purge_by_retention",
    "DELETE FROM messages m USING servers s "
    "WHERE m.server_id = s.guild_id AND COALESCE(m.sent_at, m.stored_at) < now() - "
    "  make_interval(days => CASE "
    "    WHEN s.settings->>'retention.messages_days' ~ '^[0-9]{1,3}$' "
    "     AND (s.settings->>'retention.messages_days')::int BETWEEN 1 AND 365 "
    "    THEN (s.settings->>'retention.messages_days')::int ELSE $1::int END)"};

#undef ANTISPAM_MESSAGE_COLUMNS

StoredMessage Decode(const pqxx::row& r) {
  using namespace detail;
  return StoredMessage{
      .id = UuidOf(r[0]),
      .server_id = IdOf<GuildId>(r[1]),
      .user_id = IdOf<UserId>(r[2]),
      .message_id = IdOf<MessageId>(r[3]),
      .channel_id = OptId<ChannelId>(r[4]),
      .content = OptText(r[5]),
      .sent_at = OptTime(r[6]),
      .is_flagged = Bool(r[7]),
      .metadata = Text(r[8]),
  };
}

}  // namespace

core::Result<StoredMessage> MessageRepo::Store(const StoredMessage& m) {
  return pool_.Run("messages.store", [&](Session& s) -> core::Result<StoredMessage> {
    auto rows = s.Exec(kStore, Params(m.server_id, m.user_id, m.message_id, m.channel_id, m.content,
                                      m.sent_at, m.is_flagged, m.metadata));
    if (!rows.empty()) return Decode(rows[0]);
    // Already stored and nothing to change: answer the stored row.
    auto stored = s.Exec(kFind, Params(m.server_id, m.message_id));
    if (stored.empty()) {
      return core::Fail(core::ErrorCode::kConflict,
                        "message " + m.message_id.ToString() + " was purged while being stored");
    }
    return Decode(stored[0]);
  });
}

core::Result<std::int64_t> MessageRepo::StoreBatch(std::span<const StoredMessage> messages) {
  if (messages.empty()) return 0;
  // One entry per (server, message): ON CONFLICT DO UPDATE cannot touch a row twice in one
  // statement. The key order is also the insertion order, so concurrent batches take their row
  // locks in the same order and cannot deadlock on each other.
  std::map<std::pair<std::uint64_t, std::uint64_t>, StoredMessage> unique;
  for (const auto& m : messages) {
    auto [it, inserted] = unique.try_emplace({m.server_id.value(), m.message_id.value()}, m);
    if (!inserted) it->second.is_flagged = it->second.is_flagged || m.is_flagged;
  }
  Params server, user, message, channel, content, sent_at, flagged, metadata;
  for (const auto& [key, m] : unique) {
    server.Add(m.server_id);
    user.Add(m.user_id);
    message.Add(m.message_id);
    channel.Add(m.channel_id);
    content.Add(m.content);
    sent_at.Add(m.sent_at);
    flagged.Add(m.is_flagged);
    metadata.Add(m.metadata);
  }
  const Params params(server.ToArrayLiteral(), user.ToArrayLiteral(), message.ToArrayLiteral(),
                      channel.ToArrayLiteral(), content.ToArrayLiteral(), sent_at.ToArrayLiteral(),
                      flagged.ToArrayLiteral(), metadata.ToArrayLiteral());
  return pool_.Run("messages.store_batch", [&](Session& s) {
    return static_cast<std::int64_t>(s.Exec(kStoreBatch, params).affected_rows());
  });
}

core::Result<std::optional<StoredMessage>> MessageRepo::Find(GuildId server, MessageId message) {
  return pool_.Run("messages.find", [&](Session& s) -> std::optional<StoredMessage> {
    auto rows = s.Exec(kFind, Params(server, message));
    if (rows.empty()) return std::nullopt;
    return Decode(rows[0]);
  });
}

core::Result<std::vector<StoredMessage>> MessageRepo::RecentForUser(GuildId server, UserId user,
                                                                    int limit) {
  return pool_.Run("messages.recent_for_user", [&](Session& s) {
    std::vector<StoredMessage> out;
    for (const auto& row : s.Exec(kRecentForUser, Params(server, user, limit))) {
      out.push_back(Decode(row));
    }
    return out;
  });
}

core::Result<std::int64_t> MessageRepo::PurgeOlderThan(Timestamp cutoff) {
  return pool_.Run("messages.purge_older_than", [&](Session& s) {
    return static_cast<std::int64_t>(s.Exec(kPurgeOlderThan, Params(cutoff)).affected_rows());
  });
}

core::Result<std::int64_t> MessageRepo::PurgeByRetention(std::chrono::days default_retention) {
  return pool_.Run("messages.purge_by_retention", [&](Session& s) {
    const int days = static_cast<int>(default_retention.count());
    return static_cast<std::int64_t>(s.Exec(kPurgeByRetention, Params(days)).affected_rows());
  });
}

}  // namespace store::pg

#include "store/pg/relationship_repo.h"

#include <string>

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using detail::Params;

#define ANTISPAM_RELATIONSHIP_COLUMNS                                                    \
  "id, source_server_id, target_server_id, relationship_type, trust_level, created_by, " \
  "created_at, updated_at"

constexpr Statement kUpsert{
    "server_relationships_upsert",
    "INSERT INTO server_relationships AS r (source_server_id, target_server_id, "
    "  relationship_type, trust_level, created_by) "
    "VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (source_server_id, target_server_id) DO UPDATE SET "
    "  relationship_type = excluded.relationship_type, "
    "  trust_level = excluded.trust_level, "
    "  created_by = COALESCE(r.created_by, excluded.created_by), "
    "  updated_at = now() "
    "RETURNING " ANTISPAM_RELATIONSHIP_COLUMNS};
constexpr Statement kFind{
    "server_relationships_find",
    "SELECT " ANTISPAM_RELATIONSHIP_COLUMNS
    " FROM server_relationships WHERE source_server_id = $1 AND target_server_id = $2"};
// Served by the unique index on (source_server_id, target_server_id).
constexpr Statement kListFrom{
    "server_relationships_list_from",
    "SELECT " ANTISPAM_RELATIONSHIP_COLUMNS
    " FROM server_relationships WHERE source_server_id = $1 ORDER BY target_server_id"};
// Served by server_relationships_target_idx.
constexpr Statement kListTo{
    "server_relationships_list_to",
    "SELECT " ANTISPAM_RELATIONSHIP_COLUMNS
    " FROM server_relationships WHERE target_server_id = $1 ORDER BY source_server_id"};
constexpr Statement kRemove{
    "server_relationships_remove",
    "DELETE FROM server_relationships WHERE source_server_id = $1 AND target_server_id = $2"};

#undef ANTISPAM_RELATIONSHIP_COLUMNS

ServerRelationship Decode(const pqxx::row& r) {
  using namespace detail;
  return ServerRelationship{
      .id = UuidOf(r[0]),
      .source_server_id = IdOf<GuildId>(r[1]),
      .target_server_id = IdOf<GuildId>(r[2]),
      .relationship_type = EnumOf<RelationshipType>(r[3], ParseRelationshipType),
      .trust_level = static_cast<int>(Int(r[4])),
      .created_by = OptId<UserId>(r[5]),
      .created_at = Time(r[6]),
      .updated_at = Time(r[7]),
  };
}

std::vector<ServerRelationship> DecodeAll(const pqxx::result& rows) {
  std::vector<ServerRelationship> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(Decode(row));
  return out;
}

std::string Edge(GuildId source, GuildId target) {
  return source.ToString() + " -> " + target.ToString();
}

}  // namespace

core::Result<ServerRelationship> RelationshipRepo::Upsert(GuildId source, GuildId target,
                                                          RelationshipType type, int trust_level,
                                                          std::optional<UserId> created_by) {
  return pool_.Run("server_relationships.upsert", [&](Session& s) {
    return Decode(s.Exec(kUpsert, Params(source, target, type, trust_level, created_by))[0]);
  });
}

core::Result<std::optional<ServerRelationship>> RelationshipRepo::Find(GuildId source,
                                                                       GuildId target) {
  return pool_.Run("server_relationships.find",
                   [&](Session& s) -> std::optional<ServerRelationship> {
                     auto rows = s.Exec(kFind, Params(source, target));
                     if (rows.empty()) return std::nullopt;
                     return Decode(rows[0]);
                   });
}

core::Result<std::vector<ServerRelationship>> RelationshipRepo::ListFrom(GuildId source) {
  return pool_.Run("server_relationships.list_from",
                   [&](Session& s) { return DecodeAll(s.Exec(kListFrom, Params(source))); });
}

core::Result<std::vector<ServerRelationship>> RelationshipRepo::ListTo(GuildId target) {
  return pool_.Run("server_relationships.list_to",
                   [&](Session& s) { return DecodeAll(s.Exec(kListTo, Params(target))); });
}

core::Result<void> RelationshipRepo::Remove(GuildId source, GuildId target) {
  return pool_.Run("server_relationships.remove", [&](Session& s) -> core::Result<void> {
    if (s.Exec(kRemove, Params(source, target)).affected_rows() == 0) {
      return core::Fail(core::ErrorCode::kNotFound,
                        "no server relationship " + Edge(source, target));
    }
    return {};
  });
}

}  // namespace store::pg

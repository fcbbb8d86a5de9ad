// server_relationships: the cross-server trust network, one directed edge per (source, target)
// pair of servers. Thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "core/result.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

class RelationshipRepo {
 public:
  explicit RelationshipRepo(Pool& pool) : pool_(pool) {}

  // Creates the edge source -> target, or replaces the type and trust level of the existing one
  // (created_by and created_at keep their first values). `trust_level` is -100..100, else
  // kConstraintViolation ("server_relationships_trust_level_range"); source == target is
  // kConstraintViolation ("server_relationships_not_self"); a server without a row is
  // kConstraintViolation naming the foreign key.
  core::Result<ServerRelationship> Upsert(GuildId source, GuildId target, RelationshipType type,
                                          int trust_level,
                                          std::optional<UserId> created_by = std::nullopt);
  // nullopt when there is no edge source -> target (the reverse edge is a different one).
  core::Result<std::optional<ServerRelationship>> Find(GuildId source, GuildId target);
  // The edges leaving `source` / reaching `target`, ordered by the other server's id (as text).
  core::Result<std::vector<ServerRelationship>> ListFrom(GuildId source);
  core::Result<std::vector<ServerRelationship>> ListTo(GuildId target);
  // Deletes the edge source -> target; kNotFound if absent.
  core::Result<void> Remove(GuildId source, GuildId target);

 private:
  Pool& pool_;
};

}  // namespace store::pg

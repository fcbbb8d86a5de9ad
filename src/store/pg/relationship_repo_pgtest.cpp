#include "store/pg/relationship_repo.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/clock.h"
#include "store/pg/server_repo.h"
#include "store/pg/testing/pg_harness.h"

namespace store::pg {
namespace {

using core::ErrorCode;

class RelationshipRepoTest : public testing::PgTest {
 protected:

  RelationshipRepo repo_{pool()};
};

TEST_F(RelationshipRepoTest, UpsertCreatesThenReplacesTypeAndTrust) {
  const GuildId a = CreateServer();
  const GuildId b = CreateServer();
  const UserId admin = NewUser();
  auto created = repo_.Upsert(a, b, RelationshipType::kTrust, 50, admin);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_FALSE(created->id.value.empty());
  EXPECT_EQ(created->source_server_id, a);
  EXPECT_EQ(created->target_server_id, b);
  EXPECT_EQ(created->relationship_type, RelationshipType::kTrust);
  EXPECT_EQ(created->trust_level, 50);
  EXPECT_EQ(created->created_by, admin);

  auto replaced = repo_.Upsert(a, b, RelationshipType::kDistrust, -20, NewUser());
  ASSERT_TRUE(replaced) << replaced.error().ToString();
  EXPECT_EQ(replaced->id, created->id);
  EXPECT_EQ(replaced->relationship_type, RelationshipType::kDistrust);
  EXPECT_EQ(replaced->trust_level, -20);
  EXPECT_EQ(replaced->created_by, admin);  // the creator stays
  EXPECT_EQ(replaced->created_at, created->created_at);
  EXPECT_GE(replaced->updated_at, created->updated_at);

  auto found = repo_.Find(a, b);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->trust_level, -20);
  auto reverse = repo_.Find(b, a);  // edges are directed
  ASSERT_TRUE(reverse) << reverse.error().ToString();
  EXPECT_FALSE(reverse->has_value());
}

TEST_F(RelationshipRepoTest, ListFromAndListToFollowDirection) {
  const GuildId a = CreateServer();
  const GuildId b = CreateServer();
  const GuildId c = CreateServer();
  ASSERT_TRUE(repo_.Upsert(a, b, RelationshipType::kTrust, 80));
  ASSERT_TRUE(repo_.Upsert(a, c, RelationshipType::kNeutral, 0));
  ASSERT_TRUE(repo_.Upsert(c, a, RelationshipType::kDistrust, -100));

  auto from_a = repo_.ListFrom(a);
  ASSERT_TRUE(from_a) << from_a.error().ToString();
  ASSERT_EQ(from_a->size(), 2u);
  EXPECT_EQ((*from_a)[0].target_server_id, b);  // b was created first: its id sorts first
  EXPECT_EQ((*from_a)[1].target_server_id, c);
  EXPECT_FALSE((*from_a)[0].created_by.has_value());
  for (const auto& r : *from_a) EXPECT_EQ(r.source_server_id, a);

  auto to_a = repo_.ListTo(a);
  ASSERT_TRUE(to_a) << to_a.error().ToString();
  ASSERT_EQ(to_a->size(), 1u);
  EXPECT_EQ((*to_a)[0].source_server_id, c);
  EXPECT_EQ((*to_a)[0].relationship_type, RelationshipType::kDistrust);
  EXPECT_EQ((*to_a)[0].trust_level, -100);

  auto to_b = repo_.ListTo(b);
  ASSERT_TRUE(to_b);
  ASSERT_EQ(to_b->size(), 1u);
  auto from_b = repo_.ListFrom(b);
  ASSERT_TRUE(from_b);
  EXPECT_TRUE(from_b->empty());
}

TEST_F(RelationshipRepoTest, RemoveDeletesOnceThenIsNotFound) {
  const GuildId a = CreateServer();
  const GuildId b = CreateServer();
  ASSERT_TRUE(repo_.Upsert(a, b, RelationshipType::kTrust, 10));
  ASSERT_TRUE(repo_.Upsert(b, a, RelationshipType::kTrust, 10));
  auto removed = repo_.Remove(a, b);
  ASSERT_TRUE(removed) << removed.error().ToString();
  auto gone = repo_.Find(a, b);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  auto kept = repo_.Find(b, a);
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->has_value());

  auto again = repo_.Remove(a, b);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST_F(RelationshipRepoTest, ChecksRefuseNamingTheirConstraint) {
  const GuildId a = CreateServer();
  const GuildId b = CreateServer();
  for (int level : {101, -101}) {
    auto out_of_range = repo_.Upsert(a, b, RelationshipType::kTrust, level);
    ASSERT_FALSE(out_of_range) << level;
    EXPECT_EQ(out_of_range.error().code, ErrorCode::kConstraintViolation);
    EXPECT_EQ(out_of_range.error().subject, "server_relationships_trust_level_range");
  }
  ASSERT_TRUE(repo_.Upsert(a, b, RelationshipType::kTrust, 100));
  ASSERT_TRUE(repo_.Upsert(a, b, RelationshipType::kDistrust, -100));

  auto self = repo_.Upsert(a, a, RelationshipType::kTrust, 100);
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(self.error().subject, "server_relationships_not_self");

  auto unknown = repo_.Upsert(a, NewGuild(), RelationshipType::kTrust, 1);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(unknown.error().subject, "server_relationships_target_server_id_fkey");

  // A failed upsert leaves the existing edge alone.
  auto edge = repo_.Find(a, b);
  ASSERT_TRUE(edge && edge->has_value());
  EXPECT_EQ((*edge)->trust_level, -100);
}

TEST_F(RelationshipRepoTest, DeletingAServerRemovesItsEdges) {
  const GuildId a = CreateServer();
  const GuildId b = CreateServer();
  ASSERT_TRUE(repo_.Upsert(a, b, RelationshipType::kTrust, 10));
  ASSERT_TRUE(ServerRepo(pool(), core::DefaultClock()).Remove(b));
  auto from_a = repo_.ListFrom(a);
  ASSERT_TRUE(from_a);
  EXPECT_TRUE(from_a->empty());
}

}  // namespace
}  // namespace store::pg

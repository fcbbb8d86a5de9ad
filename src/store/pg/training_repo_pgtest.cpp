#include "store/pg/training_repo.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/clock.h"
#include "store/pg/detail/session.h"
#include "store/pg/server_repo.h"
#include "store/pg/testing/pg_harness.h"

namespace store::pg {
namespace {

using namespace std::chrono_literals;
using core::ErrorCode;

class TrainingRepoTest : public testing::PgTest {
 protected:

  TrainingRepo repo_{pool()};
};

TEST_F(TrainingRepoTest, CreateThenLabel) {
  const GuildId g = CreateServer();
  const UserId u = CreateUser();
  const UserId moderator = NewUser();  // labeled_by has no foreign key
  auto created = repo_.Create({.server_id = g,
                               .user_id = u,
                               .content = "join my server discord.gg/xyz",
                               .context = R"({"channel": "general"})"});
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_FALSE(created->id.value.empty());
  EXPECT_EQ(created->server_id, g);
  EXPECT_EQ(created->user_id, u);
  EXPECT_EQ(created->content, "join my server discord.gg/xyz");
  EXPECT_EQ(created->context, R"({"channel": "general"})");
  EXPECT_FALSE(created->label.has_value());
  EXPECT_FALSE(created->labeled_at.has_value());
  EXPECT_NE(created->collected_at, Timestamp{});  // stamped by the database
  EXPECT_EQ(created->metadata, "{}");

  auto labeled = repo_.Label(created->id, TrainingLabel::kSpam, moderator, 4);
  ASSERT_TRUE(labeled) << labeled.error().ToString();
  EXPECT_EQ(labeled->id, created->id);
  EXPECT_EQ(labeled->label, TrainingLabel::kSpam);
  EXPECT_EQ(labeled->labeled_by, moderator);
  EXPECT_EQ(labeled->quality_score, 4);
  ASSERT_TRUE(labeled->labeled_at.has_value());
  EXPECT_EQ(labeled->collected_at, created->collected_at);

  // Relabelling replaces label, labeller and score.
  auto relabeled = repo_.Label(created->id, TrainingLabel::kNotSpam, std::nullopt);
  ASSERT_TRUE(relabeled) << relabeled.error().ToString();
  EXPECT_EQ(relabeled->label, TrainingLabel::kNotSpam);
  EXPECT_FALSE(relabeled->labeled_by.has_value());
  EXPECT_FALSE(relabeled->quality_score.has_value());

  auto found = repo_.Find(created->id);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->label, TrainingLabel::kNotSpam);
  EXPECT_EQ((*found)->content, created->content);
}

TEST_F(TrainingRepoTest, CreateLabelledKeepsGivenTimesAndStampsLabeledAt) {
  const GuildId g = CreateServer();
  const Timestamp collected(1'750'000'000s);
  auto created = repo_.Create({.server_id = g,
                               .label = TrainingLabel::kUncertain,
                               .collected_at = collected,
                               .quality_score = 1,
                               .metadata = R"({"source": "import"})"});
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_FALSE(created->user_id.has_value());
  EXPECT_EQ(created->label, TrainingLabel::kUncertain);
  EXPECT_TRUE(created->labeled_at.has_value());
  EXPECT_EQ(created->collected_at, collected);
  EXPECT_EQ(created->quality_score, 1);
  EXPECT_EQ(created->metadata, R"({"source": "import"})");
}

TEST_F(TrainingRepoTest, ListLabeledExportsLabelledOnlyNewestFirst) {
  const GuildId g = CreateServer();
  const GuildId other = CreateServer();
  const Timestamp t0(1'750'000'000s);
  auto make = [&](GuildId server, Timestamp at, std::optional<TrainingLabel> label) {
    auto e =
        repo_.Create({.server_id = server, .content = "x", .label = label, .collected_at = at});
    EXPECT_TRUE(e) << e.error().ToString();
    return e ? e->id : Uuid{};
  };
  const Uuid older = make(g, t0, TrainingLabel::kSpam);
  const Uuid newer = make(g, t0 + 1h, TrainingLabel::kNotSpam);
  const Uuid unlabeled = make(g, t0 + 2h, std::nullopt);
  const Uuid elsewhere = make(other, t0 + 3h, TrainingLabel::kSpam);

  auto of_g = repo_.ListLabeled(g);
  ASSERT_TRUE(of_g) << of_g.error().ToString();
  ASSERT_EQ(of_g->size(), 2u);
  EXPECT_EQ((*of_g)[0].id, newer);
  EXPECT_EQ((*of_g)[1].id, older);

  auto limited = repo_.ListLabeled(g, 1);
  ASSERT_TRUE(limited);
  ASSERT_EQ(limited->size(), 1u);
  EXPECT_EQ((*limited)[0].id, newer);

  auto all = repo_.ListLabeled(std::nullopt);
  ASSERT_TRUE(all) << all.error().ToString();
  auto has = [&](const Uuid& id) {
    return std::ranges::any_of(*all, [&](const TrainingExample& e) { return e.id == id; });
  };
  EXPECT_TRUE(has(older));
  EXPECT_TRUE(has(newer));
  EXPECT_TRUE(has(elsewhere));
  EXPECT_FALSE(has(unlabeled));
  for (const auto& e : *all) EXPECT_TRUE(e.label.has_value());
}

TEST_F(TrainingRepoTest, QualityScoreOutsideOneToFiveIsRefused) {
  const GuildId g = CreateServer();
  auto created = repo_.Create({.server_id = g, .content = "hello"});
  ASSERT_TRUE(created) << created.error().ToString();
  for (int score : {0, 6}) {
    auto labeled = repo_.Label(created->id, TrainingLabel::kSpam, NewUser(), score);
    ASSERT_FALSE(labeled) << score;
    EXPECT_EQ(labeled.error().code, ErrorCode::kConstraintViolation);
    EXPECT_EQ(labeled.error().subject, "training_data_quality_score_range");
  }
  auto create_bad = repo_.Create({.server_id = g, .quality_score = 6});
  ASSERT_FALSE(create_bad);
  EXPECT_EQ(create_bad.error().subject, "training_data_quality_score_range");

  // The refused labels left the example unlabelled.
  auto found = repo_.Find(created->id);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_FALSE((*found)->label.has_value());
  EXPECT_FALSE((*found)->quality_score.has_value());
}

TEST_F(TrainingRepoTest, UnknownOrMalformedIds) {
  const Uuid unknown{"00000000-0000-4000-8000-000000000000"};
  auto labeled = repo_.Label(unknown, TrainingLabel::kSpam, NewUser(), 3);
  ASSERT_FALSE(labeled);
  EXPECT_EQ(labeled.error().code, ErrorCode::kNotFound);
  auto found = repo_.Find(unknown);
  ASSERT_TRUE(found) << found.error().ToString();
  EXPECT_FALSE(found->has_value());
  auto malformed = repo_.Find(Uuid{"not-a-uuid"});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);

  auto no_server = repo_.Create({.server_id = NewGuild()});
  ASSERT_FALSE(no_server);
  EXPECT_EQ(no_server.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(no_server.error().subject, "training_data_server_id_fkey");
}

}  // namespace
}  // namespace store::pg

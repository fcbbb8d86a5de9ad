#include "store/pg/message_repo.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/clock.h"
#include "store/pg/detail/session.h"
#include "store/pg/server_repo.h"
#include "store/pg/testing/pg_harness.h"

namespace store::pg {
namespace {

using namespace std::chrono_literals;
using core::ErrorCode;

constexpr Statement kSetStoredAt{
    "message_repo_pgtest_set_stored_at",
    "UPDATE messages SET stored_at = $3 WHERE server_id = $1 AND message_id = $2"};

// 2001-01-01T00:00:00Z and days after it: far from any time the other tests use, so that a purge
// with a cutoff in 2001 touches only this file's old messages.
constexpr Timestamp kJan2001{978'307'200s};

class MessageRepoTest : public testing::PgTest {
 protected:
  // A server row and a user row for the messages to reference.
  std::pair<GuildId, UserId> Parents() {
    return {CreateServer(), CreateUser()};
  }
  static MessageId NewMessage() { return MessageId(NextId()); }

  MessageRepo repo_{pool()};
};

TEST_F(MessageRepoTest, StoreReturnsTheRowAndReStoringOnlyRaisesTheFlag) {
  const auto [g, u] = Parents();
  const StoredMessage m{.server_id = g,
                        .user_id = u,
                        .message_id = NewMessage(),
                        .channel_id = ChannelId(77),
                        .content = "free nitro at http://example.invalid",
                        .sent_at = Timestamp(1'750'000'000s),
                        .metadata = R"({"attachments": 0})"};
  auto stored = repo_.Store(m);
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_FALSE(stored->id.value.empty());
  EXPECT_EQ(stored->server_id, g);
  EXPECT_EQ(stored->user_id, u);
  EXPECT_EQ(stored->message_id, m.message_id);
  EXPECT_EQ(stored->channel_id, ChannelId(77));
  EXPECT_EQ(stored->content, m.content);
  EXPECT_EQ(stored->sent_at, m.sent_at);
  EXPECT_FALSE(stored->is_flagged);
  EXPECT_EQ(stored->metadata, R"({"attachments": 0})");

  // The same message again, flagged and with other content: the row stays, only the flag rises.
  StoredMessage again = m;
  again.content = "edited";
  again.is_flagged = true;
  auto flagged = repo_.Store(again);
  ASSERT_TRUE(flagged) << flagged.error().ToString();
  EXPECT_EQ(flagged->id, stored->id);
  EXPECT_EQ(flagged->content, m.content);
  EXPECT_TRUE(flagged->is_flagged);

  // Unflagged again: idempotent, the flag does not drop.
  auto same = repo_.Store(m);
  ASSERT_TRUE(same) << same.error().ToString();
  EXPECT_EQ(same->id, stored->id);
  EXPECT_TRUE(same->is_flagged);

  auto all = repo_.RecentForUser(g, u);
  ASSERT_TRUE(all) << all.error().ToString();
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(MessageRepoTest, StoreWithoutParentRowsIsAForeignKeyViolation) {
  const auto [g, u] = Parents();
  auto no_user = repo_.Store({.server_id = g, .user_id = NewUser(), .message_id = NewMessage()});
  ASSERT_FALSE(no_user);
  EXPECT_EQ(no_user.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(no_user.error().subject, "messages_user_id_fkey");
  auto no_server = repo_.Store({.server_id = NewGuild(), .user_id = u, .message_id = NewMessage()});
  ASSERT_FALSE(no_server);
  EXPECT_EQ(no_server.error().subject, "messages_server_id_fkey");
}

TEST_F(MessageRepoTest, StoreBatchIsOneStatementAndStoresEachMessageOnce) {
  const auto [g, u] = Parents();
  const StoredMessage old{
      .server_id = g, .user_id = u, .message_id = NewMessage(), .content = "already here"};
  ASSERT_TRUE(repo_.Store(old));

  const MessageId tricky = NewMessage();
  const std::vector<StoredMessage> batch{
      {.server_id = g,
       .user_id = u,
       .message_id = tricky,
       .channel_id = ChannelId(5),
       .content = R"(quote " backslash \ braces {},NULL "NULL" ')",
       .sent_at = Timestamp(1'750'000'001s),
       .metadata = R"({"k": "v \"q\""})"},
      {.server_id = g, .user_id = u, .message_id = NewMessage()},  // every optional unset
      {.server_id = g, .user_id = u, .message_id = tricky, .is_flagged = true},  // repeated
      {.server_id = g, .user_id = u, .message_id = old.message_id, .is_flagged = true},
  };
  const auto before = pool().round_trips();
  auto written = repo_.StoreBatch(batch);
  ASSERT_TRUE(written) << written.error().ToString();
  EXPECT_LE(pool().round_trips() - before, 2u);  // the statement, and its preparation at most
  EXPECT_EQ(*written, 3);                        // two inserted, the old one newly flagged

  auto t = repo_.Find(g, tricky);
  ASSERT_TRUE(t && t->has_value());
  EXPECT_EQ((*t)->content, batch[0].content);
  EXPECT_EQ((*t)->channel_id, ChannelId(5));
  EXPECT_EQ((*t)->sent_at, batch[0].sent_at);
  EXPECT_EQ((*t)->metadata, R"({"k": "v \"q\""})");
  EXPECT_TRUE((*t)->is_flagged);  // one of its copies was flagged

  auto bare = repo_.Find(g, batch[1].message_id);
  ASSERT_TRUE(bare && bare->has_value());
  EXPECT_FALSE((*bare)->content.has_value());
  EXPECT_FALSE((*bare)->channel_id.has_value());
  EXPECT_FALSE((*bare)->sent_at.has_value());
  EXPECT_EQ((*bare)->metadata, "{}");

  auto o = repo_.Find(g, old.message_id);
  ASSERT_TRUE(o && o->has_value());
  EXPECT_EQ((*o)->content, "already here");
  EXPECT_TRUE((*o)->is_flagged);

  // Re-storing the whole batch writes nothing.
  auto again = repo_.StoreBatch(batch);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(*again, 0);
  auto none = repo_.StoreBatch({});
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
}

TEST_F(MessageRepoTest, StoreBatchIsAllOrNothing) {
  const auto [g, u] = Parents();
  const std::vector<StoredMessage> batch{
      {.server_id = g, .user_id = u, .message_id = NewMessage()},
      {.server_id = g, .user_id = u, .message_id = NewMessage(), .metadata = "[]"},
  };
  auto r = repo_.StoreBatch(batch);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConstraintViolation);
  EXPECT_EQ(r.error().subject, "messages_metadata_object");
  auto found = repo_.Find(g, batch[0].message_id);
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
}

TEST_F(MessageRepoTest, RecentForUserIsNewestFirstAndLimited) {
  const auto [g, u] = Parents();
  const UserId other = CreateUser();
  const Timestamp t0(1'750'000'000s);
  for (auto offset : {2s, 0s, 3s, 1s}) {
    ASSERT_TRUE(repo_.Store(
        {.server_id = g, .user_id = u, .message_id = NewMessage(), .sent_at = t0 + offset}));
  }
  ASSERT_TRUE(repo_.Store(
      {.server_id = g, .user_id = other, .message_id = NewMessage(), .sent_at = t0 + 10s}));

  auto recent = repo_.RecentForUser(g, u, 2);
  ASSERT_TRUE(recent) << recent.error().ToString();
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].sent_at, t0 + 3s);
  EXPECT_EQ((*recent)[1].sent_at, t0 + 2s);
  for (const auto& m : *recent) EXPECT_EQ(m.user_id, u);

  auto elsewhere = repo_.RecentForUser(NewGuild(), u);
  ASSERT_TRUE(elsewhere);
  EXPECT_TRUE(elsewhere->empty());

  auto negative = repo_.RecentForUser(g, u, -1);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(MessageRepoTest, PurgeCountsAgeFromSentAtElseFromStoredAt) {
  const auto [g, u] = Parents();
  auto store = [&](std::optional<Timestamp> sent_at, std::optional<Timestamp> stored_at) {
    const MessageId id = NewMessage();
    EXPECT_TRUE(repo_.Store({.server_id = g, .user_id = u, .message_id = id, .sent_at = sent_at}));
    if (stored_at) {
      EXPECT_TRUE(pool().Run("set stored_at", [&](Session& s) {
        s.Exec(kSetStoredAt, detail::Params(g, id, *stored_at));
      }));
    }
    return id;
  };
  const MessageId sent_old = store(kJan2001, std::nullopt);
  const MessageId stored_old = store(std::nullopt, kJan2001 + std::chrono::days(31));
  const MessageId sent_recent_stored_old =
      store(kJan2001 + std::chrono::days(150), kJan2001);  // sent_at decides
  const MessageId stored_now = store(std::nullopt, std::nullopt);

  auto purged = repo_.PurgeOlderThan(kJan2001 + std::chrono::days(59));
  ASSERT_TRUE(purged) << purged.error().ToString();
  EXPECT_EQ(*purged, 2);
  auto present = [&](MessageId id) {
    auto found = repo_.Find(g, id);
    EXPECT_TRUE(found);
    return found && found->has_value();
  };
  EXPECT_FALSE(present(sent_old));
  EXPECT_FALSE(present(stored_old));
  EXPECT_TRUE(present(sent_recent_stored_old));
  EXPECT_TRUE(present(stored_now));

  auto nothing = repo_.PurgeOlderThan(kJan2001);
  ASSERT_TRUE(nothing);
  EXPECT_EQ(*nothing, 0);
}

TEST_F(MessageRepoTest, PurgeByRetentionFollowsEachServersSetting) {
  const GuildId keeps_30 = CreateServer();
  const GuildId defaults = CreateServer();
  const UserId u = CreateUser();
  ASSERT_TRUE(pool().Run("settings", [&](Session& s) {
    const Statement set{"test_set_settings",
                        "UPDATE servers SET settings = $2::jsonb WHERE guild_id = $1"};
    s.Exec(set, detail::Params(keeps_30, std::string(R"({"retention.messages_days": "30"})")));
    s.Exec(set, detail::Params(defaults, std::string(R"({"retention.messages_days": "lots"})")));
  }));
  const Timestamp now = std::chrono::time_point_cast<Timestamp::duration>(
      std::chrono::system_clock::now());
  auto store = [&](GuildId g, std::chrono::days age) {
    const MessageId id = NewMessage();
    EXPECT_TRUE(repo_.Store({.server_id = g, .user_id = u, .message_id = id, .sent_at = now - age}));
    return id;
  };
  const MessageId a10 = store(keeps_30, std::chrono::days(10));
  const MessageId a40 = store(keeps_30, std::chrono::days(40));
  const MessageId b10 = store(defaults, std::chrono::days(10));
  const MessageId b1 = store(defaults, std::chrono::days(1));
  auto purged = repo_.PurgeByRetention();
  ASSERT_TRUE(purged) << purged.error().ToString();
  EXPECT_EQ(*purged, 2);
  auto present = [&](GuildId g, MessageId id) {
    auto found = repo_.Find(g, id);
    return found && found->has_value();
  };
  EXPECT_TRUE(present(keeps_30, a10));
  EXPECT_FALSE(present(keeps_30, a40));
  EXPECT_FALSE(present(defaults, b10));  // an invalid setting means the default, 7 days
  EXPECT_TRUE(present(defaults, b1));
}

}  // namespace
}  // namespace store::pg

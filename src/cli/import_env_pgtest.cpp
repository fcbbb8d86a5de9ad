#include "cli/import_env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "core/testing/manual_clock.h"
#include "store/pg/server_repo.h"
#include "store/pg/testing/pg_harness.h"

namespace cli {
namespace {

using core::ChannelId;
using core::ErrorCode;
using core::GuildId;
using core::RoleId;
using core::UserId;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// A fake environment: never setenv in tests.
using FakeEnv = std::map<std::string, std::string>;
std::function<const char*(const char*)> LookupIn(const FakeEnv& env) {
  return [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
}

// What RunImportEnv printed.
class Captured {
 public:
  Captured() : file_(open_memstream(&data_, &size_)) {}
  ~Captured() {
    std::fclose(file_);
    std::free(data_);
  }
  std::FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(data_, size_);
  }

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::FILE* file_;
};

class ImportEnvTest : public store::pg::testing::PgTest {
 protected:
  core::Result<ImportEnvReport> Run(const ImportEnvOptions& options, const FakeEnv& env = {}) {
    return RunImportEnv(pool(), clock_, options, LookupIn(env), out_.file());
  }
  std::optional<store::Server> Stored(GuildId g) {
    auto found = store::pg::ServerRepo(pool(), clock_).Find(g);
    EXPECT_TRUE(found) << found.error().ToString();
    return found ? *found : std::nullopt;
  }
  std::string WriteFile(const std::string& content) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::filesystem::path path = std::filesystem::path(::testing::TempDir()) /
                                 (std::string("import_env_pg_") + info->name() + ".csv");
    std::ofstream(path, std::ios::binary) << content;
    files_.push_back(path);
    return path.string();
  }
  void TearDown() override {
    for (const auto& p : files_) std::filesystem::remove(p);
  }

  core::testing::ManualClock clock_;
  store::pg::ServerRepo repo_{pool(), clock_};
  Captured out_;

 private:
  std::vector<std::filesystem::path> files_;
};

TEST_F(ImportEnvTest, EnvironmentValuesGoToEachGuild) {
  const GuildId fresh = NewGuild();
  const GuildId existing = NewGuild();
  ASSERT_TRUE(repo_.Upsert(
      existing, {.admin_channel_id = ChannelId(5), .verification_channel_id = ChannelId(6)}));
  const FakeEnv env{{"RESTRICTED_ROLE_ID", "1001"}, {"ADMIN_CHANNEL_ID", " 1002\n"}};
  const UserId actor = NewUser();

  auto report = Run({.guilds = {fresh, existing}, .actor = actor}, env);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->guilds, 2);
  EXPECT_EQ(report->created, 1);
  EXPECT_EQ(report->changed, 1);
  EXPECT_EQ(report->unchanged, 0);
  EXPECT_FALSE(report->dry_run);
  const std::string f = "guild " + fresh.ToString() + ": ";
  const std::string e = "guild " + existing.ToString() + ": ";
  EXPECT_EQ(report->changes,
            (std::vector<std::string>{f + "new row", f + "restricted_role_id (unset) -> 1001",
                                      f + "admin_channel_id (unset) -> 1002",
                                      e + "restricted_role_id (unset) -> 1001",
                                      e + "admin_channel_id 5 -> 1002"}));

  auto a = Stored(fresh);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->restricted_role_id, RoleId(1001));
  EXPECT_EQ(a->admin_channel_id, ChannelId(1002));
  EXPECT_FALSE(a->verification_channel_id.has_value());
  EXPECT_EQ(a->created_by, actor);
  EXPECT_EQ(a->updated_by, actor);
  auto b = Stored(existing);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->restricted_role_id, RoleId(1001));
  EXPECT_EQ(b->admin_channel_id, ChannelId(1002));
  EXPECT_EQ(b->verification_channel_id, ChannelId(6));  // not in the environment: kept
  EXPECT_EQ(b->updated_by, actor);

  const std::string printed = out_.text();
  EXPECT_THAT(printed, HasSubstr("import-env: 2 guild(s) to check (2 from the environment)"));
  EXPECT_THAT(printed, HasSubstr("  " + e + "admin_channel_id 5 -> 1002\n"));
  EXPECT_THAT(printed, HasSubstr("2 guild(s): 1 created, 1 changed, 0 unchanged; 2 guild(s) "
                                 "written in one transaction"));
}

TEST_F(ImportEnvTest, BulkFileForThreeGuildsOneExisting) {
  const GuildId g1 = NewGuild();
  const GuildId g2 = NewGuild();
  const GuildId g3 = NewGuild();
  const UserId earlier_admin = NewUser();
  ASSERT_TRUE(repo_.Upsert(g3, {.restricted_role_id = RoleId(31),
                                .admin_channel_id = ChannelId(32),
                                .admin_notification_role_id = RoleId(34),
                                .updated_by = earlier_admin}));
  const std::string path = WriteFile(
      "# guild_id first, then the values\n"
      "guild_id,restricted_role_id,admin_channel_id,verification_channel_id,"
      "admin_notification_role_id\n" +
      g1.ToString() + ",11,12,13,14\n" + g2.ToString() + ",,22,,\n" + g3.ToString() +
      ",31,39,33,\n");

  auto report = Run({.file = path});
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->guilds, 3);
  EXPECT_EQ(report->created, 2);
  EXPECT_EQ(report->changed, 1);
  EXPECT_EQ(report->unchanged, 0);
  const std::string p3 = "guild " + g3.ToString() + ": ";
  EXPECT_THAT(report->changes, Contains(p3 + "admin_channel_id 32 -> 39"));
  EXPECT_THAT(report->changes, Contains(p3 + "verification_channel_id (unset) -> 33"));
  EXPECT_THAT(report->changes, Not(Contains(HasSubstr(p3 + "restricted_role_id"))));

  auto s1 = Stored(g1);
  ASSERT_TRUE(s1);
  EXPECT_EQ(s1->restricted_role_id, RoleId(11));
  EXPECT_EQ(s1->admin_channel_id, ChannelId(12));
  EXPECT_EQ(s1->verification_channel_id, ChannelId(13));
  EXPECT_EQ(s1->admin_notification_role_id, RoleId(14));
  EXPECT_FALSE(s1->updated_by.has_value());  // no --actor
  auto s2 = Stored(g2);
  ASSERT_TRUE(s2);
  EXPECT_FALSE(s2->restricted_role_id.has_value());
  EXPECT_EQ(s2->admin_channel_id, ChannelId(22));
  auto s3 = Stored(g3);
  ASSERT_TRUE(s3);
  EXPECT_EQ(s3->restricted_role_id, RoleId(31));
  EXPECT_EQ(s3->admin_channel_id, ChannelId(39));
  EXPECT_EQ(s3->verification_channel_id, ChannelId(33));
  EXPECT_EQ(s3->admin_notification_role_id, RoleId(34));  // empty cell: kept
  EXPECT_EQ(s3->updated_by, earlier_admin);               // no --actor: kept
  EXPECT_THAT(out_.text(), HasSubstr("(3 from " + path + ")"));
}

TEST_F(ImportEnvTest, DryRunReportsTheChangesAndWritesNothing) {
  const GuildId fresh = NewGuild();
  const GuildId existing = NewGuild();
  ASSERT_TRUE(repo_.Upsert(existing, {.admin_channel_id = ChannelId(5)}));
  auto before = Stored(existing);
  ASSERT_TRUE(before);
  const FakeEnv env{{"ADMIN_CHANNEL_ID", "7"}, {"VERIFICATION_CHANNEL_ID", "8"}};

  auto report = Run({.guilds = {fresh, existing}, .dry_run = true, .actor = NewUser()}, env);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_TRUE(report->dry_run);
  EXPECT_EQ(report->created, 1);
  EXPECT_EQ(report->changed, 1);
  EXPECT_THAT(report->changes,
              Contains("guild " + existing.ToString() + ": admin_channel_id 5 -> 7"));
  EXPECT_THAT(report->changes, Contains("guild " + fresh.ToString() + ": new row"));

  EXPECT_FALSE(Stored(fresh).has_value());
  auto after = Stored(existing);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->admin_channel_id, ChannelId(5));
  EXPECT_FALSE(after->verification_channel_id.has_value());
  EXPECT_EQ(after->updated_at, before->updated_at);
  EXPECT_EQ(after->updated_by, before->updated_by);
  EXPECT_THAT(out_.text(), HasSubstr("dry run: nothing written"));
}

TEST_F(ImportEnvTest, AFileWithOneBadLineImportsNothing) {
  const GuildId g1 = NewGuild();
  const GuildId g2 = NewGuild();
  const GuildId g3 = NewGuild();
  const std::string path = WriteFile("guild_id,admin_channel_id\n" + g1.ToString() + ",12\n" +
                                     g2.ToString() + ",#22\n" + g3.ToString() + ",32\n");
  auto report = Run({.file = path});
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(report.error().message, HasSubstr(path + ":3: admin_channel_id \"#22\""));
  for (GuildId g : {g1, g2, g3}) EXPECT_FALSE(Stored(g).has_value()) << g.ToString();
}

TEST_F(ImportEnvTest, ARerunChangesNothing) {
  const GuildId g1 = NewGuild();
  const GuildId g2 = NewGuild();
  const FakeEnv env{{"RESTRICTED_ROLE_ID", "1"},
                    {"ADMIN_CHANNEL_ID", "2"},
                    {"VERIFICATION_CHANNEL_ID", "3"},
                    {"ADMIN_NOTIFICATION_ROLE_ID", "4"}};
  const ImportEnvOptions options{.guilds = {g1, g2}, .actor = NewUser()};
  auto first = Run(options, env);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->created, 2);
  auto before = Stored(g1);
  ASSERT_TRUE(before);

  const auto trips = pool().round_trips();
  auto again = Run(options, env);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->guilds, 2);
  EXPECT_EQ(again->created, 0);
  EXPECT_EQ(again->changed, 0);
  EXPECT_EQ(again->unchanged, 2);
  EXPECT_THAT(again->changes, IsEmpty());
  EXPECT_EQ(pool().round_trips() - trips, 2u);  // the two reads; no transaction
  EXPECT_EQ(Stored(g1)->updated_at, before->updated_at);
  EXPECT_THAT(out_.text(), HasSubstr("0 created, 0 changed, 2 unchanged; nothing to write"));
}

TEST_F(ImportEnvTest, EnvironmentValuesWithoutAGuildAreAnError) {
  const FakeEnv env{{"RESTRICTED_ROLE_ID", "1"}, {"ADMIN_CHANNEL_ID", "2"}};
  auto report = Run({}, env);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(report.error().message,
              HasSubstr("RESTRICTED_ROLE_ID and ADMIN_CHANNEL_ID are set but no --guild"));

  auto one = Run({}, {{"VERIFICATION_CHANNEL_ID", "3"}});
  ASSERT_FALSE(one);
  EXPECT_THAT(one.error().message, HasSubstr("VERIFICATION_CHANNEL_ID is set but no --guild"));
}

TEST_F(ImportEnvTest, NothingToImportNamesTheVariables) {
  auto report = Run({}, {{"RESTRICTED_ROLE_ID", "  "}});
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(report.error().message,
              HasSubstr("none of RESTRICTED_ROLE_ID, ADMIN_CHANNEL_ID, VERIFICATION_CHANNEL_ID, "
                        "ADMIN_NOTIFICATION_ROLE_ID is set"));

  const GuildId g = NewGuild();
  auto guild_only = Run({.guilds = {g}});
  ASSERT_FALSE(guild_only);
  EXPECT_THAT(guild_only.error().message, HasSubstr("--guild was given but none of"));
  EXPECT_FALSE(Stored(g).has_value());
}

TEST_F(ImportEnvTest, ABadEnvironmentValueNamesTheVariable) {
  const GuildId g = NewGuild();
  auto report =
      Run({.guilds = {g}}, {{"ADMIN_CHANNEL_ID", "1"}, {"ADMIN_NOTIFICATION_ROLE_ID", "@mods"}});
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(report.error().message, HasSubstr("ADMIN_NOTIFICATION_ROLE_ID=\"@mods\""));
  EXPECT_FALSE(Stored(g).has_value());
}

TEST_F(ImportEnvTest, RulesAcrossValuesAndSourcesAreChecked) {
  const GuildId g = NewGuild();
  // The @everyone role has the guild's id.
  auto everyone = Run({.guilds = {g}}, {{"RESTRICTED_ROLE_ID", g.ToString()}});
  ASSERT_FALSE(everyone);
  EXPECT_THAT(everyone.error().message, HasSubstr("@everyone"));

  auto same_role =
      Run({.guilds = {g}}, {{"RESTRICTED_ROLE_ID", "5"}, {"ADMIN_NOTIFICATION_ROLE_ID", "5"}});
  ASSERT_FALSE(same_role);
  EXPECT_THAT(same_role.error().message, HasSubstr("are the same role"));

  const std::string path = WriteFile("guild_id,admin_channel_id\n" + g.ToString() + ",9\n");
  auto both = Run({.guilds = {g}, .file = path}, {{"ADMIN_CHANNEL_ID", "8"}});
  ASSERT_FALSE(both);
  EXPECT_THAT(both.error().message, HasSubstr("guild " + g.ToString() +
                                              " is given both by --guild and by " + path + ":2"));
  EXPECT_FALSE(Stored(g).has_value());
}

TEST_F(ImportEnvTest, WithAFileUnclaimedEnvironmentValuesAreNotedAndIgnored) {
  const GuildId g = NewGuild();
  const std::string path = WriteFile("guild_id,admin_channel_id\n" + g.ToString() + ",9\n");
  auto report = Run({.file = path}, {{"RESTRICTED_ROLE_ID", "5"}});
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_THAT(out_.text(), HasSubstr("note: RESTRICTED_ROLE_ID is set in the environment but no "
                                     "--guild was given"));
  auto s = Stored(g);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->admin_channel_id, ChannelId(9));
  EXPECT_FALSE(s->restricted_role_id.has_value());
}

}  // namespace
}  // namespace cli

// The migrator against a real server, starting from an EMPTY database (not a clone of the migrated
// template): applying every file, idempotence, refusal of a changed file, rollback of a failing
// file, concurrent runs, and LoadMigrations over folders.
#include "store/pg/migrator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <unistd.h>

#include <atomic>
#include <span>
#include <filesystem>
#include <fstream>
#include <latch>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/pg/detail/session.h"
#include "store/pg/testing/pg_harness.h"

namespace store::pg {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ServerUrl;

std::vector<std::string> FileNames(std::span<const Migration> migrations) {
  std::vector<std::string> out;
  for (const auto& m : migrations) out.push_back(m.file_name);
  return out;
}

std::vector<Migration> Embedded() {
  auto e = EmbeddedMigrations();
  return {e.begin(), e.end()};
}

// Runs `sql` on the server's maintenance database.
core::Result<void> Admin(const std::string& sql) {
  Pool admin({.url = ServerUrl("postgres"), .size = 1, .prepared_statements = false});
  return admin.Run("migrator test admin", [&](Session& s) { s.ExecScript(sql); });
}

// A fresh database with nothing in it (cloned from template0), dropped by TearDown.
class MigratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    name_ = "m_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    auto created = Admin("CREATE DATABASE " + name_ + " TEMPLATE template0");
    ASSERT_TRUE(created) << created.error().ToString();
    created_ = true;
    pool_ = std::make_unique<Pool>(PoolOptions{.url = ServerUrl(name_), .size = 2});
    sql_ = std::make_unique<Pool>(
        PoolOptions{.url = ServerUrl(name_), .size = 1, .prepared_statements = false});
    ASSERT_EQ(PublicTables(), std::vector<std::string>{}) << "the new database is not empty";
  }

  void TearDown() override {
    pool_.reset();
    sql_.reset();
    if (created_) {
      auto dropped = Admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
      EXPECT_TRUE(dropped) << dropped.error().ToString();
    }
  }

  template <class... A>
  pqxx::result Must(std::string_view sql, const A&... args) {
    auto r = sql_->Run("migrator test", [&](Session& s) {
      return s.Exec(Statement{"migrator_test_adhoc", sql}, detail::Params(args...));
    });
    if (!r) throw std::runtime_error(std::string(sql) + " -> " + r.error().ToString());
    return *r;
  }

  std::vector<std::string> PublicTables() {
    std::vector<std::string> out;
    for (const auto& row :
         Must("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")) {
      out.push_back(detail::Text(row[0]));
    }
    return out;
  }

  // schema_migrations as "version name" lines, in version order.
  std::vector<std::string> Recorded() {
    std::vector<std::string> out;
    for (const auto& row :
         Must("SELECT version || ' ' || name FROM schema_migrations ORDER BY version")) {
      out.push_back(detail::Text(row[0]));
    }
    return out;
  }

  static std::vector<std::string> Expected(std::span<const Migration> migrations) {
    std::vector<std::string> out;
    for (const auto& m : migrations) out.push_back(m.version + " " + m.file_name);
    return out;
  }

  bool TableExists(const std::string& table) {
    return detail::Bool(Must("SELECT to_regclass($1) IS NOT NULL", "public." + table)[0][0]);
  }

  std::string name_;
  bool created_ = false;
  std::unique_ptr<Pool> pool_;  // for the migrator (named prepared statements, as in production)
  std::unique_ptr<Pool> sql_;   // ad hoc queries
};

// A temporary folder, removed with its files.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "antispam-migrations-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  void Write(const std::string& name, const std::string& text) const {
    std::ofstream out(path_ / name, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + (path_ / name).string());
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST_F(MigratorTest, AppliesEveryFileInOrderOnceThenNothing) {
  const auto migrations = EmbeddedMigrations();
  ASSERT_GE(migrations.size(), 7u);
  const auto names = FileNames(migrations);
  Migrator migrator(*pool_);

  auto before = migrator.Status(migrations);
  ASSERT_TRUE(before) << before.error().ToString();
  ASSERT_EQ(before->size(), migrations.size());
  for (const auto& s : *before) EXPECT_FALSE(s.applied) << s.file_name;

  std::vector<std::string> started;
  auto first =
      migrator.Apply(migrations, [&](const Migration& m) { started.push_back(m.file_name); });
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->applied, names);
  EXPECT_EQ(first->already_applied, 0);
  EXPECT_EQ(started, names);
  EXPECT_EQ(Recorded(), Expected(migrations));
  // The checksums recorded are those of the applied texts.
  for (const auto& m : migrations) {
    EXPECT_TRUE(
        detail::Bool(Must("SELECT checksum = encode(sha256(convert_to($2, 'UTF8')), 'hex') "
                          "FROM schema_migrations WHERE version = $1",
                          m.version, m.sql)[0][0]))
        << m.file_name;
  }
  EXPECT_TRUE(TableExists("servers"));
  EXPECT_TRUE(TableExists("gpt_usage"));

  auto after = migrator.Status(migrations);
  ASSERT_TRUE(after) << after.error().ToString();
  ASSERT_EQ(after->size(), migrations.size());
  for (std::size_t i = 0; i < after->size(); ++i) {
    EXPECT_TRUE((*after)[i].applied) << (*after)[i].file_name;
    EXPECT_EQ((*after)[i].file_name, names[i]);
    EXPECT_EQ((*after)[i].version, migrations[i].version);
  }

  started.clear();
  auto second =
      migrator.Apply(migrations, [&](const Migration& m) { started.push_back(m.file_name); });
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(second->already_applied, static_cast<int>(migrations.size()));
  EXPECT_TRUE(started.empty());
  EXPECT_EQ(Recorded(), Expected(migrations));
}

TEST_F(MigratorTest, StatusOfAPartlyMigratedDatabase) {
  const auto all = Embedded();
  Migrator migrator(*pool_);
  ASSERT_TRUE(migrator.Apply(std::span(all).first(2)));
  auto status = migrator.Status(all);
  ASSERT_TRUE(status) << status.error().ToString();
  ASSERT_EQ(status->size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ((*status)[i].applied, i < 2) << all[i].file_name;
  }
  auto rest = migrator.Apply(all);
  ASSERT_TRUE(rest) << rest.error().ToString();
  EXPECT_EQ(rest->already_applied, 2);
  EXPECT_EQ(rest->applied, FileNames(std::span(all).subspan(2)));
}

TEST_F(MigratorTest, RefusesAnAppliedFileWhoseTextChanged) {
  Migrator migrator(*pool_);
  ASSERT_TRUE(migrator.Apply(EmbeddedMigrations()));
  const auto recorded = Recorded();

  auto changed = Embedded();
  ASSERT_EQ(changed.front().file_name, "20250327000000_initial_schema.sql");
  changed.front().sql += "\n-- an edit after the fact\n";
  changed.push_back(
      Migration{"99990101000000", "99990101000000_after.sql", "CREATE TABLE after_table (x int);"});

  auto r = migrator.Apply(changed);
  ASSERT_FALSE(r) << "a changed migration was accepted";
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition) << r.error().ToString();
  EXPECT_EQ(r.error().subject, "20250327000000_initial_schema.sql");
  EXPECT_THAT(r.error().message, HasSubstr("20250327000000_initial_schema.sql"));

  EXPECT_EQ(Recorded(), recorded);
  EXPECT_FALSE(TableExists("after_table"));
}

TEST_F(MigratorTest, FailingFileRollsBackAndIsNamed) {
  auto migrations = Embedded();
  migrations.push_back(Migration{"99990101000000", "99990101000000_broken.sql",
                                 "CREATE TABLE ok_table (x int); SELECT * FROM no_such_table;"});
  Migrator migrator(*pool_);

  auto r = migrator.Apply(migrations);
  ASSERT_FALSE(r) << "a broken migration was applied";
  EXPECT_THAT(r.error().message, HasSubstr("99990101000000_broken.sql"));
  EXPECT_THAT(r.error().message, HasSubstr("no_such_table"));
  EXPECT_EQ(r.error().subject, "99990101000000_broken.sql");

  // The broken file's transaction rolled back; the files before it stay applied.
  EXPECT_FALSE(TableExists("ok_table"));
  EXPECT_EQ(Must("SELECT 1 FROM schema_migrations WHERE version = '99990101000000'").size(), 0u);
  EXPECT_EQ(Recorded(), Expected(EmbeddedMigrations()));

  // The lock was released: the real files alone apply (as nothing) at once.
  auto again = migrator.Apply(EmbeddedMigrations());
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->already_applied, static_cast<int>(EmbeddedMigrations().size()));
}

TEST_F(MigratorTest, ConcurrentRunsApplyEachFileOnce) {
  const auto migrations = EmbeddedMigrations();
  // Two processes' worth: separate pools, so separate connections and sessions.
  Pool other(PoolOptions{.url = ServerUrl(name_), .size = 1});
  std::optional<core::Result<MigrationReport>> a, b;
  std::latch go(2);
  std::thread ta([&] {
    go.arrive_and_wait();
    a = Migrator(*pool_).Apply(migrations);
  });
  std::thread tb([&] {
    go.arrive_and_wait();
    b = Migrator(other).Apply(migrations);
  });
  ta.join();
  tb.join();

  ASSERT_TRUE(a && *a) << (a ? a->error().ToString() : "no result");
  ASSERT_TRUE(b && *b) << (b ? b->error().ToString() : "no result");
  const auto& ra = **a;
  const auto& rb = **b;
  const auto names = FileNames(migrations);
  const int n = static_cast<int>(migrations.size());
  // Each file is applied by exactly one of the runs (they serialise per file, so the work may be
  // split between them), and the other counts it as already applied.
  EXPECT_EQ(ra.applied.size() + rb.applied.size(), migrations.size());
  EXPECT_EQ(static_cast<int>(ra.applied.size()) + ra.already_applied, n);
  EXPECT_EQ(static_cast<int>(rb.applied.size()) + rb.already_applied, n);
  std::vector<std::string> all = ra.applied;
  all.insert(all.end(), rb.applied.begin(), rb.applied.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, names);
  EXPECT_EQ(Recorded(), Expected(migrations));
}

TEST(LoadMigrationsTest, RefusesShortVersionsAndDuplicateVersions) {
  {
    TempDir dir;
    dir.Write("9_short.sql", "SELECT 1;");  // would sort after 10_... by name
    auto r = LoadMigrations(dir.path());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().subject, "9_short.sql");
  }
  TempDir dir;
  dir.Write("20250101000000_a.sql", "SELECT 1;");
  dir.Write("20250101000000_b.sql", "SELECT 2;");
  auto r = LoadMigrations(dir.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(r.error().message, HasSubstr("share a version"));
}

TEST(LoadMigrationsTest, RefusesABadlyNamedFileNamingIt) {
  TempDir dir;
  dir.Write("20250101000000_fine.sql", "SELECT 1;");
  dir.Write("foo.sql", "SELECT 2;");
  auto r = LoadMigrations(dir.path());
  ASSERT_FALSE(r) << "foo.sql was accepted";
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().ToString();
  EXPECT_EQ(r.error().subject, "foo.sql");
  EXPECT_THAT(r.error().message, HasSubstr("foo.sql"));
}

TEST(LoadMigrationsTest, ReadsSqlFilesInNameOrder) {
  TempDir dir;
  dir.Write("20250102000000_second.sql", "CREATE TABLE b (x int);\n");
  dir.Write("20250101000000_first.sql", "CREATE TABLE a (x int);\n");
  dir.Write("20250103000000_third_one.sql", "");
  dir.Write("README.md", "not a migration");
  auto r = LoadMigrations(dir.path());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_THAT(FileNames(*r), ElementsAre("20250101000000_first.sql", "20250102000000_second.sql",
                                         "20250103000000_third_one.sql"));
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].version, "20250101000000");
  EXPECT_EQ((*r)[0].sql, "CREATE TABLE a (x int);\n");
  EXPECT_EQ((*r)[1].version, "20250102000000");
  EXPECT_EQ((*r)[1].sql, "CREATE TABLE b (x int);\n");
  EXPECT_EQ((*r)[2].sql, "");
}

TEST(LoadMigrationsTest, MissingFolderIsInvalidArgument) {
  fs::path missing;
  {
    TempDir dir;
    missing = dir.path() / "nowhere";
  }
  auto r = LoadMigrations(missing);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().ToString();
  EXPECT_THAT(r.error().message, HasSubstr("nowhere"));
}

TEST(LoadMigrationsTest, RepositoryFolderEqualsTheEmbeddedMigrations) {
  const fs::path dir =
      fs::weakly_canonical(fs::path(__FILE__).parent_path() / "../../../supabase/migrations");
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  auto loaded = LoadMigrations(dir);
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  const auto embedded = EmbeddedMigrations();
  ASSERT_EQ(FileNames(*loaded), FileNames(embedded));
  for (std::size_t i = 0; i < embedded.size(); ++i) {
    EXPECT_EQ((*loaded)[i].version, embedded[i].version);
    EXPECT_EQ((*loaded)[i].sql, embedded[i].sql) << embedded[i].file_name;
  }
}

}  // namespace
}  // namespace store::pg

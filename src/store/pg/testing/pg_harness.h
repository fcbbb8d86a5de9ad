// Test harness for *_pgtest suites: a real PostgreSQL server started from the installed binaries.
//
// Under ctest, the pg_cluster fixture (pgtest_cluster start/stop) runs one throwaway cluster for
// the whole run and names it in $ANTISPAM_TEST_PG_FILE. A test binary run by hand starts its own
// cluster on first use and stops it at exit. Either way the migrations are applied once, to a
// template database, and each suite gets a fresh clone of it (CREATE DATABASE ... TEMPLATE),
// dropped when the suite ends: suites never see each other's rows.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/id.h"
#include "store/pg/pool.h"

namespace store::pg::testing {

inline constexpr const char* kTemplateDatabase = "antispam_template";

// URL of `database` on the shared test server (started on first call if needed).
std::string ServerUrl(const std::string& database);

// A fresh migrated database; dropped (connections forced out) by the destructor.
class ScratchDatabase {
 public:
  ScratchDatabase();
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  const std::string& name() const { return name_; }
  std::string url() const { return ServerUrl(name_); }

 private:
  std::string name_;
};

// Base fixture: one scratch database per suite and a pool of 4 connections on it.
class PgTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  static Pool& pool() { return *pool_; }
  static std::string url() { return db_->url(); }

  // Fresh snowflake-shaped ids, unique within the process.
  static core::GuildId NewGuild();
  static core::UserId NewUser();
  static std::uint64_t NextId();
  // A fresh id with its row in servers / users (defaults), for tests of tables that reference
  // them. A failure to insert is a test failure.
  static core::GuildId CreateServer();
  static core::UserId CreateUser();

 private:
  static inline std::unique_ptr<ScratchDatabase> db_;
  static inline std::unique_ptr<Pool> pool_;
};

// Starts a cluster under `root` for a whole test run and prepares the template database.
// Used by pgtest_cluster and by the in-process fallback.
core::Result<std::string> StartSharedCluster(const std::string& root);
core::Result<void> StopSharedCluster(const std::string& root);

}  // namespace store::pg::testing

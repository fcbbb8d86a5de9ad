// Schema migrations: supabase/migrations/<version>_<name>.sql, applied in version order, each in
// its own transaction, recorded with a SHA-256 checksum in schema_migrations.
#pragma once

#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/pg/pool.h"

namespace store::pg {

struct Migration {
  std::string version;    // the leading digits of the file name: "20250327000000"
  std::string file_name;  // "20250327000000_initial_schema.sql"
  std::string sql;
};

// The migrations compiled into this binary (generated from supabase/migrations at build time).
std::span<const Migration> EmbeddedMigrations();

// Reads <dir>/*.sql in version order. A file not named <14-digit version>_<name>.sql (the
// Supabase CLI's timestamp form, so name order is version order), a version used twice, or an
// unreadable file is kInvalidArgument naming it.
core::Result<std::vector<Migration>> LoadMigrations(const std::filesystem::path& dir);

struct MigrationState {
  std::string version;
  std::string file_name;
  bool applied = false;
};

struct MigrationReport {
  std::vector<std::string> applied;  // file names applied by this run, in order
  int already_applied = 0;
};

class Migrator {
 public:
  explicit Migrator(Pool& pool) : pool_(pool) {}

  // Applies every pending migration. Idempotent: a second run applies nothing. Refuses, naming
  // the file, when an applied migration's text changed (kFailedPrecondition) and stops at the
  // first failing file (its error names it; earlier files stay applied). Concurrent runs from
  // several processes serialise per file on a transaction-scoped advisory lock (safe behind
  // transaction-mode poolers). `progress` is told each file as it starts.
  core::Result<MigrationReport> Apply(std::span<const Migration> migrations,
                                      const std::function<void(const Migration&)>& progress = {});

  // Which of `migrations` are applied (checksums are not compared).
  core::Result<std::vector<MigrationState>> Status(std::span<const Migration> migrations);

 private:
  Pool& pool_;
};

}  // namespace store::pg

#include "store/pg/migrator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "store/pg/detail/session.h"

namespace store::pg {
namespace {

using core::ErrorCode;
using core::Fail;
using detail::Params;

// Creates the bookkeeping table; safe to run on every start. Row-level security is on, and
// PUBLIC has no privileges; the initial migration adds the service_role policy.
constexpr std::string_view kBootstrap = R"sql(
CREATE TABLE IF NOT EXISTS public.schema_migrations (
  version TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
ALTER TABLE public.schema_migrations ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.schema_migrations FROM PUBLIC;
DO $$
BEGIN
  -- Supabase grants its API roles privileges on every new table in public by default.
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    REVOKE ALL ON TABLE public.schema_migrations FROM anon;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    REVOKE ALL ON TABLE public.schema_migrations FROM authenticated;
  END IF;
END
$$;
)sql";

// Transaction-scoped, so it cannot outlive its transaction on a pooled backend (a session lock
// taken through a transaction-mode pooler could stay held on a connection nobody owns).
constexpr Statement kLock{"migrations_lock", "SELECT pg_advisory_xact_lock(7243981265)"};
constexpr Statement kIsApplied{"migrations_is_applied",
                               "SELECT 1 FROM public.schema_migrations WHERE version = $1"};
constexpr Statement kApplied{"migrations_applied",
                             "SELECT version, name, checksum FROM public.schema_migrations"};
constexpr Statement kChecksum{"migrations_checksum",
                              "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')"};
constexpr Statement kRecord{
    "migrations_record",
    "INSERT INTO public.schema_migrations (version, name, checksum) "
    "VALUES ($1, $2, encode(sha256(convert_to($3, 'UTF8')), 'hex'))"};
constexpr Statement kTableExists{"migrations_table_exists",
                                 "SELECT to_regclass('public.schema_migrations') IS NOT NULL"};

struct Applied {
  std::string name;
  std::string checksum;
};

std::map<std::string, Applied> ReadApplied(Session& s) {
  std::map<std::string, Applied> out;
  for (const auto& row : s.Exec(kApplied)) {
    out[detail::Text(row[0])] = Applied{detail::Text(row[1]), detail::Text(row[2])};
  }
  return out;
}

}  // namespace

core::Result<std::vector<Migration>> LoadMigrations(const std::filesystem::path& dir) {
  static const std::regex kName(R"(^([0-9]{14})_[A-Za-z0-9_]+\.sql$)");
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".sql") files.push_back(entry.path());
  }
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument,
                "cannot read migrations folder " + dir.string() + ": " + ec.message());
  }
  std::sort(files.begin(), files.end());
  std::vector<Migration> out;
  for (const auto& path : files) {
    std::string name = path.filename().string();
    std::smatch m;
    if (!std::regex_match(name, m, kName)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "migration file name must be <14-digit version>_<name>.sql: " + path.string(),
                  name);
    }
    if (!out.empty() && out.back().version == m[1].str()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "migrations " + out.back().file_name + " and " + name + " share a version",
                  name);
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return Fail(ErrorCode::kInvalidArgument, "cannot read " + path.string(), name);
    }
    out.push_back(Migration{m[1].str(), name, text.str()});
  }
  return out;
}

core::Result<MigrationReport> Migrator::Apply(
    std::span<const Migration> migrations,
    const std::function<void(const Migration&)>& progress) {
  return pool_.Run("migrate", [&](Session& s) -> core::Result<MigrationReport> {
    s.InTransaction([&] {
      s.Exec(kLock);
      s.ExecScript(kBootstrap);
    });
    auto applied = ReadApplied(s);
    MigrationReport report;
    std::string newest_applied = applied.empty() ? "" : applied.rbegin()->first;
    for (const auto& m : migrations) {
      auto it = applied.find(m.version);
      if (it != applied.end()) {
        auto sum = detail::Text(s.Exec(kChecksum, Params(m.sql))[0][0]);
        if (sum != it->second.checksum) {
          return Fail(ErrorCode::kFailedPrecondition,
                      "migration " + m.file_name +
                          " was changed after it was applied (recorded checksum " +
                          it->second.checksum.substr(0, 12) + "..., file " + sum.substr(0, 12) +
                          "...); restore the applied text and put the change in a new file",
                      m.file_name);
        }
        ++report.already_applied;
        continue;
      }
      if (m.version < newest_applied) {
        spdlog::warn("migrate: {} is older than the newest applied migration {}; applying it anyway",
                     m.file_name, newest_applied);
      }
      bool applied_here = false;
      try {
        s.InTransaction([&] {
          s.Exec(kLock);  // another process may have applied it since we looked
          if (!s.Exec(kIsApplied, Params(m.version)).empty()) return;
          if (progress) progress(m);
          s.ExecScript(m.sql);
          s.Exec(kRecord, Params(m.version, m.file_name, m.sql));
          applied_here = true;
        });
      } catch (const pqxx::sql_error& e) {
        std::string msg = e.what();
        if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
        return Fail(ErrorCode::kInternal, "migration " + m.file_name + " failed: " + msg,
                    m.file_name);
      }
      if (applied_here) {
        report.applied.push_back(m.file_name);
      } else {
        ++report.already_applied;
      }
    }
    for (const auto& [version, a] : applied) {
      bool known = std::any_of(migrations.begin(), migrations.end(),
                               [&](const Migration& m) { return m.version == version; });
      if (!known) {
        spdlog::warn("migrate: the database has migration {} which this binary does not know; "
                     "is it older than the schema?", a.name);
      }
    }
    return report;
  });
}

core::Result<std::vector<MigrationState>> Migrator::Status(std::span<const Migration> migrations) {
  return pool_.Run("migrate status", [&](Session& s) {
    std::map<std::string, Applied> applied;
    if (detail::Bool(s.Exec(kTableExists)[0][0])) applied = ReadApplied(s);
    std::vector<MigrationState> out;
    for (const auto& m : migrations) {
      out.push_back(MigrationState{m.version, m.file_name, applied.contains(m.version)});
    }
    return out;
  });
}

}  // namespace store::pg

// antispam: the command-line entry point and composition root.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/database.h"
#include "app/demo.h"
#include "core/log.h"
#include "store/pg/migrator.h"

namespace {

constexpr const char* kDescription =
    "antispam: a self-hosted Discord anti-spam bot whose state lives in PostgreSQL.\n"
    "With no DATABASE_URL it runs a private PostgreSQL cluster under --data-dir.";

int Fail(const core::Error& e) {
  spdlog::error("{}", e.ToString());
  return 1;
}

// Waits for SIGINT or SIGTERM (blocked in main, so they queue here).
int WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

int Migrate(app::DatabaseConfig config, const std::string& dir, bool status_only) {
  std::vector<store::pg::Migration> from_dir;
  std::span<const store::pg::Migration> migrations = store::pg::EmbeddedMigrations();
  if (!dir.empty()) {
    auto loaded = store::pg::LoadMigrations(dir);
    if (!loaded) return Fail(loaded.error());
    from_dir = std::move(*loaded);
    migrations = from_dir;
  }
  config.migrate = false;
  auto db = app::Database::Open(config);
  if (!db) return Fail(db.error());
  store::pg::Migrator migrator((*db)->pool());
  if (status_only) {
    auto states = migrator.Status(migrations);
    if (!states) return Fail(states.error());
    for (const auto& s : *states) {
      std::printf("%-8s %s\n", s.applied ? "applied" : "pending", s.file_name.c_str());
    }
    return 0;
  }
  auto report = migrator.Apply(migrations, [](const store::pg::Migration& m) {
    std::printf("applying %s\n", m.file_name.c_str());
    std::fflush(stdout);
  });
  if (!report) return Fail(report.error());
  std::printf("%zu applied, %d already applied\n", report->applied.size(),
              report->already_applied);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // SIGINT/SIGTERM are taken with sigwait where a command waits for them; blocking them here
  // means a signal during start-up is handled after it, never leaving the database half-started.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  CLI::App cli(kDescription, "antispam");
  cli.require_subcommand(1);
  app::DatabaseConfig db;
  std::string log_level;
  std::string env = "development";
  cli.add_option("--database-url", db.url,
                 "PostgreSQL URL (libpq form; TLS per its sslmode). Empty: embedded cluster")
      ->envname("DATABASE_URL");
  cli.add_option("--data-dir", db.data_dir, "Folder of the embedded cluster (<dir>/postgres)")
      ->envname("ANTISPAM_DATA_DIR")
      ->capture_default_str();
  cli.add_option("--pool-size", db.pool_size, "Database connections at most")
      ->envname("ANTISPAM_DB_POOL_SIZE")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cli.add_option("--prepared-statements", db.prepared_statements,
                 "Use server-side prepared statements (false for PgBouncer/Supavisor "
                 "transaction mode)")
      ->envname("ANTISPAM_DB_PREPARED_STATEMENTS")
      ->capture_default_str();
  cli.add_option("--env", env, "development, test or production (sets the default log level)")
      ->envname("ANTISPAM_ENV")
      ->check(CLI::IsMember({"development", "test", "production"}))
      ->capture_default_str();
  cli.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error, critical or off (default: by --env)")
      ->envname("ANTISPAM_LOG_LEVEL");

  auto* migrate = cli.add_subcommand("migrate", "Apply pending schema migrations, idempotently");
  std::string migrations_dir;
  bool status_only = false;
  migrate->add_option("--dir", migrations_dir,
                      "Read migrations from this folder instead of the embedded ones");
  migrate->add_flag("--status", status_only, "List applied and pending migrations; change nothing");

  auto* demo = cli.add_subcommand(
      "demo", "Write a sample guild through the repositories and print a summary");
  bool stay = false;
  demo->add_flag("--stay", stay, "Keep the database running until Ctrl-C (SIGINT) or SIGTERM");

  CLI11_PARSE(cli, argc, argv);

  if (log_level.empty()) {
    log_level = env == "production" ? "info" : env == "test" ? "warn" : "debug";
  }
  if (auto r = core::SetupLogging(log_level); !r) {
    std::fprintf(stderr, "antispam: %s\n", r.error().ToString().c_str());
    return 2;
  }

  if (*migrate) return Migrate(db, migrations_dir, status_only);

  if (*demo) {
    auto opened = app::Database::Open(db);
    if (!opened) return Fail(opened.error());
    if (auto r = app::RunDemo((*opened)->pool(), stdout); !r) return Fail(r.error());
    std::fflush(stdout);
    if (stay) {
      spdlog::info("database running at {}; press Ctrl-C to stop", (*opened)->DisplayUrl());
      const int sig = WaitForSignal();
      spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    return 0;  // `opened` stops the embedded cluster on the way out
  }
  return 0;
}

// A private PostgreSQL cluster run from the installed server binaries (initdb, pg_ctl): the
// embedded default of `antispam` when no DATABASE_URL is set, and the throwaway server of the
// test harness and benchmarks.
//
// Layout under `root`: data/ (PGDATA), run/ (the unix socket; no TCP listener), initdb.log and
// postgres.log. Authentication is `trust` over the socket, whose folder only the server's user
// can enter. When the process runs as root, the server runs as the `postgres` system user,
// since PostgreSQL refuses to run as root.
//
// Not thread-safe. The destructor stops the server if this object started it and `stop_on_exit`.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace store::pg {

struct LocalClusterOptions {
  std::filesystem::path root = "var/postgres";
  // Folder with initdb and pg_ctl; empty: the newest /usr/lib/postgresql/<version>/bin.
  std::filesystem::path bin_dir;
  std::string database = "antispam";
  std::string superuser = "antispam";
  // Only names the socket file (.s.PGSQL.<port>); nothing listens on TCP.
  int port = 5432;
  // false: fsync and full_page_writes off; for throwaway test clusters only.
  bool durable = true;
  bool stop_on_exit = true;
};

class LocalCluster {
 public:
  explicit LocalCluster(LocalClusterOptions options);
  ~LocalCluster();
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  // Creates the cluster on first use (initdb), starts it unless it is already running (then it is
  // reused, and left running on exit), and creates the database if missing. Errors name the step
  // and include the end of the relevant log.
  core::Result<void> Start();
  // Stops the server (fast shutdown: clients disconnected, data flushed). No-op if not running.
  core::Result<void> Stop();

  // libpq URL of `database` (default: the configured one) over the unix socket.
  std::string Url(const std::string& database = {}) const;
  const std::filesystem::path& socket_dir() const { return socket_dir_; }
  const LocalClusterOptions& options() const { return options_; }
  bool started_here() const { return started_here_; }

 private:
  core::Result<int> RunTool(const std::string& tool, const std::vector<std::string>& args,
                            const std::filesystem::path& log) const;

  LocalClusterOptions options_;
  std::filesystem::path data_dir_;
  std::filesystem::path socket_dir_;
  std::optional<unsigned> run_as_uid_;  // set when running as root
  unsigned run_as_gid_ = 0;
  bool started_here_ = false;
  bool missing_server_user_ = false;
};

// Newest /usr/lib/postgresql/<major>/bin that has initdb, or empty.
std::filesystem::path FindPostgresBinDir();

}  // namespace store::pg

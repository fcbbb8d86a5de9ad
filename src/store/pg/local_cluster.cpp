#include "store/pg/local_cluster.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <csignal>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <functional>
#include <sstream>
#include <vector>

#include "store/pg/detail/session.h"
#include "store/pg/pool.h"

namespace store::pg {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::Fail;

// The last lines of a log, for error messages. The logs live in a folder owned by the server's
// user, so a symlink there is refused rather than followed (we may be root).
std::string Tail(const fs::path& file, std::size_t max_lines = 12) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > (1u << 20)) text.erase(0, text.size() - (1u << 16));
  }
  ::close(fd);
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > max_lines) lines.erase(lines.begin());
  }
  std::string out;
  for (const auto& l : lines) out += "\n  | " + l;
  return out;
}

// Quotes `s` for /bin/sh (pg_ctl passes -o through a shell).
std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Percent-encodes a value for a libpq URL query parameter.
std::string UrlEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// True if every folder from / down to `dir` can be entered by `uid`/`gid`.
bool Traversable(const fs::path& dir, unsigned uid, unsigned gid) {
  fs::path p;
  for (const auto& part : dir) {
    p /= part;
    struct stat st{};
    if (::stat(p.c_str(), &st) != 0) return true;  // created later by us, with the right owner
    if (st.st_uid == uid) continue;
    if (st.st_gid == gid && (st.st_mode & S_IXGRP)) continue;
    if (st.st_mode & S_IXOTH) continue;
    return false;
  }
  return true;
}

core::Result<void> MakeDir(const fs::path& dir, std::optional<unsigned> uid, unsigned gid) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot create " + dir.string() + ": " + ec.message());
  if (uid && ::chown(dir.c_str(), *uid, gid) != 0) {
    return Fail(ErrorCode::kUnavailable, "cannot hand " + dir.string() + " to uid " +
                                             std::to_string(*uid) + ": " + std::strerror(errno));
  }
  ::chmod(dir.c_str(), 0700);
  return {};
}

}  // namespace

fs::path FindPostgresBinDir() {
  std::error_code ec;
  fs::path best;
  int best_major = -1;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    int major = std::stoi(name);
    if (major > best_major && fs::exists(entry.path() / "bin" / "initdb")) {
      best_major = major;
      best = entry.path() / "bin";
    }
  }
  return best;
}

LocalCluster::LocalCluster(LocalClusterOptions options) : options_(std::move(options)) {
  std::error_code ec;
  options_.root = fs::absolute(options_.root, ec);
  data_dir_ = options_.root / "data";
  socket_dir_ = options_.root / "run";
  // The unix socket path must fit sockaddr_un.sun_path with "/.s.PGSQL.<port>" appended;
  // Start() refuses a longer one (a shared fallback folder in /tmp could be pre-empted).
  if (::geteuid() == 0) {
    // Only the dedicated postgres account: a shared one such as nobody would let unrelated
    // daemons reach the cluster's files.
    if (const passwd* pw = ::getpwnam("postgres")) {
      run_as_uid_ = pw->pw_uid;
      run_as_gid_ = pw->pw_gid;
    } else {
      run_as_uid_ = std::nullopt;
      missing_server_user_ = true;
    }
  }
}

LocalCluster::~LocalCluster() {
  if (started_here_ && options_.stop_on_exit) {
    if (auto r = Stop(); !r) spdlog::error("embedded postgres: {}", r.error().ToString());
  }
}

core::Result<int> LocalCluster::RunTool(const std::string& tool,
                                        const std::vector<std::string>& args,
                                        const fs::path& log) const {
  fs::path bin = (options_.bin_dir.empty() ? FindPostgresBinDir() : options_.bin_dir) / tool;
  if (!fs::exists(bin)) {
    return Fail(ErrorCode::kUnavailable,
                "PostgreSQL server binaries not found (looked for " + bin.string() +
                    "); install the Debian package postgresql (make deps does)");
  }
  std::vector<std::string> argv_s{bin.string()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) return Fail(ErrorCode::kUnavailable, "fork failed: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    // A session of its own: Ctrl-C in the terminal (SIGINT to the foreground process group) goes
    // to antispam, which then stops the server in order, not to the server behind its back.
    ::setsid();
    // The parent may block SIGINT/SIGTERM to handle them itself; the server must not inherit that
    // (pg_ctl stop signals it). A SIGTERM sent to antispam's process group just before setsid()
    // (`timeout`, or a service manager, signals the whole group) is pending here, blocked: setting
    // it to be ignored discards it, so the tool is not killed by a signal meant for antispam
    // (seen as "pg_ctl stop failed (exit 143)" after SIGTERM).
    ::signal(SIGTERM, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    if (run_as_uid_) {  // drop root first: everything below happens as the server's user
      if (::setgroups(0, nullptr) != 0 || ::setgid(run_as_gid_) != 0 ||
          ::setuid(*run_as_uid_) != 0) {
        ::_exit(126);
      }
    }
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    if (null_fd >= 0) ::dup2(null_fd, 0);
    if (::chdir(options_.root.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Fail(ErrorCode::kInternal, "waitpid failed");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

core::Result<void> LocalCluster::Start() {
  if (missing_server_user_) {
    return Fail(ErrorCode::kUnavailable,
                "running as root, the embedded PostgreSQL must run as the postgres system user, "
                "which does not exist; install the Debian package postgresql (make deps does)");
  }
  // pg_ctl puts the data and log paths in double quotes inside a /bin/sh command line, where
  // these characters still act: refuse them rather than let a path run commands.
  if (options_.root.string().find_first_of("\"$`\\\n") != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                "data directory " + options_.root.string() +
                    " contains a character pg_ctl cannot pass safely (\" $ ` \\ or a newline)",
                "data_dir");
  }
  const std::size_t limit = sizeof(sockaddr_un{}.sun_path) - 1 - 20;
  if (socket_dir_.string().size() > limit) {
    return Fail(ErrorCode::kInvalidArgument,
                "data directory path too long for a unix socket (" +
                    std::to_string(socket_dir_.string().size()) + " > " + std::to_string(limit) +
                    " characters for " + socket_dir_.string() + "); choose a shorter --data-dir",
                "data_dir");
  }
  if (run_as_uid_ && !Traversable(options_.root.parent_path(), *run_as_uid_, run_as_gid_)) {
    return Fail(ErrorCode::kUnavailable,
                "running as root, the embedded PostgreSQL runs as an unprivileged user, which "
                "cannot enter " + options_.root.parent_path().string() +
                    "; choose a data directory under a folder other users may traverse");
  }
  const auto& db = options_.database;
  if (db.empty() || !std::all_of(db.begin(), db.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      })) {
    return Fail(ErrorCode::kInvalidArgument,
                "database name '" + db + "' must be letters, digits and underscores", "database");
  }
  if (auto r = MakeDir(options_.root, run_as_uid_, run_as_gid_); !r) return r;
  if (auto r = MakeDir(socket_dir_, run_as_uid_, run_as_gid_); !r) return r;

  if (!fs::exists(data_dir_ / "PG_VERSION")) {
    spdlog::info("embedded postgres: creating a cluster in {}", data_dir_.string());
    const fs::path log = options_.root / "initdb.log";
    auto rc = RunTool("initdb", {"-D", data_dir_.string(), "-U", options_.superuser,
                                 "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
                                 "--no-instructions"},
                      log);
    if (!rc) return std::unexpected(rc.error());
    if (*rc != 0) {
      return Fail(ErrorCode::kUnavailable,
                  "initdb failed (exit " + std::to_string(*rc) + "), see " + log.string() +
                      Tail(log));
    }
  }

  const fs::path log = options_.root / "postgres.log";
  auto status = RunTool("pg_ctl", {"status", "-D", data_dir_.string()}, options_.root / "pg_ctl.log");
  if (!status) return std::unexpected(status.error());
  if (*status == 0) {
    spdlog::info("embedded postgres: reusing the server already running on {}", data_dir_.string());
  } else {
    std::string server_opts = "-k " + ShellQuote(socket_dir_.string()) +
                              " -c listen_addresses='' -p " +
                              std::to_string(options_.port) +
                              " -c unix_socket_permissions=0700";
    if (!options_.durable) server_opts += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off";
    auto rc = RunTool("pg_ctl", {"start", "-D", data_dir_.string(), "-w", "-t", "60", "-l",
                                 log.string(), "-o", server_opts},
                      options_.root / "pg_ctl.log");
    if (!rc) return std::unexpected(rc.error());
    if (*rc != 0) {
      return Fail(ErrorCode::kUnavailable,
                  "pg_ctl start failed (exit " + std::to_string(*rc) + "), see " + log.string() +
                      Tail(log) + Tail(options_.root / "pg_ctl.log", 4));
    }
    started_here_ = true;
    spdlog::info("embedded postgres: started (socket {})", socket_dir_.string());
  }

  // Create the database on first start.
  Pool admin({.url = Url("postgres"), .size = 1, .prepared_statements = false});
  static constexpr Statement kExists{"cluster_db_exists",
                                     "SELECT 1 FROM pg_database WHERE datname = $1"};
  auto created = admin.Run("create database", [&](Session& s) {
    if (s.Exec(kExists, detail::Params(options_.database)).empty()) {
      s.ExecScript("CREATE DATABASE \"" + options_.database + "\"");
    }
  });
  if (!created) return created;
  return {};
}

core::Result<void> LocalCluster::Stop() {
  if (!fs::exists(data_dir_ / "postmaster.pid")) {
    started_here_ = false;
    return {};
  }
  auto rc = RunTool("pg_ctl", {"stop", "-D", data_dir_.string(), "-m", "fast", "-w", "-t", "60"},
                    options_.root / "pg_ctl.log");
  if (!rc) return std::unexpected(rc.error());
  started_here_ = false;
  if (*rc != 0) {
    return Fail(ErrorCode::kUnavailable, "pg_ctl stop failed (exit " + std::to_string(*rc) +
                                             ")" + Tail(options_.root / "pg_ctl.log", 4));
  }
  spdlog::info("embedded postgres: stopped");
  return {};
}

std::string LocalCluster::Url(const std::string& database) const {
  return "postgresql:///" + (database.empty() ? options_.database : database) +
         "?host=" + UrlEncode(socket_dir_.string()) + "&port=" + std::to_string(options_.port) +
         "&user=" + options_.superuser;
}

}  // namespace store::pg

#include "store/pg/testing/pg_harness.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <spdlog/spdlog.h>

#include "store/pg/detail/session.h"
#include "store/pg/local_cluster.h"
#include "store/pg/migrator.h"
#include "store/pg/server_repo.h"
#include "store/pg/user_repo.h"

namespace store::pg::testing {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kDbPlaceholder = "%DB%";

std::string Substitute(const std::string& pattern, const std::string& database) {
  std::string out = pattern;
  out.replace(out.find(kDbPlaceholder), kDbPlaceholder.size(), database);
  return out;
}

// A cluster owned by this process, used when no ctest fixture provides one.
struct ProcessCluster {
  std::string root;
  std::string pattern;
  ~ProcessCluster() {
    if (!root.empty()) {
      (void)StopSharedCluster(root);
      std::error_code ec;
      fs::remove_all(root, ec);
    }
  }
};

const std::string& UrlPattern() {
  static std::once_flag once;
  static std::string pattern;
  // spdlog's registry must outlive `own` (whose destructor logs while stopping the server):
  // statics die in reverse order of construction, so make sure the registry exists first.
  (void)spdlog::default_logger_raw();
  static ProcessCluster own;
  std::call_once(once, [] {
    if (const char* file = std::getenv("ANTISPAM_TEST_PG_FILE")) {
      std::ifstream in(file);
      std::getline(in, pattern);
      if (pattern.find(kDbPlaceholder) == std::string::npos) {
        ADD_FAILURE() << "ANTISPAM_TEST_PG_FILE=" << file
                      << " does not name a test cluster (did pg_cluster_start run?)";
        std::abort();
      }
      return;
    }
    char tmpl[] = "/tmp/antispam-pgtest-XXXXXX";
    if (!::mkdtemp(tmpl)) std::abort();
    own.root = tmpl;
    auto started = StartSharedCluster(own.root);
    if (!started) {
      fprintf(stderr, "test cluster: %s\n", started.error().ToString().c_str());
      std::abort();
    }
    pattern = *started;
  });
  return pattern;
}

}  // namespace

std::string ServerUrl(const std::string& database) { return Substitute(UrlPattern(), database); }

core::Result<std::string> StartSharedCluster(const std::string& root) {
  LocalCluster cluster({.root = root, .database = kTemplateDatabase, .durable = false,
                        .stop_on_exit = false});
  if (auto r = cluster.Start(); !r) return std::unexpected(r.error());
  {
    Pool pool({.url = cluster.Url(), .size = 1});
    auto applied = Migrator(pool).Apply(EmbeddedMigrations());
    if (!applied) return std::unexpected(applied.error());
  }
  return cluster.Url(std::string(kDbPlaceholder));
}

core::Result<void> StopSharedCluster(const std::string& root) {
  LocalCluster cluster({.root = root, .stop_on_exit = false});
  return cluster.Stop();
}

ScratchDatabase::ScratchDatabase() {
  static std::atomic<int> counter{0};
  name_ = "t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  Pool admin({.url = ServerUrl("postgres"), .size = 1, .prepared_statements = false});
  auto r = admin.Run("create scratch database", [&](Session& s) {
    s.ExecScript("CREATE DATABASE " + name_ + " TEMPLATE " + kTemplateDatabase);
  });
  if (!r) {
    ADD_FAILURE() << r.error().ToString();
    std::abort();
  }
}

ScratchDatabase::~ScratchDatabase() {
  Pool admin({.url = ServerUrl("postgres"), .size = 1, .prepared_statements = false});
  (void)admin.Run("drop scratch database", [&](Session& s) {
    s.ExecScript("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  });
}

void PgTest::SetUpTestSuite() {
  db_ = std::make_unique<ScratchDatabase>();
  pool_ = std::make_unique<Pool>(PoolOptions{.url = db_->url(), .size = 4});
}

void PgTest::TearDownTestSuite() {
  pool_.reset();
  db_.reset();
}

std::uint64_t PgTest::NextId() {
  // Realistic 18-digit snowflakes: a fixed timestamp part plus the pid and a counter.
  static std::atomic<std::uint64_t> counter{0};
  return (std::uint64_t{1'100'000'000'000} << 22) + (std::uint64_t(::getpid()) << 20) +
         counter.fetch_add(1);
}
core::GuildId PgTest::NewGuild() { return core::GuildId(NextId()); }
core::UserId PgTest::NewUser() { return core::UserId(NextId()); }

core::GuildId PgTest::CreateServer() {
  const core::GuildId g = NewGuild();
  auto r = ServerRepo(pool(), core::DefaultClock()).Upsert(g);
  if (!r) ADD_FAILURE() << "CreateServer: " << r.error().ToString();
  return g;
}

core::UserId PgTest::CreateUser() {
  const core::UserId u = NewUser();
  auto r = UserRepo(pool()).Upsert(u);
  if (!r) ADD_FAILURE() << "CreateUser: " << r.error().ToString();
  return u;
}

}  // namespace store::pg::testing

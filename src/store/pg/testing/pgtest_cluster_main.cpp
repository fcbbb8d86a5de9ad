// pgtest_cluster start|stop <dir>: the ctest fixture around all *_pgtest suites. `start` runs a
// throwaway PostgreSQL cluster in a fresh /tmp folder, migrates the template database and writes
// <dir>/cluster.url (read by the harness through $ANTISPAM_TEST_PG_FILE) and <dir>/cluster.root.
// `stop` stops it and removes the folder. A cluster left over from an aborted run is stopped by
// the next `start`.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "store/pg/testing/pg_harness.h"

namespace fs = std::filesystem;
using store::pg::testing::StartSharedCluster;
using store::pg::testing::StopSharedCluster;

namespace {

int Stop(const fs::path& dir) {
  std::ifstream in(dir / "cluster.root");
  std::string root;
  if (!std::getline(in, root) || root.empty()) return 0;
  auto r = StopSharedCluster(root);
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::remove(dir / "cluster.root", ec);
  fs::remove(dir / "cluster.url", ec);
  if (!r) {
    std::fprintf(stderr, "pgtest_cluster stop: %s\n", r.error().ToString().c_str());
    return 1;
  }
  std::printf("test cluster stopped (%s)\n", root.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: pgtest_cluster start|stop <dir>\n");
    return 2;
  }
  const std::string verb = argv[1];
  const fs::path dir = argv[2];
  if (verb == "stop") return Stop(dir);
  if (verb != "start") {
    std::fprintf(stderr, "usage: pgtest_cluster start|stop <dir>\n");
    return 2;
  }
  (void)Stop(dir);  // a leftover from an aborted run
  fs::create_directories(dir);
  char tmpl[] = "/tmp/antispam-pgtest-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    std::perror("mkdtemp");
    return 1;
  }
  std::ofstream(dir / "cluster.root") << tmpl << "\n";
  auto url = StartSharedCluster(tmpl);
  if (!url) {
    std::fprintf(stderr, "pgtest_cluster start: %s\n", url.error().ToString().c_str());
    return 1;
  }
  std::ofstream(dir / "cluster.url") << *url << "\n";
  std::printf("test cluster running in %s\n", tmpl);
  return 0;
}

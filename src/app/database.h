// Opening the database for any subcommand: the configured DATABASE_URL, or the embedded default
// (a private cluster under the data directory, started here and stopped when this object dies).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "store/pg/local_cluster.h"
#include "store/pg/pool.h"

namespace app {

struct DatabaseConfig {
  std::string url;                         // empty: embedded default
  std::filesystem::path data_dir = "var";  // embedded cluster lives in <data_dir>/postgres
  int pool_size = 4;
  bool prepared_statements = true;
  bool migrate = true;  // apply pending migrations on open
};

class Database {
 public:
  // Starts the embedded cluster if needed, connects, and applies pending migrations.
  static core::Result<std::unique_ptr<Database>> Open(const DatabaseConfig& config);
  ~Database();

  store::pg::Pool& pool() { return *pool_; }
  bool embedded() const { return cluster_ != nullptr; }
  // The connection URL (a secret: may hold a password; never log it).
  const std::string& url() const { return url_; }
  // The URL with any password masked, for logs and summaries.
  std::string DisplayUrl() const;

 private:
  Database() = default;
  std::unique_ptr<store::pg::LocalCluster> cluster_;
  std::unique_ptr<store::pg::Pool> pool_;
  std::string url_;
};

}  // namespace app

#include "app/database.h"

#include <spdlog/spdlog.h>

#include "core/redact.h"
#include "store/pg/migrator.h"

namespace app {

core::Result<std::unique_ptr<Database>> Database::Open(const DatabaseConfig& config) {
  std::unique_ptr<Database> db(new Database());
  db->url_ = config.url;
  if (db->url_.empty()) {
    db->cluster_ = std::make_unique<store::pg::LocalCluster>(
        store::pg::LocalClusterOptions{.root = config.data_dir / "postgres"});
    if (auto r = db->cluster_->Start(); !r) return std::unexpected(r.error());
    db->url_ = db->cluster_->Url();
  }
  db->pool_ = std::make_unique<store::pg::Pool>(
      store::pg::PoolOptions{.url = db->url_,
                             .size = config.pool_size,
                             .prepared_statements = config.prepared_statements});
  if (auto r = db->pool_->Ping(); !r) return std::unexpected(r.error());
  if (config.migrate) {
    auto report = store::pg::Migrator(*db->pool_)
                      .Apply(store::pg::EmbeddedMigrations(), [](const store::pg::Migration& m) {
                        spdlog::info("migrate: applying {}", m.file_name);
                      });
    if (!report) return std::unexpected(report.error());
    if (!report->applied.empty()) {
      spdlog::info("migrate: {} applied, {} already applied", report->applied.size(),
                   report->already_applied);
    }
  }
  spdlog::info("database: {}{}", db->DisplayUrl(), db->embedded() ? " (embedded)" : "");
  return db;
}

Database::~Database() {
  pool_.reset();     // close connections before the server stops
  cluster_.reset();  // stops the embedded server if this process started it
}

std::string Database::DisplayUrl() const { return core::RedactSecrets(url_); }

}  // namespace app

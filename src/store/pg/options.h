// Options of the PostgreSQL store. Defaults are defined here, once.
#pragma once

#include <chrono>
#include <string>

namespace store::pg {

struct PoolOptions {
  // A libpq connection URL or key=value string. TLS follows its `sslmode` (libpq's rules: a
  // Supabase URL with sslmode=require connects over TLS; verify-full also checks the host name).
  std::string url;
  // Connections opened at most; each is opened on first need and reused.
  int size = 4;
  // false: never create named server-side prepared statements; every statement goes as one
  // unnamed extended-protocol message instead (for PgBouncer / Supavisor transaction mode).
  bool prepared_statements = true;
  // How long Acquire waits for a free connection before failing with kUnavailable.
  std::chrono::milliseconds acquire_timeout{5000};
  // Sent as libpq's connect_timeout when the URL does not set one.
  std::chrono::seconds connect_timeout{10};
  // Shown in pg_stat_activity.
  std::string application_name = "antispam";
};

}  // namespace store::pg

// `antispam config import-env`: moves the legacy environment configuration (bot/legacy_env.h) into
// the per-guild `servers` rows, validated, in one transaction (DESIGN §7). The environment gives
// one set of values for the guilds named by --guild; a CSV file gives values per guild (bulk).
#pragma once

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/legacy_env.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/result.h"
#include "store/pg/pool.h"

namespace cli {

struct ImportEnvOptions {
  std::vector<core::GuildId> guilds;  // the environment's values go to each of these
  std::string file;      // a CSV file of per-guild values (ParseImportFile); empty: none
  bool dry_run = false;  // report what would change; write nothing
  std::optional<core::UserId> actor;  // recorded as updated_by (created_by for new rows) when set
};

// One guild's values to import.
struct ImportEnvRow {
  core::GuildId guild;
  bot::LegacyEnv values;
  int line = 0;  // line of the file it came from; 0: from the environment (--guild)
};

struct ImportEnvReport {
  int guilds = 0;     // rows considered
  int created = 0;    // guilds with no row before
  int changed = 0;    // existing rows where at least one value differs
  int unchanged = 0;  // existing rows that already hold every value (not written)
  bool dry_run = false;
  // One line per difference, in row order: "guild 123: admin_channel_id 1 -> 2" ("(unset)" for
  // a missing value), and "guild 123: new row" before a new guild's values.
  std::vector<std::string> changes;
};

// The column names of the bulk file, in the order of kLegacyEnvNames after guild_id.
inline constexpr std::string_view kImportFileHeader =
    "guild_id,restricted_role_id,admin_channel_id,verification_channel_id,"
    "admin_notification_role_id";

// Parses the bulk file: CSV whose first line that is neither blank nor a comment is the header.
// Header: guild_id (required) and any of the four value columns, in any order, matched
// ignoring case and surrounding spaces (so the environment variable names work too); an unknown
// or repeated column is an error. Lines starting with `#` (after spaces) and blank lines are
// skipped; CRLF line ends and a UTF-8 BOM are accepted. Each other line has exactly one cell per
// column (cells trimmed; a cell may be wrapped in double quotes); an empty cell is not set. Ids
// are snowflakes other than 0.
// Errors (nothing is returned): an unreadable file (kNotFound when it does not exist); any bad
// line, the same guild on two lines (naming both), or a file with no data line:
// kInvalidArgument "PATH:LINE: <what>".
[[nodiscard]] core::Result<std::vector<ImportEnvRow>> ParseImportFile(std::string_view path);

// Builds the rows (the environment's values for each --guild, plus the file's rows), validates
// them, reads the current rows, computes the differences and, unless dry_run, writes the new and
// changed guilds with ServerRepo::UpsertMany in one transaction (all or nothing). Unset values
// never clear a stored one; unchanged guilds are not written, so a rerun changes nothing.
// Progress, the differences and a summary go to `out` (nullptr: silent). Environment values with
// a --file but no --guild are not imported (a note on `out` says so). The current rows are read
// before the transaction: the differences reported can miss a concurrent writer's change.
// Errors (kInvalidArgument, nothing written): a bad environment value or file; environment values
// with no --guild and no --file; --guild with no environment value; a guild both in --guild
// and in the file; nothing to import at all (the message names the variables looked for); a
// role id equal to its guild id (that is the @everyone role); the same role restricted and
// notified. Database errors as the store reports them (nothing written).
[[nodiscard]] core::Result<ImportEnvReport> RunImportEnv(
    store::pg::Pool& pool, const core::Clock& clock, const ImportEnvOptions& options,
    const std::function<const char*(const char*)>& lookup, std::FILE* out);

}  // namespace cli

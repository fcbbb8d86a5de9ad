#include "cli/import_env.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <unordered_map>
#include <utility>

#include "store/pg/server_repo.h"

namespace cli {
namespace {

using core::ErrorCode;
using core::Fail;

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A cell as shown in an error: cut when long, control characters replaced.
std::string Shown(std::string_view value) {
  constexpr std::size_t kMax = 40;
  std::string out;
  for (char c : value.substr(0, kMax)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  if (value.size() > kMax) out += "...";
  return out;
}

// The columns of the bulk file; the four value columns are in kLegacyEnvNames order.
enum Column { kGuildColumn, kRestrictedColumn, kAdminColumn, kVerificationColumn, kNotifyColumn };
constexpr std::array<std::string_view, 5> kColumnNames{
    "guild_id", "restricted_role_id", "admin_channel_id", "verification_channel_id",
    "admin_notification_role_id"};

// One configured value of a guild, as a column of `servers`.
struct Field {
  std::string_view column;
  std::optional<std::uint64_t> value;
};

std::array<Field, 4> FieldsOf(const bot::LegacyEnv& v) {
  auto raw = [](const auto& id) -> std::optional<std::uint64_t> {
    if (!id) return std::nullopt;
    return id->value();
  };
  return {Field{kColumnNames[kRestrictedColumn], raw(v.restricted_role)},
          Field{kColumnNames[kAdminColumn], raw(v.admin_channel)},
          Field{kColumnNames[kVerificationColumn], raw(v.verification_channel)},
          Field{kColumnNames[kNotifyColumn], raw(v.notification_role)}};
}

std::array<Field, 4> FieldsOf(const store::Server& s) {
  return FieldsOf(bot::LegacyEnv{.restricted_role = s.restricted_role_id,
                                 .admin_channel = s.admin_channel_id,
                                 .verification_channel = s.verification_channel_id,
                                 .notification_role = s.admin_notification_role_id});
}

std::string Shown(const std::optional<std::uint64_t>& v) {
  return v ? std::to_string(*v) : std::string("(unset)");
}

// Parses one id cell (non-empty); `column` names it in the error.
template <class IdT>
core::Result<IdT> ParseId(std::string_view cell, std::string_view column, std::string_view kind) {
  auto id = IdT::Parse(cell);
  if (!id || id->value() == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{} \"{}\" is not a {} (1-20 decimal digits, not 0)", column,
                            Shown(cell), kind),
                std::string(column));
  }
  return *id;
}

// Reads a whole file; kNotFound when it does not exist.
core::Result<std::string> ReadFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    return Fail(err == ENOENT   ? ErrorCode::kNotFound
                : err == EACCES ? ErrorCode::kPermissionDenied
                                : ErrorCode::kInvalidArgument,
                fmt::format("cannot open {}: {}", path, std::strerror(err)), path);
  }
  std::string content;
  char buffer[8192];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) content.append(buffer, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("cannot read {}: {}", path, std::strerror(err)), path);
  }
  return content;
}

std::vector<std::string_view> SplitCells(std::string_view line) {
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    std::string_view cell = Trim(line.substr(start, comma - start));
    if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') {
      cell = Trim(cell.substr(1, cell.size() - 2));
    }
    cells.push_back(cell);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return cells;
}

void Say(std::FILE* out, const std::string& line) {
  if (out == nullptr) return;
  std::fputs(line.c_str(), out);
  std::fputc('\n', out);
  std::fflush(out);
}

// "RESTRICTED_ROLE_ID and ADMIN_CHANNEL_ID are" / "RESTRICTED_ROLE_ID is".
std::string SetVariables(const bot::LegacyEnv& env) {
  std::vector<std::string_view> set;
  const auto fields = FieldsOf(env);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].value) set.push_back(bot::kLegacyEnvNames[i]);
  }
  std::string text;
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (i > 0) text += (i + 1 == set.size()) ? " and " : ", ";
    text += set[i];
  }
  return text + (set.size() == 1 ? " is" : " are");
}

std::string AllVariables() {
  std::string text;
  for (std::size_t i = 0; i < bot::kLegacyEnvNames.size(); ++i) {
    if (i > 0) text += ", ";
    text += bot::kLegacyEnvNames[i];
  }
  return text;
}

// Where a row came from, for messages: "--guild 123" or "PATH:LINE".
std::string Origin(const ImportEnvRow& row, std::string_view file) {
  if (row.line == 0) return "--guild " + row.guild.ToString();
  return fmt::format("{}:{}", file, row.line);
}

// Rules the types cannot express. A role id equal to the guild id is the @everyone role:
// restricting it restricts everyone, notifying it pings everyone.
core::Result<void> Validate(const ImportEnvRow& row, std::string_view file) {
  const auto& v = row.values;
  auto fail = [&](const std::string& what) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: guild {}: {}", Origin(row, file), row.guild.ToString(), what));
  };
  if (v.restricted_role && v.restricted_role->value() == row.guild.value()) {
    return fail("restricted_role_id is the guild's @everyone role (its id is the guild id)");
  }
  if (v.notification_role && v.notification_role->value() == row.guild.value()) {
    return fail(
        "admin_notification_role_id is the guild's @everyone role (its id is the guild id)");
  }
  if (v.restricted_role && v.notification_role && *v.restricted_role == *v.notification_role) {
    return fail("restricted_role_id and admin_notification_role_id are the same role");
  }
  return {};
}

}  // namespace

core::Result<std::vector<ImportEnvRow>> ParseImportFile(std::string_view path_view) {
  const std::string path(path_view);
  auto content = ReadFile(path);
  if (!content) return std::unexpected(content.error());
  std::string_view text = *content;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM

  auto fail = [&](int line, const std::string& what) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("{}:{}: {}", path, line, what), path);
  };

  std::vector<int> columns;  // Column of each cell; empty until the header is read
  int header_line = 0;
  std::vector<ImportEnvRow> rows;
  std::unordered_map<core::GuildId, int> line_of;
  int number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = text.find('\n', pos);
    const std::string_view raw = text.substr(pos, end - pos);
    pos = (end == std::string_view::npos) ? text.size() : end + 1;
    ++number;
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const auto cells = SplitCells(line);

    if (columns.empty()) {  // the header
      header_line = number;
      std::set<int> seen;
      for (std::string_view cell : cells) {
        const std::string name = Lower(cell);
        int column = -1;
        for (std::size_t c = 0; c < kColumnNames.size(); ++c) {
          if (name == kColumnNames[c]) column = static_cast<int>(c);
        }
        if (column < 0) {
          return fail(number, fmt::format("unknown column \"{}\" (the columns are {})", Shown(cell),
                                          kImportFileHeader));
        }
        if (!seen.insert(column).second) {
          return fail(number, fmt::format("column {} appears twice", kColumnNames[column]));
        }
        columns.push_back(column);
      }
      if (!seen.contains(kGuildColumn)) {
        return fail(number, fmt::format("the header has no guild_id column (expected {})",
                                        kImportFileHeader));
      }
      continue;
    }

    if (cells.size() != columns.size()) {
      return fail(number, fmt::format("{} cells, but the header (line {}) has {} columns",
                                      cells.size(), header_line, columns.size()));
    }
    ImportEnvRow row{.line = number};
    bool has_guild = false;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string_view cell = cells[i];
      const std::string_view name = kColumnNames[columns[i]];
      if (cell.empty()) continue;
      core::Result<void> parsed;
      auto take = [&](auto id, auto& into) {
        if (!id) {
          parsed = std::unexpected(id.error());
        } else {
          into = *id;
        }
      };
      switch (columns[i]) {
        case kGuildColumn:
          take(ParseId<core::GuildId>(cell, name, "guild id"), row.guild);
          has_guild = parsed.has_value();
          break;
        case kRestrictedColumn:
          take(ParseId<core::RoleId>(cell, name, "role id"), row.values.restricted_role);
          break;
        case kAdminColumn:
          take(ParseId<core::ChannelId>(cell, name, "channel id"), row.values.admin_channel);
          break;
        case kVerificationColumn:
          take(ParseId<core::ChannelId>(cell, name, "channel id"), row.values.verification_channel);
          break;
        case kNotifyColumn:
          take(ParseId<core::RoleId>(cell, name, "role id"), row.values.notification_role);
          break;
      }
      if (!parsed) return fail(number, parsed.error().message);
    }
    if (!has_guild) return fail(number, "guild_id is empty");
    if (auto [it, fresh] = line_of.emplace(row.guild, number); !fresh) {
      return fail(number,
                  fmt::format("guild {} is also on line {}", row.guild.ToString(), it->second));
    }
    rows.push_back(row);
  }
  if (columns.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: no header line (expected {})", path, kImportFileHeader), path);
  }
  if (rows.empty()) {
    return fail(header_line, "no guild rows after the header");
  }
  return rows;
}

core::Result<ImportEnvReport> RunImportEnv(store::pg::Pool& pool, const core::Clock& clock,
                                           const ImportEnvOptions& options,
                                           const std::function<const char*(const char*)>& lookup,
                                           std::FILE* out) {
  const auto started = clock.Steady();
  auto env = bot::ReadLegacyEnv(lookup);
  if (!env) return std::unexpected(env.error());
  const bool have_file = !options.file.empty();

  if (options.guilds.empty() && !have_file) {
    if (env->empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("nothing to import: none of {} is set in the environment, and no "
                              "--file was given",
                              AllVariables()));
    }
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{} set but no --guild was given: name the guild(s) these values "
                            "belong to with --guild ID (repeatable), or give per-guild values "
                            "with --file",
                            SetVariables(*env)));
  }
  if (!options.guilds.empty() && env->empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("--guild was given but none of {} is set in the environment: there "
                            "is nothing to import for it",
                            AllVariables()));
  }

  std::vector<ImportEnvRow> rows;
  std::unordered_map<core::GuildId, bool> from_env;
  for (core::GuildId guild : options.guilds) {
    if (guild.value() == 0) {
      return Fail(ErrorCode::kInvalidArgument, "--guild 0 is not a guild id");
    }
    if (from_env.emplace(guild, true).second) rows.push_back({.guild = guild, .values = *env});
  }
  const int env_rows = static_cast<int>(rows.size());
  if (have_file) {
    auto parsed = ParseImportFile(options.file);
    if (!parsed) return std::unexpected(parsed.error());
    for (auto& row : *parsed) {
      if (from_env.contains(row.guild)) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("guild {} is given both by --guild and by {}:{}",
                                row.guild.ToString(), options.file, row.line));
      }
      rows.push_back(std::move(row));
    }
    if (options.guilds.empty() && !env->empty()) {
      Say(out, fmt::format("import-env: note: {} set in the environment but no --guild was "
                           "given; only {} is imported",
                           SetVariables(*env), options.file));
    }
  }
  for (const auto& row : rows) {
    if (auto valid = Validate(row, options.file); !valid) return std::unexpected(valid.error());
  }

  std::string sources;
  if (env_rows > 0) sources = fmt::format("{} from the environment", env_rows);
  if (have_file) {
    if (!sources.empty()) sources += ", ";
    sources += fmt::format("{} from {}", rows.size() - env_rows, options.file);
  }
  Say(out, fmt::format("import-env: {} guild(s) to check ({})", rows.size(), sources));

  ImportEnvReport report{.guilds = static_cast<int>(rows.size()), .dry_run = options.dry_run};
  std::vector<std::pair<core::GuildId, store::pg::ServerPatch>> writes;
  store::pg::ServerRepo repo(pool, clock);
  for (const auto& row : rows) {
    auto current = repo.Find(row.guild);
    if (!current) return std::unexpected(current.error());
    const std::string prefix = "guild " + row.guild.ToString() + ": ";
    const auto wanted = FieldsOf(row.values);
    std::array<Field, 4> stored{};
    if (current->has_value()) {
      stored = FieldsOf(**current);
    } else {
      for (std::size_t i = 0; i < stored.size(); ++i) stored[i].column = wanted[i].column;
      ++report.created;
      report.changes.push_back(prefix + "new row");
    }
    // Only the set values that differ are written: an unset one never clears a stored value.
    std::array<bool, 4> differs{};
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      if (!wanted[i].value || wanted[i].value == stored[i].value) continue;
      differs[i] = true;
      report.changes.push_back(fmt::format("{}{} {} -> {}", prefix, wanted[i].column,
                                           Shown(stored[i].value), Shown(wanted[i].value)));
    }
    const bool any = differs[0] || differs[1] || differs[2] || differs[3];
    if (current->has_value()) ++(any ? report.changed : report.unchanged);
    if (current->has_value() && !any) continue;
    const auto& v = row.values;
    store::pg::ServerPatch patch{.updated_by = options.actor};
    if (differs[0]) patch.restricted_role_id = v.restricted_role;
    if (differs[1]) patch.admin_channel_id = v.admin_channel;
    if (differs[2]) patch.verification_channel_id = v.verification_channel;
    if (differs[3]) patch.admin_notification_role_id = v.notification_role;
    writes.emplace_back(row.guild, patch);
  }
  for (const auto& change : report.changes) Say(out, "  " + change);

  std::string outcome;
  if (options.dry_run) {
    outcome = "dry run: nothing written";
  } else if (writes.empty()) {
    outcome = "nothing to write";
  } else {
    auto written = repo.UpsertMany(writes);
    if (!written) return std::unexpected(written.error());
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock.Steady() - started);
    outcome =
        fmt::format("{} guild(s) written in one transaction ({} ms)", written->size(), ms.count());
  }
  Say(out, fmt::format("import-env: {} guild(s): {} created, {} changed, {} unchanged; {}",
                       report.guilds, report.created, report.changed, report.unchanged, outcome));
  return report;
}

}  // namespace cli

// The process configuration file (`--config FILE` or ANTISPAM_CONFIG): TOML whose keys are the
// long option names of the command line, top-level for the global options and in a [command]
// section for a command's own (`[run]`, `[demo]`, ...):
//
//   database-url = "postgresql://antispam@db.internal/antispam"
//   log-level = "info"
//   [run]
//   config-source = "db-only"
//   shards = "0-3"
//
// Precedence: the command line, then the environment, then the file, then the built-in default.
// Unknown sections and keys, and values an option refuses, are errors naming the key: a typo in a
// configuration file must not go unnoticed.
#pragma once

#include <string>

#include "core/result.h"

namespace CLI {
class App;
}

namespace app {

// Applies `path` to the options of `cli` (already parsed: command line and environment) that are
// still unset. kNotFound for a missing file, kInvalidArgument for bad TOML, an unknown key or a
// refused value.
core::Result<void> ApplyConfigFile(CLI::App& cli, const std::string& path);

}  // namespace app

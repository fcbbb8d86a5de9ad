#include "app/config_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace app {
namespace {

using ::testing::HasSubstr;

// A small command line shaped like antispam's: global options, a command with its own.
struct Cli {
  CLI::App app{"test"};
  std::string database_url = "default-url";
  std::string log_level;
  CLI::App* run = nullptr;
  std::string token;
  int db_threads = 4;
  bool dry_run = false;
  Cli() {
    app.add_option("--database-url", database_url)->envname("ANTISPAM_TEST_CFG_DB");
    app.add_option("--log-level", log_level);
    run = app.add_subcommand("run");
    run->add_option("--discord-token", token)->envname("ANTISPAM_TEST_CFG_TOKEN");
    run->add_option("--db-threads", db_threads)->check(CLI::Range(1, 64));
    run->add_flag("--dry-run", dry_run);
  }
  void Parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());  // CLI11 takes them reversed
    app.parse(args);
  }
};

// A configuration file for one test, removed after it.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    static int n = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("antispam-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n) +
              ".toml"))
                .string();
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  operator const std::string&() const { return path_; }

 private:
  std::string path_;
};

TempFile Write(const std::string& text) { return TempFile(text); }

TEST(ConfigFileTest, FillsWhatTheCommandLineAndTheEnvironmentLeftUnset) {
  Cli cli;
  ::setenv("ANTISPAM_TEST_CFG_TOKEN", "from-env", 1);
  cli.Parse({"--log-level", "warn", "run"});
  ::unsetenv("ANTISPAM_TEST_CFG_TOKEN");
  const TempFile path(
      "database-url = \"from-file\"\nlog-level = \"debug\"\n[run]\ndiscord-token = \"file\"\n"
      "db_threads = 9\ndry-run = true\n");
  auto r = ApplyConfigFile(cli.app, path);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(cli.database_url, "from-file");  // only the file set it
  EXPECT_EQ(cli.log_level, "warn");          // the command line wins
  EXPECT_EQ(cli.token, "from-env");          // the environment wins
  EXPECT_EQ(cli.db_threads, 9);              // underscores work as dashes
  EXPECT_TRUE(cli.dry_run);
}

TEST(ConfigFileTest, UnknownKeysAndSectionsAreErrorsNamingThem) {
  {
    Cli cli;
    cli.Parse({"run"});
    auto r = ApplyConfigFile(cli.app, Write("databse-url = \"x\"\n"));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_THAT(r.error().message, HasSubstr("unknown setting databse-url"));
  }
  {
    Cli cli;
    cli.Parse({"run"});
    auto r = ApplyConfigFile(cli.app, Write("[runn]\ndb-threads = 2\n"));
    ASSERT_FALSE(r.has_value());
    EXPECT_THAT(r.error().message, HasSubstr("unknown section [runn]"));
  }
  {
    Cli cli;
    cli.Parse({"run"});
    auto r = ApplyConfigFile(cli.app, Write("[run]\ndatabase-url = \"x\"\n"));
    ASSERT_FALSE(r.has_value()) << "a global option is not a [run] key";
    EXPECT_THAT(r.error().message, HasSubstr("[run] database-url"));
  }
}

TEST(ConfigFileTest, ValuesAreCheckedLikeTheCommandLine) {
  Cli cli;
  cli.Parse({"run"});
  auto r = ApplyConfigFile(cli.app, Write("[run]\ndb-threads = 100\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_THAT(r.error().message, HasSubstr("[run] db-threads"));
  Cli other;
  other.Parse({"run"});
  auto text = ApplyConfigFile(other.app, Write("[run]\ndb-threads = \"many\"\n"));
  ASSERT_FALSE(text.has_value());
}

TEST(ConfigFileTest, AMissingFileIsNotFound) {
  Cli cli;
  cli.Parse({"run"});
  auto r = ApplyConfigFile(cli.app, "/nonexistent/antispam.toml");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, core::ErrorCode::kNotFound);
  EXPECT_THAT(r.error().message, HasSubstr("/nonexistent/antispam.toml"));
}

}  // namespace
}  // namespace app

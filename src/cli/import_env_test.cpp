#include "cli/import_env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class ParseImportFileTest : public ::testing::Test {
 protected:
  // Writes `content` to a fresh file and returns its path.
  std::string Write(const std::string& content) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::filesystem::path path = std::filesystem::path(::testing::TempDir()) /
                                 (std::string("import_env_") + info->name() + ".csv");
    std::ofstream(path, std::ios::binary) << content;
    written_.push_back(path);
    return path.string();
  }
  void TearDown() override {
    for (const auto& p : written_) std::filesystem::remove(p);
  }

 private:
  std::vector<std::filesystem::path> written_;
};

TEST_F(ParseImportFileTest, ReadsTheCanonicalHeaderWithEmptyCellsUnset) {
  const std::string path = Write(
      "guild_id,restricted_role_id,admin_channel_id,verification_channel_id,"
      "admin_notification_role_id\n"
      "100,11,12,13,14\n"
      "200,,22,,\n");
  auto rows = ParseImportFile(path);
  ASSERT_TRUE(rows) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 2u);
  const ImportEnvRow& a = (*rows)[0];
  EXPECT_EQ(a.guild, core::GuildId(100));
  EXPECT_EQ(a.line, 2);
  EXPECT_EQ(a.values.restricted_role, core::RoleId(11));
  EXPECT_EQ(a.values.admin_channel, core::ChannelId(12));
  EXPECT_EQ(a.values.verification_channel, core::ChannelId(13));
  EXPECT_EQ(a.values.notification_role, core::RoleId(14));
  const ImportEnvRow& b = (*rows)[1];
  EXPECT_EQ(b.guild, core::GuildId(200));
  EXPECT_EQ(b.line, 3);
  EXPECT_FALSE(b.values.restricted_role.has_value());
  EXPECT_EQ(b.values.admin_channel, core::ChannelId(22));
  EXPECT_FALSE(b.values.verification_channel.has_value());
  EXPECT_FALSE(b.values.notification_role.has_value());
}

TEST_F(ParseImportFileTest, HeaderColumnsInAnyOrderAnyCaseAndASubset) {
  // The environment variable names work as column names; spaces, CRLF, a BOM and quotes are fine.
  const std::string path = Write(
      "\xEF\xBB\xBF ADMIN_CHANNEL_ID , Guild_Id\r\n"
      "\"12\",\"100\"\r\n"
      " 22 , 200 \r\n");
  auto rows = ParseImportFile(path);
  ASSERT_TRUE(rows) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].guild, core::GuildId(100));
  EXPECT_EQ((*rows)[0].values.admin_channel, core::ChannelId(12));
  EXPECT_FALSE((*rows)[0].values.restricted_role.has_value());
  EXPECT_EQ((*rows)[1].guild, core::GuildId(200));
  EXPECT_EQ((*rows)[1].values.admin_channel, core::ChannelId(22));
}

TEST_F(ParseImportFileTest, CommentsAndBlankLinesAreSkippedAndLinesCounted) {
  const std::string path = Write(
      "# exported from the old bot\n"
      "\n"
      "guild_id,restricted_role_id\n"
      "   # a comment after spaces\n"
      "100,11\n"
      "\t\n"
      "200,21");  // no final newline
  auto rows = ParseImportFile(path);
  ASSERT_TRUE(rows) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].line, 5);
  EXPECT_EQ((*rows)[1].line, 7);
  EXPECT_EQ((*rows)[1].values.restricted_role, core::RoleId(21));
}

TEST_F(ParseImportFileTest, ABadSnowflakeNamesFileLineAndColumn) {
  const std::string path = Write(
      "guild_id,admin_channel_id,restricted_role_id\n"
      "100,12,11\n"
      "# fine so far\n"
      "200,22,role-21\n"
      "300,32,31\n");
  auto rows = ParseImportFile(path);
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_THAT(rows.error().message, StartsWith(path + ":4: restricted_role_id \"role-21\""));
  EXPECT_THAT(rows.error().message, HasSubstr("role id"));
}

TEST_F(ParseImportFileTest, ZeroAnEmptyGuildAndABadGuildAreRefused) {
  auto zero = ParseImportFile(Write("guild_id,admin_channel_id\n100,0\n"));
  ASSERT_FALSE(zero);
  EXPECT_THAT(zero.error().message, HasSubstr(":2: admin_channel_id \"0\""));

  auto no_guild = ParseImportFile(Write("guild_id,admin_channel_id\n,12\n"));
  ASSERT_FALSE(no_guild);
  EXPECT_THAT(no_guild.error().message, HasSubstr(":2: guild_id is empty"));

  auto bad_guild = ParseImportFile(Write("guild_id\n99999999999999999999\n"));
  ASSERT_FALSE(bad_guild);
  EXPECT_THAT(bad_guild.error().message, HasSubstr(":2: guild_id \"99999999999999999999\""));
}

TEST_F(ParseImportFileTest, TheSameGuildTwiceNamesBothLines) {
  const std::string path = Write(
      "guild_id,admin_channel_id\n"
      "100,12\n"
      "200,22\n"
      "100,13\n");
  auto rows = ParseImportFile(path);
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(rows.error().message, path + ":4: guild 100 is also on line 2");
}

TEST_F(ParseImportFileTest, UnknownRepeatedOrMissingColumnsAreErrors) {
  auto unknown = ParseImportFile(Write("guild_id,admin_channel,restricted_role_id\n1,2,3\n"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_THAT(unknown.error().message, HasSubstr(":1: unknown column \"admin_channel\""));
  EXPECT_THAT(unknown.error().message, HasSubstr(kImportFileHeader));

  auto twice =
      ParseImportFile(Write("# header next\nguild_id,admin_channel_id,ADMIN_CHANNEL_ID\n"));
  ASSERT_FALSE(twice);
  EXPECT_THAT(twice.error().message, HasSubstr(":2: column admin_channel_id appears twice"));

  auto no_guild = ParseImportFile(Write("admin_channel_id,restricted_role_id\n1,2\n"));
  ASSERT_FALSE(no_guild);
  EXPECT_THAT(no_guild.error().message, HasSubstr(":1: the header has no guild_id column"));
}

TEST_F(ParseImportFileTest, WrongCellCountIsAnError) {
  auto rows = ParseImportFile(Write("guild_id,admin_channel_id\n100,12\n200,22,33\n"));
  ASSERT_FALSE(rows);
  EXPECT_THAT(rows.error().message,
              HasSubstr(":3: 3 cells, but the header (line 1) has 2 columns"));
}

TEST_F(ParseImportFileTest, EmptyFilesAndHeaderOnlyAreErrors) {
  auto empty = ParseImportFile(Write("# nothing\n\n"));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_THAT(empty.error().message, HasSubstr("no header line"));

  auto header_only = ParseImportFile(Write("guild_id,admin_channel_id\n# none yet\n"));
  ASSERT_FALSE(header_only);
  EXPECT_THAT(header_only.error().message, HasSubstr(":1: no guild rows"));
}

TEST_F(ParseImportFileTest, AMissingFileIsNotFound) {
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / "import_env_no_such_file.csv").string();
  auto rows = ParseImportFile(path);
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, core::ErrorCode::kNotFound);
  EXPECT_THAT(rows.error().message, HasSubstr(path));
}

}  // namespace
}  // namespace cli

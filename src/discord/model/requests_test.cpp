#include "discord/model/requests.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "discord/model/timestamp.h"

namespace discord {
namespace {

nlohmann::json Parse(const core::Result<std::string>& body) {
  EXPECT_TRUE(body.has_value()) << body.error().message;
  return body ? nlohmann::json::parse(*body) : nlohmann::json();
}

std::string ErrorOf(const core::Result<std::string>& r) {
  EXPECT_FALSE(r.has_value()) << *r;
  return r ? std::string() : r.error().message;
}

TEST(RequestsTest, ModifyMemberTimeoutsNicksAndRoles) {
  const auto until = ParseTimestamp("2026-08-06T10:20:05.123456+00:00").value();
  EXPECT_EQ(
      Parse(EncodeModifyMember({.communication_disabled_until = until})),
      nlohmann::json::parse(R"({"communication_disabled_until":"2026-08-06T10:20:05.123Z"})"));
  EXPECT_EQ(Parse(EncodeModifyMember({.communication_disabled_until = Clear{}})),
            nlohmann::json::parse(R"({"communication_disabled_until":null})"));
  EXPECT_EQ(Parse(EncodeModifyMember(
                {.nick = std::string("renamed"), .roles = std::vector{core::RoleId(7)}})),
            nlohmann::json::parse(R"({"nick":"renamed","roles":["7"]})"));
  EXPECT_EQ(Parse(EncodeModifyMember({.nick = Clear{}, .roles = std::vector<core::RoleId>{}})),
            nlohmann::json::parse(R"({"nick":null,"roles":[]})"));
  EXPECT_EQ(ErrorOf(EncodeModifyMember({})), "the member update changes nothing");
  EXPECT_EQ(ErrorOf(EncodeModifyMember({.nick = std::string(33, 'n')})),
            "nick is 33 characters (at most 32)");
}

TEST(RequestsTest, BansAndBulkDeletes) {
  EXPECT_EQ(Parse(EncodeCreateBan({})), nlohmann::json::parse(R"({"delete_message_seconds":0})"));
  EXPECT_EQ(Parse(EncodeCreateBan({std::chrono::days(7)})),
            nlohmann::json::parse(R"({"delete_message_seconds":604800})"));
  EXPECT_EQ(ErrorOf(EncodeCreateBan({std::chrono::seconds(604801)})),
            "delete_message_seconds is 604801 (allowed 0..604800)");
  EXPECT_EQ(ErrorOf(EncodeCreateBan({std::chrono::seconds(-1)})),
            "delete_message_seconds is -1 (allowed 0..604800)");

  EXPECT_EQ(Parse(EncodeBulkDelete({{core::MessageId(1), core::MessageId(2)}})),
            nlohmann::json::parse(R"({"messages":["1","2"]})"));
  EXPECT_EQ(ErrorOf(EncodeBulkDelete({{core::MessageId(1)}})),
            "bulk delete takes 2 to 100 messages, not 1");
  EXPECT_EQ(ErrorOf(EncodeBulkDelete({std::vector<core::MessageId>(101, core::MessageId(1))})),
            "bulk delete takes 2 to 100 messages, not 101");
  EXPECT_EQ(ErrorOf(EncodeBulkDelete({{core::MessageId(1), core::MessageId(1)}})),
            "bulk delete lists message 1 twice");
}

TEST(RequestsTest, Threads) {
  EXPECT_EQ(Parse(EncodeStartThread(
                {.name = "case-42", .auto_archive_duration = 1440, .invitable = false})),
            nlohmann::json::parse(
                R"({"name":"case-42","type":12,"auto_archive_duration":1440,"invitable":false})"));
  EXPECT_EQ(Parse(EncodeStartThreadFromMessage(
                {.name = "discussion", .invitable = false, .rate_limit_per_user = 10})),
            nlohmann::json::parse(R"({"name":"discussion","rate_limit_per_user":10})"));
  EXPECT_EQ(ErrorOf(EncodeStartThread({.name = ""})), "name is empty");
  EXPECT_EQ(ErrorOf(EncodeStartThread({.name = std::string(101, 'n')})),
            "name is 101 characters (at most 100)");
  EXPECT_EQ(ErrorOf(EncodeStartThread({.name = "x", .auto_archive_duration = 30})),
            "auto_archive_duration 30 is not 60, 1440, 4320 or 10080");
  EXPECT_EQ(ErrorOf(EncodeStartThread({.name = "x", .type = ChannelType::kGuildText})),
            "thread type 0 is not 10, 11 or 12");
  EXPECT_EQ(ErrorOf(EncodeStartThreadFromMessage({.name = "x", .rate_limit_per_user = 21601})),
            "rate_limit_per_user is 21601 (allowed 0..21600)");
}

TEST(RequestsTest, ChannelsAndOverwrites) {
  const Overwrite lock{1390000000000000000, Overwrite::Type::kRole, 0, permission::kSendMessages};
  EXPECT_EQ(Parse(EncodeModifyChannel({.rate_limit_per_user = 30,
                                       .permission_overwrites = std::vector<Overwrite>{lock}})),
            nlohmann::json::parse(R"({"rate_limit_per_user":30,"permission_overwrites":[
              {"id":"1390000000000000000","type":0,"allow":"0","deny":"2048"}]})"));
  EXPECT_EQ(Parse(EncodeModifyChannel({.archived = true, .locked = true})),
            nlohmann::json::parse(R"({"archived":true,"locked":true})"));
  EXPECT_EQ(ErrorOf(EncodeModifyChannel({})), "the channel update changes nothing");
  EXPECT_EQ(ErrorOf(EncodeModifyChannel({.rate_limit_per_user = 21601})),
            "rate_limit_per_user is 21601 (allowed 0..21600)");
  EXPECT_EQ(
      ErrorOf(EncodeModifyChannel({.permission_overwrites = std::vector<Overwrite>{lock, lock}})),
      "permission_overwrites has 1390000000000000000 twice");
  EXPECT_EQ(
      ErrorOf(EncodeModifyChannel(
          {.permission_overwrites = std::vector<Overwrite>{{5, Overwrite::Type::kMember, 8, 8}}})),
      "permission_overwrites for 5 both allows and denies 8");

  EXPECT_EQ(
      Parse(EncodeCreateChannel(
          {.name = "mod-log",
           .parent_id = core::ChannelId(9),
           .topic = "cases",
           .permission_overwrites = {lock,
                                     {1100000000000000000, Overwrite::Type::kMember,
                                      permission::kViewChannel | permission::kSendMessages, 0}}})),
      nlohmann::json::parse(R"({"name":"mod-log","type":0,"parent_id":"9","topic":"cases",
              "permission_overwrites":[{"id":"1390000000000000000","type":0,"allow":"0","deny":"2048"},
                                       {"id":"1100000000000000000","type":1,"allow":"3072","deny":"0"}]})"));
  EXPECT_EQ(ErrorOf(EncodeCreateChannel({.name = "x", .topic = std::string(1025, 't')})),
            "topic is 1025 characters (at most 1024)");
  EXPECT_EQ(ErrorOf(EncodeCreateChannel({.name = "x", .type = ChannelType::kPublicThread})),
            "channel type 11 cannot be created in a guild");

  EXPECT_EQ(Parse(EncodeEditOverwrite({5, Overwrite::Type::kMember, 1024, 2048})),
            nlohmann::json::parse(R"({"allow":"1024","deny":"2048","type":1})"));
  EXPECT_EQ(nlohmann::json::parse(EncodeCreateDm(core::UserId(42))),
            nlohmann::json::parse(R"({"recipient_id":"42"})"));
}

}  // namespace
}  // namespace discord

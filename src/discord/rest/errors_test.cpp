#include "discord/rest/errors.h"

#include <gtest/gtest.h>

#include "discord/rest/client.h"

namespace discord::rest {
namespace {

TEST(ErrorsTest, UnknownMemberIsNotFoundWithItsCode) {
  const core::Error e = ErrorFromResponse("DELETE", "/guilds/:id/members/:id", 404,
                                          R"({"message":"Unknown Member","code":10007})");
  EXPECT_EQ(e.code, core::ErrorCode::kNotFound);
  EXPECT_EQ(ApiCode(e), api_code::kUnknownMember);
  EXPECT_EQ(e.message,
            "Discord refused DELETE /guilds/:id/members/:id: Unknown Member (10007, HTTP 404)");
}

TEST(ErrorsTest, MissingPermissionsIsPermissionDenied) {
  const core::Error e = ErrorFromResponse("PUT", "/guilds/:id/bans/:id", 403,
                                          R"({"message":"Missing Permissions","code":50013})");
  EXPECT_EQ(e.code, core::ErrorCode::kPermissionDenied);
  EXPECT_EQ(ApiCode(e), api_code::kMissingPermissions);
}

TEST(ErrorsTest, KindsByStatusAndCode) {
  struct Case {
    int status;
    const char* body;
    core::ErrorCode kind;
    int code;
  };
  const Case cases[] = {
      {401, R"({"message":"401: Unauthorized","code":0})", core::ErrorCode::kPermissionDenied, 0},
      {403, R"({"message":"Missing Access","code":50001})", core::ErrorCode::kPermissionDenied,
       50001},
      {404, R"({"message":"Unknown Message","code":10008})", core::ErrorCode::kNotFound, 10008},
      {400, R"({"message":"Interaction has already been acknowledged.","code":40060})",
       core::ErrorCode::kConflict, 40060},
      {400, R"({"message":"Invalid Form Body","code":50035,"errors":{"a":{"_errors":[]}}})",
       core::ErrorCode::kInvalidArgument, 50035},
      {400, R"({"message":"too old","code":50034})", core::ErrorCode::kInvalidArgument, 50034},
      {429, R"({"message":"You are being rate limited.","retry_after":1.5,"global":false})",
       core::ErrorCode::kUnavailable, 0},
      {502, "<html>Bad Gateway</html>", core::ErrorCode::kUnavailable, 0},
      {418, "", core::ErrorCode::kInvalidArgument, 0},
  };
  for (const Case& c : cases) {
    const core::Error e = ErrorFromResponse("GET", "/x", c.status, c.body);
    EXPECT_EQ(e.code, c.kind) << c.status << " " << c.body;
    EXPECT_EQ(ApiCode(e), c.code) << c.status << " " << c.body;
  }
}

TEST(ErrorsTest, ABodyThatIsNotJsonStillGivesTheStatus) {
  const core::Error e = ErrorFromResponse("GET", "/users/:id", 404, "not json {");
  EXPECT_EQ(e.code, core::ErrorCode::kNotFound);
  EXPECT_EQ(e.message, "Discord refused GET /users/:id: HTTP 404 (HTTP 404)");
  EXPECT_EQ(ApiCode(e), 0);
}

TEST(ErrorsTest, ApiCodeIgnoresOtherSubjects) {
  EXPECT_EQ(ApiCode(core::Error{core::ErrorCode::kTimeout, "x", "discord.com"}), 0);
  EXPECT_EQ(ApiCode(core::Error{core::ErrorCode::kNotFound, "x", "10007x"}), 0);
  EXPECT_EQ(ApiCode(core::Error{core::ErrorCode::kNotFound, "x", "401"}), 0);
}

TEST(AuditLogReasonTest, PercentEncodesUtf8AndCutsAt512Characters) {
  EXPECT_EQ(EncodeAuditLogReason("spam: free nitro"), "spam%3A%20free%20nitro");
  EXPECT_EQ(EncodeAuditLogReason("é✓"), "%C3%A9%E2%9C%93");
  EXPECT_EQ(EncodeAuditLogReason("a-b_c.d~e"), "a-b_c.d~e");
  std::string long_reason;
  for (int i = 0; i < 600; ++i) long_reason += "é";
  const std::string encoded = EncodeAuditLogReason(long_reason);
  EXPECT_EQ(encoded.size(), 512u * 6);  // 512 characters of two bytes each, 3 chars per byte
}

}  // namespace
}  // namespace discord::rest

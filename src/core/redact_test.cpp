#include "core/redact.h"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(RedactTest, HidesUrlPasswords) {
  EXPECT_EQ(RedactSecrets("postgresql://postgres.abc:s3cr3t@aws-0.pooler.supabase.com:6543/postgres"),
            "postgresql://postgres.abc:***@aws-0.pooler.supabase.com:6543/postgres");
}

TEST(RedactTest, HidesKeyValuePasswords) {
  EXPECT_EQ(RedactSecrets("host=db user=bot password=hunter2 sslmode=require"),
            "host=db user=bot password=*** sslmode=require");
  EXPECT_EQ(RedactSecrets("host=db password='a b c' dbname=x"), "host=db password=*** dbname=x");
  EXPECT_EQ(RedactSecrets("postgresql:///db?host=/tmp&password=x1&sslpassword=y2"),
            "postgresql:///db?host=/tmp&password=***&sslpassword=***");
}

TEST(RedactTest, HidesPasswordsGluedToOtherText) {
  // Found by fuzz/codecs_fuzz.cpp: a key not preceded by a separator was left visible.
  EXPECT_EQ(RedactSecrets("host=x5password=hunter2 user=y"), "host=x5password=*** user=y");
  EXPECT_EQ(RedactSecrets("host=x\x04password=hunter2"), "host=x\x04password=***");
}

TEST(RedactTest, HidesQuotedPasswordsWithEscapedQuotes) {
  EXPECT_EQ(RedactSecrets(R"(host=db password='ab\'cd ef' user=x)"), "host=db password=*** user=x");
}

TEST(RedactTest, LeavesTextWithoutSecretsAlone) {
  EXPECT_EQ(RedactSecrets("postgresql:///antispam?host=/tmp/x&port=5432"),
            "postgresql:///antispam?host=/tmp/x&port=5432");
}

}  // namespace
}  // namespace core

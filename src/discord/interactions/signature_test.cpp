#include "discord/interactions/signature.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "sim/interactions_http.h"

namespace discord::interactions {
namespace {

// Discord's side of the signature: the simulator's signer (a fresh Ed25519 key pair).
using KeyPair = sim::InteractionSigner;

TEST(SignatureTest, VerifiesTheTimestampFollowedByTheBody) {
  KeyPair keys;
  auto verifier = SignatureVerifier::FromHex(keys.public_key_hex());
  ASSERT_TRUE(verifier.has_value()) << verifier.error().ToString();
  const std::string body = R"({"type":1})";
  const std::string signature = keys.Sign("1750000000", body);
  EXPECT_TRUE(verifier->Verify(signature, "1750000000", body));
  std::string upper = signature;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  EXPECT_TRUE(verifier->Verify(upper, "1750000000", body));

  EXPECT_FALSE(verifier->Verify(signature, "1750000001", body));  // another timestamp
  EXPECT_FALSE(verifier->Verify(signature, "1750000000", R"({"type":2})"));
  std::string flipped = signature;
  flipped[10] = flipped[10] == '0' ? '1' : '0';
  EXPECT_FALSE(verifier->Verify(flipped, "1750000000", body));
  EXPECT_FALSE(verifier->Verify(signature.substr(2), "1750000000", body));
  EXPECT_FALSE(verifier->Verify(signature + "00", "1750000000", body));
  EXPECT_FALSE(verifier->Verify("zz" + signature.substr(2), "1750000000", body));
  EXPECT_FALSE(verifier->Verify("", "1750000000", body));

  KeyPair other;
  auto wrong = SignatureVerifier::FromHex(other.public_key_hex());
  ASSERT_TRUE(wrong.has_value());
  EXPECT_FALSE(wrong->Verify(signature, "1750000000", body));
}

TEST(SignatureTest, AMalformedPublicKeyIsAClearError) {
  KeyPair keys;
  const std::string good = keys.public_key_hex();
  for (const std::string& bad :
       {std::string(), good.substr(2), good + "ab", "xy" + good.substr(2),
        std::string(64, 'f') /* not a curve point */, std::string(64, '0') /* small order */}) {
    auto verifier = SignatureVerifier::FromHex(bad);
    ASSERT_FALSE(verifier.has_value()) << bad;
    EXPECT_EQ(verifier.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(verifier.error().subject, "public_key");
  }
}

}  // namespace
}  // namespace discord::interactions

// Ed25519 verification of HTTP interaction requests (PROTOCOL.md §5.4,
// https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers):
// the signature in X-Signature-Ed25519 (hex, 64 bytes) over X-Signature-Timestamp followed by the
// raw body, by the application's public key (hex, 32 bytes, from the Developer Portal). libsodium.
#pragma once

#include <array>
#include <string_view>

#include "core/result.h"

namespace discord::interactions {

// Immutable once built; thread-safe.
class SignatureVerifier {
 public:
  // kInvalidArgument if `public_key_hex` is not 64 hex digits of a valid Ed25519 public key;
  // kInternal if libsodium cannot initialise.
  static core::Result<SignatureVerifier> FromHex(std::string_view public_key_hex);

  // Whether `signature_hex` (128 hex digits) signs `timestamp` + `body` by the key. Anything
  // malformed is false.
  bool Verify(std::string_view signature_hex, std::string_view timestamp,
              std::string_view body) const;

 private:
  SignatureVerifier() = default;
  std::array<unsigned char, 32> key_{};
};

}  // namespace discord::interactions

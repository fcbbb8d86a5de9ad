#include "discord/interactions/signature.h"

#include <sodium.h>

#include <string>

namespace discord::interactions {
namespace {

// Exactly out.size() bytes of hex (either case), nothing else.
template <std::size_t N>
bool FromHexExact(std::string_view hex, std::array<unsigned char, N>& out) {
  if (hex.size() != 2 * N) return false;
  std::size_t written = 0;
  const char* end = nullptr;
  return sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &written, &end) ==
             0 &&
         written == N && end == hex.data() + hex.size();
}

}  // namespace

core::Result<SignatureVerifier> SignatureVerifier::FromHex(std::string_view public_key_hex) {
  if (sodium_init() < 0) {  // idempotent and thread-safe; 1 when already initialised
    return core::Fail(core::ErrorCode::kInternal, "libsodium failed to initialise");
  }
  SignatureVerifier verifier;
  if (!FromHexExact(public_key_hex, verifier.key_)) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      "the interactions public key must be 64 hex digits (32 bytes)", "public_key");
  }
  if (crypto_core_ed25519_is_valid_point(verifier.key_.data()) != 1) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      "the interactions public key is not a valid Ed25519 public key",
                      "public_key");
  }
  return verifier;
}

bool SignatureVerifier::Verify(std::string_view signature_hex, std::string_view timestamp,
                               std::string_view body) const {
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  if (!FromHexExact(signature_hex, signature)) return false;
  std::string message;
  message.reserve(timestamp.size() + body.size());
  message.append(timestamp).append(body);
  return crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key_.data()) == 0;
}

}  // namespace discord::interactions

// The simulator's HTTP interactions mode (../shared/discord/PROTOCOL.md §5.4, §8 item 13): instead
// of INTERACTION_CREATE on the gateway, interactions are POSTed to the bot's endpoint, signed with
// Ed25519 (libsodium) as Discord signs them: `X-Signature-Ed25519` over `X-Signature-Timestamp` +
// body, with a key pair made at start whose public half the bot is configured with. Deliberately
// bad signatures can be sent to check that the endpoint answers 401.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sim {

class InteractionSigner {
 public:
  InteractionSigner();  // a fresh key pair
  std::string public_key_hex() const;
  // The hex signature of timestamp + body.
  std::string Sign(std::string_view timestamp, std::string_view body) const;

 private:
  std::array<unsigned char, 32> public_key_{};
  std::array<unsigned char, 64> secret_key_{};
};

}  // namespace sim

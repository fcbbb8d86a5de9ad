#include "sim/interactions_http.h"

#include <sodium.h>

#include <stdexcept>

namespace sim {

InteractionSigner::InteractionSigner() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  crypto_sign_keypair(public_key_.data(), secret_key_.data());
}

std::string InteractionSigner::public_key_hex() const {
  char hex[65];
  sodium_bin2hex(hex, sizeof(hex), public_key_.data(), public_key_.size());
  return hex;
}

std::string InteractionSigner::Sign(std::string_view timestamp, std::string_view body) const {
  std::string message;
  message.reserve(timestamp.size() + body.size());
  message.append(timestamp).append(body);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_key_.data());
  char hex[2 * crypto_sign_BYTES + 1];
  sodium_bin2hex(hex, sizeof(hex), sig, sizeof(sig));
  return hex;
}

}  // namespace sim

// Secrets never reach logs: database URLs and connection strings pass through RedactSecrets first.
#pragma once

#include <string>
#include <string_view>

namespace core {

// Replaces the password of a URL ("postgresql://user:secret@host/db" -> "postgresql://user:***@host/db"),
// `password=...` / `sslpassword=...` key-value pairs and `password=` query parameters with "***".
std::string RedactSecrets(std::string_view text);

}  // namespace core

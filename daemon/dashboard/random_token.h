// RandomToken: unguessable identifiers for the dashboard's session cookies
// and CSRF tokens (256 bits from OpenSSL's CSPRNG, hex), and their
// comparison in constant time.
//
// Thread safety: thread-safe (RAND_bytes is).
#pragma once

#include <string>
#include <string_view>

namespace passerelle::daemon {

// 64 hex digits. Throws std::runtime_error if the CSPRNG fails.
std::string randomToken();

// Equal, in a time that does not depend on where they differ.
bool sameToken(std::string_view a, std::string_view b);

}  // namespace passerelle::daemon

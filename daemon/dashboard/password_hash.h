// PasswordHash: the dashboard's password hashes (dashboard.md "Accounts"),
// scrypt from OpenSSL (EVP_PBE_scrypt): memory-hard, salted, and OpenSSL is
// already a dependency, so no new package is needed.
//
// The hash is one self-describing line, so that its cost can be raised later
// without invalidating the hashes already given out:
//   scrypt$ln=15,r=8,p=1$<salt, 16 bytes, hex>$<key, 32 bytes, hex>
// (N = 2^ln; the default costs 32 MiB and about 0.1 s a try). Verification
// reads the parameters from the line, refuses any out of bounds (a hostile
// file must not make a login cost gigabytes) and compares in constant time.
//
// Thread safety: pure functions; OpenSSL's scrypt and RAND_bytes are
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace passerelle::daemon {

struct ScryptCost {
  int log2_n = 15;
  int r = 8;
  int p = 1;
};

// A new hash of `password` with a fresh random salt. Throws
// std::runtime_error when OpenSSL fails (out of memory).
std::string hashPassword(std::string_view password, ScryptCost cost = {});

// Whether `password` matches `encoded`. A malformed line matches nothing.
bool verifyPassword(std::string_view password, std::string_view encoded);

// Whether `encoded` is a hash verifyPassword() can use (config check).
bool wellFormedPasswordHash(std::string_view encoded);

}  // namespace passerelle::daemon

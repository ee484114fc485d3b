#include "daemon/dashboard/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <optional>
#include <stdexcept>
#include <vector>

namespace passerelle::daemon {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kKeyBytes = 32;
constexpr const char* kPrefix = "scrypt$";

struct ParsedHash {
  ScryptCost cost;
  std::vector<unsigned char> salt;
  std::vector<unsigned char> key;
};

std::string hex(const std::vector<unsigned char>& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::optional<std::vector<unsigned char>> unhex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::vector<unsigned char> out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = digit(text[i]), lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return out;
}

// Bounds that keep one verification under ~1 GiB and a few seconds.
bool withinBounds(const ScryptCost& c) {
  return c.log2_n >= 10 && c.log2_n <= 20 && c.r >= 1 && c.r <= 32 && c.p >= 1 && c.p <= 16 &&
         (128ull << c.log2_n) * static_cast<unsigned>(c.r) <= (1ull << 30);
}

std::optional<std::vector<unsigned char>> derive(std::string_view password,
                                                 const std::vector<unsigned char>& salt,
                                                 const ScryptCost& c) {
  std::vector<unsigned char> key(kKeyBytes);
  const std::uint64_t n = 1ull << c.log2_n;
  const std::uint64_t memory = 128ull * n * static_cast<unsigned>(c.r) * 2 + (1 << 20);
  if (EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), n,
                     static_cast<std::uint64_t>(c.r), static_cast<std::uint64_t>(c.p), memory,
                     key.data(), key.size()) != 1) {
    return std::nullopt;
  }
  return key;
}

std::optional<ParsedHash> parse(std::string_view encoded) {
  while (!encoded.empty() && (encoded.back() == '\n' || encoded.back() == '\r'))
    encoded.remove_suffix(1);
  if (encoded.substr(0, 7) != kPrefix) return std::nullopt;
  encoded.remove_prefix(7);
  const std::size_t d1 = encoded.find('$');
  if (d1 == std::string_view::npos) return std::nullopt;
  const std::size_t d2 = encoded.find('$', d1 + 1);
  if (d2 == std::string_view::npos) return std::nullopt;
  ParsedHash parsed;
  const std::string params(encoded.substr(0, d1));
  char tail = 0;
  if (std::sscanf(params.c_str(), "ln=%d,r=%d,p=%d%c", &parsed.cost.log2_n, &parsed.cost.r,
                  &parsed.cost.p, &tail) != 3 ||
      !withinBounds(parsed.cost)) {
    return std::nullopt;
  }
  auto salt = unhex(encoded.substr(d1 + 1, d2 - d1 - 1));
  auto key = unhex(encoded.substr(d2 + 1));
  if (!salt || salt->size() < 8 || !key || key->size() != kKeyBytes) return std::nullopt;
  parsed.salt = std::move(*salt);
  parsed.key = std::move(*key);
  return parsed;
}

}  // namespace

std::string hashPassword(std::string_view password, ScryptCost cost) {
  if (!withinBounds(cost)) throw std::invalid_argument("scrypt cost out of bounds");
  std::vector<unsigned char> salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
    throw std::runtime_error("no random bytes for a salt");
  auto key = derive(password, salt, cost);
  if (!key) throw std::runtime_error("scrypt failed (out of memory?)");
  return std::string(kPrefix) + "ln=" + std::to_string(cost.log2_n) +
         ",r=" + std::to_string(cost.r) + ",p=" + std::to_string(cost.p) + "$" + hex(salt) + "$" +
         hex(*key);
}

bool verifyPassword(std::string_view password, std::string_view encoded) {
  const auto parsed = parse(encoded);
  if (!parsed) return false;
  const auto key = derive(password, parsed->salt, parsed->cost);
  return key && CRYPTO_memcmp(key->data(), parsed->key.data(), kKeyBytes) == 0;
}

bool wellFormedPasswordHash(std::string_view encoded) {
  return parse(encoded).has_value();
}

}  // namespace passerelle::daemon

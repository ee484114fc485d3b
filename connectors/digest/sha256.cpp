#include "connectors/digest/sha256.h"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace passerelle::connectors {

namespace {

std::string toHex(const unsigned char* digest, unsigned int length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0F]);
  }
  return out;
}

// The algorithm fetched once: EVP_sha256() makes OpenSSL 3 look the
// implementation up in its provider store (under a lock) at every
// EVP_DigestInit, and a daily import digests one offer per row. Fetched
// objects are thread-safe and this one lives as long as the program.
const EVP_MD* sha256Algorithm() {
  static EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return fetched != nullptr ? fetched : EVP_sha256();
}

}  // namespace

std::string sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // EVP_Digest is the one-shot form: no context to allocate for a small body.
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, sha256Algorithm(), nullptr) !=
      1) {
    throw std::runtime_error("OpenSSL: SHA-256 failed");
  }
  return toHex(digest.data(), length);
}

void Sha256::Free::operator()(evp_md_ctx_st* ctx) const {
  EVP_MD_CTX_free(ctx);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), sha256Algorithm(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
  }
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view bytes) {
  EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size());
}

std::string Sha256::finishHex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length);
  return toHex(digest.data(), length);
}

}  // namespace passerelle::connectors

// SHA-256 in lower-case hex, the one digest of the program: file
// fingerprints (the ledger's "exactly once"), spool downloads, lba body
// hashes and France Travail row hashes all compare these strings, so they
// must all come from here.
//
// sha256Hex() digests bytes in memory; Sha256 digests a stream fed piece by
// piece (a download, a file read in blocks) without holding it whole.
//
// Thread safety: sha256Hex() is a pure function. A Sha256 object belongs to
// one thread at a time; distinct objects are independent.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace passerelle::connectors {

// Lower-case hex SHA-256 of the bytes (64 characters).
// Throws std::runtime_error if OpenSSL cannot digest (it never does in practice).
std::string sha256Hex(std::string_view bytes);

class Sha256 {
 public:
  // Throws std::runtime_error if OpenSSL cannot start a digest.
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // The digest of everything given to update(), lower-case hex. Call once:
  // the object is spent afterwards.
  std::string finishHex();

 private:
  struct Free {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> ctx_;
};

}  // namespace passerelle::connectors

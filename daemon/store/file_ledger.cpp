#include "daemon/store/file_ledger.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <system_error>
#include <vector>

#include "daemon/store/outbox.h"

namespace passerelle::daemon {
namespace {

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

DigestContext newSha256() {
  DigestContext ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
  }
  return ctx;
}

std::string finishHex(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

}  // namespace

std::string sha256Hex(std::string_view bytes) {
  DigestContext ctx = newSha256();
  EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  return finishHex(ctx.get());
}

FileFingerprint fingerprintFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), path);
  DigestContext ctx = newSha256();
  FileFingerprint fingerprint;
  std::vector<char> buffer(1 << 16);
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      throw std::system_error(saved, std::generic_category(), path);
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(n));
    fingerprint.size += n;
  }
  ::close(fd);
  fingerprint.sha256 = finishHex(ctx.get());
  return fingerprint;
}

std::optional<std::int64_t> FileLedger::findTaken(pqxx::transaction_base& tx,
                                                  const std::string& partner,
                                                  const std::string& sha256) {
  pqxx::result r = tx.exec_params(
      "SELECT run_id FROM file_ledger WHERE partner = $1 AND sha256 = $2"
      " AND outcome IN ('imported', 'quarantined')",
      partner, sha256);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::int64_t>();
}

void FileLedger::record(pqxx::transaction_base& tx, const LedgerEntry& e,
                        connectors::Clock::WallTime recorded_at) {
  tx.exec_params(
      "INSERT INTO file_ledger (partner, remote_name, size, mtime, sha256, run_id, outcome,"
      " recorded_at) VALUES ($1, $2, $3, to_timestamp($4::double precision), $5, $6, $7,"
      " $8::timestamptz)",
      e.partner, e.remote_name, e.size, e.mtime, e.sha256, e.run_id, e.outcome,
      sqlTimestamp(recorded_at));
}

void FileLedger::markApproved(pqxx::transaction_base& tx, std::int64_t quarantined_run,
                              std::int64_t approving_run) {
  tx.exec_params(
      "UPDATE file_ledger SET outcome = 'imported', run_id = $2"
      " WHERE run_id = $1 AND outcome = 'quarantined'",
      quarantined_run, approving_run);
}

}  // namespace passerelle::daemon

#include "daemon/store/file_ledger.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include "daemon/store/outbox.h"

namespace passerelle::daemon {

FileFingerprint fingerprintFile(const std::string& path) {
  // O_NONBLOCK: a FIFO must not hang the open; only regular files are read.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::system_error(EINVAL, std::generic_category(), path + " is not a regular file");
  }
  connectors::Sha256 digest;
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
    digest.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    fingerprint.size += n;
  }
  ::close(fd);
  fingerprint.sha256 = digest.finishHex();
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

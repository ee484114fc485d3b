// FileLedger: the store's memory of every file taken (drop-folders.md
// "Exactly once"): partner, remote name, size, modification time, SHA-256,
// run and outcome. A content (SHA-256) is imported at most once per partner;
// a quarantined file counts as taken until it is approved.
//
// The ledger is written in the import's own transaction, so that a file is
// "taken" exactly when its offers are committed; the time it records comes
// from the import's Clock.
//
// Thread safety: stateless functions over the caller's transaction; a
// transaction belongs to one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "connectors/digest/sha256.h"
#include "connectors/host/clock.h"

namespace passerelle::daemon {

struct FileFingerprint {
  std::string sha256;  // lower-case hex
  std::int64_t size = 0;
};

// Reads the whole file once. Throws std::system_error if it cannot be read.
FileFingerprint fingerprintFile(const std::string& path);

// SHA-256 of bytes in memory, lower-case hex: the program's one digest
// (connectors/digest/sha256.h), named here for the store's callers.
using connectors::sha256Hex;

struct LedgerEntry {
  std::string partner;
  // The name's display form (connectors/drop/remote_name.h displayName()):
  // valid UTF-8 whatever the remote bytes, and reversible, so PostgreSQL
  // never refuses the row; for a UTF-8 name without '\\' or control
  // character it is the name itself.
  std::string remote_name;
  std::int64_t size = 0;
  std::optional<std::int64_t> mtime;  // Unix seconds, when the remote told it
  std::string sha256;
  std::int64_t run_id = 0;
  std::string outcome;  // imported | rejected_file | duplicate | quarantined | failed
};

class FileLedger {
 public:
  // The run that imported (or quarantined) this content for this partner.
  static std::optional<std::int64_t> findTaken(pqxx::transaction_base& tx,
                                               const std::string& partner,
                                               const std::string& sha256);
  static void record(pqxx::transaction_base& tx, const LedgerEntry& entry,
                     connectors::Clock::WallTime recorded_at);
  // A quarantined file approved by `approving_run` becomes imported.
  static void markApproved(pqxx::transaction_base& tx, std::int64_t quarantined_run,
                           std::int64_t approving_run);
};

}  // namespace passerelle::daemon

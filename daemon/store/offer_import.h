// OfferImport: one partner file into the offer store, all or nothing.
//
// importFile() is the whole of issue 3's import path for one file:
//   1. SHA-256 of the file; one transaction; the partner's advisory lock
//      (imports of one partner are serialised, different partners run
//      concurrently);
//   2. the ledger: a content already imported (or quarantined) for this
//      partner is recorded as a `duplicate` run and changes nothing;
//   3. the file is read once (OfferFileReader::readOnePass) and its rows are
//      COPYed into a temporary staging table — for a snapshot, only the rows
//      that change something: the partner's stored (reference, content hash)
//      pairs are fetched first and compared in the client
//      (stored_offer_index.h); a file error found at the end rolls
//      everything back and records a `rejected_file` run;
//   4. snapshot safety: a snapshot that would withdraw too many active offers,
//      or an empty one, is `quarantined` (nothing applied; the file is copied
//      to the quarantine directory and waits for approve());
//   5. the merge (offer_merge.h): set-based SQL writing only changed offers,
//      their history and the outbox; then the run and the ledger entry.
// A store or machine failure is an exception: the transaction is rolled back
// (the store is exactly as before the file), a `failed` run is recorded when
// the store is still reachable, and the exception propagates.
//
// Time comes from the Clock, never from the server: the run's start and end,
// its duration, and the "now" of what the import writes (partner, ledger,
// offers, history; the merge's `today` when the request has none). The
// outbox's rows are stamped by the outbox (outbox.h).
//
// Thread safety: an OfferImport uses its connection from the calling thread
// only; use one OfferImport (and connection) per thread. The Clock is
// thread-safe (clock.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"
#include "daemon/store/offer_merge.h"
#include "formats/offer_file_reader.h"

namespace passerelle::daemon {

// Advisory lock (two-int form) serialising the imports of one partner: the
// second key is hashtext(partner).
inline constexpr int kImportLockClass = 0x706f6666;  // "poff"

struct SnapshotLimits {
  double max_withdraw_ratio = 0.5;
  std::int64_t max_withdraw_count = 10;
};

// One per core: a daily snapshot's import is bound by reading it, once the
// unchanged rows are no longer sent (StoredOfferIndex).
std::size_t defaultRowThreads();

struct ImportRequest {
  std::string partner;
  std::string format;                                // dialect name: ymag, gil, sigma...
  std::string path;                                  // the local copy to read
  std::string remote_name;                           // as dropped; default: the path's file name
  std::optional<std::int64_t> remote_mtime;          // Unix seconds
  std::optional<std::string> expected_partner_code;  // Sigma's sigma_code
  SnapshotLimits limits;
  std::string quarantine_dir;  // where quarantined files wait for approve
  // Copies the file into quarantine; empty: std::filesystem::copy_file. A
  // seam for tests (a full disk is injected, not produced).
  std::function<void(const std::filesystem::path& from, const std::filesystem::path& to)>
      copy_to_quarantine;
  std::optional<std::string> today;  // YYYY-MM-DD, Europe/Paris (tests)
  // Everything done in a transaction that is rolled back: the result says
  // what the file would do; nothing is written (no run, ledger, offer,
  // outbox movement, nor quarantined copy). Only sequences advance.
  bool dry_run = false;
  // Threads that read the file's rows (decoding, field rules, JSON and
  // content hash), the importer's own included; the rows still reach the
  // store in file order and the result does not depend on it.
  std::size_t row_threads = defaultRowThreads();
};

enum class RunOutcome { kImported, kRejectedFile, kDuplicate, kQuarantined, kApproved, kFailed };
const char* toString(RunOutcome outcome);

struct ImportResult {
  std::int64_t run_id = 0;
  RunOutcome outcome = RunOutcome::kFailed;
  formats::ReadSummary summary;
  MergeCounts counts;
  long store_warnings = 0;
  long rows_sent = 0;      // data rows sent to the server (a snapshot's unchanged rows are not)
  long rows_not_read = 0;  // a snapshot's records known unchanged by their key, not read
  std::optional<std::int64_t> duplicate_of_run;
  std::string message;  // why: file error, quarantine reason, duplicate...
  // Quarantined: it would withdraw `withdraw` of the partner's `active`
  // active offers (what the partner's report says).
  struct Forecast {
    long withdraw = 0;
    long active = 0;
  };
  std::optional<Forecast> quarantine;
  // Dry runs: the first references (at most kPreviewRefs) it would withdraw.
  std::vector<std::string> withdrawn_refs;
};
inline constexpr int kPreviewRefs = 10;

// Thrown by approve() when the run cannot be approved (unknown, not
// quarantined, already approved, superseded, file missing or altered).
class ApproveRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ApproveOptions {
  std::optional<std::string> expected_partner_code;
  std::optional<std::string> today;
  bool dry_run = false;  // the preview: as ImportRequest::dry_run
};

class OfferImport {
 public:
  // `clock` must outlive the OfferImport.
  OfferImport(pqxx::connection& connection, const connectors::Clock& clock)
      : connection_(connection), clock_(clock) {}

  ImportResult importFile(const ImportRequest& request);

  // Applies a quarantined snapshot as it is, in a new run (outcome
  // `approved`). Refused when a later snapshot of the partner was applied
  // since: approving would bring back an older state.
  ImportResult approve(std::int64_t quarantined_run, const ApproveOptions& options);

  struct Job;  // one file being imported (offer_import.cpp)

 private:
  ImportResult runJob(const Job& job);
  ImportResult importInTransaction(pqxx::work& tx, const Job& job);
  // Records a run that changed nothing (refused file, failure) in its own
  // transaction; returns its id.
  std::int64_t recordUnappliedRun(const Job& job, const ImportResult& result,
                                  const std::string& ledger_outcome);

  pqxx::connection& connection_;
  const connectors::Clock& clock_;
};

}  // namespace passerelle::daemon

#include "daemon/store/offer_import.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <memory>
#include <system_error>
#include <thread>

#include <nlohmann/json.hpp>

#include "daemon/store/content_hash.h"
#include "daemon/store/file_ledger.h"
#include "daemon/store/first_load.h"
#include "daemon/store/offer_search_text.h"
#include "daemon/store/outbox.h"
#include "daemon/store/record_keys.h"
#include "daemon/store/store_connection.h"
#include "daemon/store/stored_offer_index.h"
#include "formats/dialect_registry.h"
#include "formats/offer_json.h"

namespace passerelle::daemon {

namespace fmt = passerelle::formats;

struct OfferImport::Job {
  ImportRequest request;
  FileFingerprint fingerprint;
  std::unique_ptr<fmt::Dialect> dialect;
  std::optional<std::int64_t> approving;  // the quarantined run being approved
  const connectors::Clock* clock = nullptr;
  connectors::Clock::WallTime started_at;  // the import's "now"
  connectors::Clock::SteadyTime started;

  bool isSnapshot() const { return dialect->spec().semantics == fmt::Semantics::kSnapshot; }
  const char* semantics() const { return isSnapshot() ? "snapshot" : "delta"; }
  long elapsedMs() const {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(clock->steady() - started).count());
  }
};

namespace {

std::string fieldErrorsJson(const std::vector<fmt::FieldError>& errors) {
  std::string out = "[";
  for (const fmt::FieldError& e : errors) {
    if (out.size() > 1) out += ',';
    fmt::appendFieldErrorJson(e, out);
  }
  out += ']';
  return out;
}

// ROME codes are ^[A-N][0-9]{4}$: an array literal needs no quoting.
std::string romeArrayLiteral(const std::vector<std::string>& codes) {
  std::string out = "{";
  for (const std::string& code : codes) {
    if (out.size() > 1) out += ',';
    out += code;
  }
  out += '}';
  return out;
}

// The JSON and content hash of an upsert, written on the thread that read
// the row (ReadOptions::prepare_offer): with the decoding and the field
// rules, the bulk of a daily import's work, spread over the row threads.
void prepareOffer(fmt::Offer& offer) {
  if (offer.action != fmt::OfferAction::kUpsert) return;
  offer.prepared.json = fmt::offerJson(offer);
  offer.prepared.digest = contentHashOfOfferJson(offer.prepared.json);
}

// Streams the file's data rows into the staging table (COPY). For a
// snapshot, rows that change nothing (StoredOfferIndex) are not sent: only
// their references count, for the withdrawals, and their warnings, which
// belong to the run all the same. A partner's first snapshot (`first_load`
// set) streams its offers into `offers` instead, and its staging rows wait
// in the FirstLoad.
class StagingSink final : public fmt::OfferSink {
 public:
  StagingSink(pqxx::stream_to& stream, StoredOfferIndex* snapshot_index, FirstLoad* first_load)
      : stream_(stream), index_(snapshot_index), first_load_(first_load) {}

  void onFileWarning(const fmt::FileIssue& issue) override { file_warnings.push_back(issue); }

  void onOffer(const fmt::Offer& offer) override {
    const bool upsert = offer.action == fmt::OfferAction::kUpsert;
    // The JSON is written once, on the reading thread (prepareOffer): for
    // the hash, and sent if the row changed.
    std::optional<std::string> json, hash;
    if (upsert) {
      json = offer.prepared.json;
      hash = offer.prepared.digest;
      if (json->empty()) {  // read without the hook
        json = fmt::offerJson(offer);
        hash = contentHashOfOfferJson(*json);
      }
    }
    if (index_ && offer.source_ref) {
      record_keys.note(offer);  // read, not skipped: its key is new or changed
      if (upsert && index_->presentUnchanged(*offer.source_ref, *hash)) {
        ++unchanged;
        if (!offer.warnings.empty()) stageUnchanged(offer);
        return;
      }
      index_->markPresent(*offer.source_ref);
    }
    startRow(offer.line, offer.record, upsert ? "upsert" : "delete", offer.source_ref);
    if (offer.movement) row_[StagingColumn::kMovement] = std::string(1, *offer.movement);
    if (upsert) {
      row_[StagingColumn::kJson] = std::move(json);
      row_[StagingColumn::kContentHash] = std::move(hash);
    }
    row_[StagingColumn::kWarnings] = fieldErrorsJson(offer.warnings);
    row_[StagingColumn::kDepartment] = offer.workplace.department;
    row_[StagingColumn::kSiret] = offer.employer.siret;
    row_[StagingColumn::kRomeCodes] = romeArrayLiteral(offer.rome_codes);
    row_[StagingColumn::kContractType] = offer.contract.type;
    row_[StagingColumn::kExpires] = offer.publication.expires;
    row_[StagingColumn::kSourceUpdatedAt] = offer.source_updated_at;
    if (upsert) row_[StagingColumn::kSearchText] = offerSearchText(offer);
    row_[StagingColumn::kApplies] = index_ ? "t" : "f";
    send();
  }

  // A record the reader did not read: its offer is stored, unchanged.
  void onUnchangedOffer(const std::string& source_ref) override {
    if (index_) index_->markPresent(source_ref);
    ++unchanged;
    ++not_read;
  }

  void onReject(const fmt::Reject& reject) override {
    // Present but rejected: a snapshot withdraws nothing for it.
    if (index_ && reject.source_ref) index_->markPresent(*reject.source_ref);
    startRow(reject.line, reject.record, "reject", reject.source_ref);
    row_[StagingColumn::kJson] = fieldErrorsJson(reject.errors);
    row_[StagingColumn::kWarnings] = fieldErrorsJson(reject.warnings);
    row_[StagingColumn::kApplies] = "f";
    send();
  }

  std::vector<fmt::FileIssue> file_warnings;
  long unchanged = 0;  // snapshot rows not sent
  long not_read = 0;   // of which not even read (record keys)
  long sent = 0;
  RecordKeyWriter record_keys;

 private:
  void send() {
    ++sent;
    if (!first_load_) {
      stream_ << row_.values;
    } else if (row_[StagingColumn::kKind] == "upsert") {
      first_load_->load(stream_, row_);
    } else {
      first_load_->defer(std::move(row_));
    }
  }

  void startRow(long line, long record, const char* kind,
                const std::optional<std::string>& source_ref) {
    row_ = StagingRow();
    row_[StagingColumn::kSeq] = std::to_string(++seq_);
    row_[StagingColumn::kLine] = std::to_string(line);
    row_[StagingColumn::kRecord] = std::to_string(record);
    row_[StagingColumn::kKind] = kind;
    row_[StagingColumn::kSourceRef] = source_ref;
  }

  // An unchanged row with warnings: only what the run's warnings need.
  void stageUnchanged(const fmt::Offer& offer) {
    startRow(offer.line, offer.record, "unchanged", offer.source_ref);
    row_[StagingColumn::kWarnings] = fieldErrorsJson(offer.warnings);
    row_[StagingColumn::kApplies] = "f";
    send();
  }

  pqxx::stream_to& stream_;
  StoredOfferIndex* index_;
  FirstLoad* first_load_;
  int seq_ = 0;
  StagingRow row_;
};

void lockPartner(pqxx::transaction_base& tx, const std::string& partner) {
  tx.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))", kImportLockClass, partner);
}

void ensurePartner(pqxx::transaction_base& tx, const std::string& partner,
                   const std::string& format, connectors::Clock::WallTime now) {
  tx.exec_params(
      "INSERT INTO partners (id, format, created_at) VALUES ($1, $2, $3::timestamptz)"
      " ON CONFLICT (id) DO UPDATE"
      " SET format = excluded.format WHERE partners.format <> excluded.format",
      partner, format, sqlTimestamp(now));
}

std::int64_t insertRun(pqxx::transaction_base& tx, const OfferImport::Job& job,
                       RunOutcome outcome) {
  return tx
      .exec_params1(
          "INSERT INTO import_runs (partner, format, semantics, file_name, file_size,"
          " file_sha256, started_at, outcome, approves_run)"
          " VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8, $9)"
          " RETURNING id",
          job.request.partner, job.request.format, job.semantics(), job.request.remote_name,
          job.fingerprint.size, job.fingerprint.sha256, sqlTimestamp(job.started_at),
          toString(outcome), job.approving)[0]
      .as<std::int64_t>();
}

// {"rome_codes": "ROME1, ROME2", ...}: what the partner's report names
// fields by. NULL when the header was never read.
std::optional<std::string> columnsAsWrittenJson(const fmt::ReadSummary& s) {
  nlohmann::json columns = nlohmann::json::object();
  for (std::size_t i = 0; i < s.columns_as_written.size() && i < fmt::kFieldCount; ++i)
    if (!s.columns_as_written[i].empty())
      columns[std::string(fmt::fieldPath(static_cast<fmt::FieldId>(i)))] = s.columns_as_written[i];
  if (columns.empty()) return std::nullopt;
  return columns.dump();
}

void finishRun(pqxx::transaction_base& tx, const OfferImport::Job& job, const ImportResult& result,
               const std::optional<std::string>& quarantine_path) {
  const fmt::ReadSummary& s = result.summary;
  const MergeCounts& c = result.counts;
  const std::optional<fmt::FileIssue>& fe = s.file_error;
  tx.exec_params(
      "UPDATE import_runs SET outcome = $2, finished_at = $22::timestamptz, duration_ms = $3,"
      " records = $4, offers = $5, deletes = $6, rejects = $7, warnings = $8, created = $9,"
      " updated = $10, unchanged = $11, withdrawn = $12, reactivated = $13, expired = $14,"
      " file_error_code = $15, file_error_message = $16, file_error_line = $17,"
      " quarantine_reason = $18, quarantine_path = $19, duplicate_of_run = $20, message = $21,"
      " columns_as_written = $23::json, quarantine_withdraw = $24, quarantine_active = $25,"
      " file_error_value = $26"
      " WHERE id = $1",
      result.run_id, toString(result.outcome), job.elapsedMs(), s.records, s.offers, s.deletes,
      s.rejects, s.warnings + result.store_warnings, c.created, c.updated, c.unchanged, c.withdrawn,
      c.reactivated, c.expired, fe ? std::optional<std::string>(fe->code) : std::nullopt,
      fe ? std::optional<std::string>(fe->message) : std::nullopt, fe ? fe->line : std::nullopt,
      result.outcome == RunOutcome::kQuarantined ? std::optional<std::string>(result.message)
                                                 : std::nullopt,
      quarantine_path, result.duplicate_of_run,
      result.message.empty() ? std::nullopt : std::optional<std::string>(result.message),
      sqlTimestamp(job.clock->now()), columnsAsWrittenJson(s),
      result.quarantine ? std::optional<long>(result.quarantine->withdraw) : std::nullopt,
      result.quarantine ? std::optional<long>(result.quarantine->active) : std::nullopt,
      fe ? fe->value : std::nullopt);
}

void recordLedger(pqxx::transaction_base& tx, const OfferImport::Job& job, std::int64_t run_id,
                  const std::string& outcome, connectors::Clock::WallTime now) {
  FileLedger::record(tx,
                     {job.request.partner, job.request.remote_name, job.fingerprint.size,
                      job.request.remote_mtime, job.fingerprint.sha256, run_id, outcome},
                     now);
}

// Rejected rows, then warnings in file order: the file's, the rows', and
// the store's own.
void writeRejectsAndWarnings(pqxx::transaction_base& tx, std::int64_t run_id,
                             const std::vector<fmt::FileIssue>& file_warnings,
                             const std::vector<StoreWarning>& store_warnings) {
  const std::string run = std::to_string(run_id);
  tx.exec(
      "INSERT INTO run_rejects (run_id, seq, line, record, source_ref, errors, warnings)"
      " SELECT " +
      run +
      ", row_number() OVER (ORDER BY seq), line, record, source_ref, json::json,"
      " warnings::json"
      " FROM passerelle_staging WHERE kind = 'reject'");
  const std::vector<std::string> columns = {"run_id", "seq",  "origin",  "line", "source_ref",
                                            "field",  "code", "message", "value"};
  int seq = 0;
  if (!file_warnings.empty()) {
    pqxx::stream_to stream(tx, "run_warnings", columns);
    for (const fmt::FileIssue& w : file_warnings) {
      stream << std::make_tuple(run_id, ++seq, "file", w.line, std::optional<std::string>(),
                                std::optional<std::string>(), w.code, w.message, w.value);
    }
    stream.complete();
  }
  pqxx::result rows = tx.exec(
      "INSERT INTO run_warnings (run_id, seq, origin, line, record, source_ref, field, code,"
      " message, value) SELECT " +
      run + ", " + std::to_string(seq) +
      " + row_number() OVER (ORDER BY s.seq, w.ord), 'row', s.line, s.record, s.source_ref,"
      " w.e->>'field', w.e->>'code', w.e->>'message', w.e->>'value' FROM passerelle_staging s"
      " CROSS JOIN LATERAL json_array_elements(s.warnings::json) WITH ORDINALITY AS w(e, ord)"
      " WHERE s.kind <> 'reject' AND s.warnings <> '[]'");
  seq += static_cast<int>(rows.affected_rows());
  if (store_warnings.empty()) return;
  {
    pqxx::stream_to stream(tx, "run_warnings", columns);
    for (const StoreWarning& w : store_warnings) {
      stream << std::make_tuple(run_id, ++seq, "store", w.line, w.source_ref,
                                std::optional<std::string>(), w.code, w.message, w.value);
    }
    stream.complete();
  }
  // Their record numbers, from the rows they are about (one row per line).
  tx.exec(
      "UPDATE run_warnings w SET record = s.record FROM passerelle_staging s"
      " WHERE w.run_id = " +
      run + " AND w.origin = 'store' AND s.line = w.line");
}

// Snapshot safety (operations.md): the reason to quarantine, if any.
std::optional<std::string> quarantineReason(const WithdrawForecast& f, long records,
                                            const SnapshotLimits& limits) {
  if (records == 0 && f.active > 0) {
    return "empty snapshot while the partner has " + std::to_string(f.active) + " active offers";
  }
  const bool over_ratio = static_cast<double>(f.to_withdraw) >
                          limits.max_withdraw_ratio * static_cast<double>(f.active);
  if (over_ratio && f.to_withdraw > limits.max_withdraw_count) {
    return "would withdraw " + std::to_string(f.to_withdraw) + " of " + std::to_string(f.active) +
           " active offers (more than max_withdraw_ratio " +
           std::to_string(limits.max_withdraw_ratio) + " and max_withdraw_count " +
           std::to_string(limits.max_withdraw_count) + ")";
  }
  return std::nullopt;
}

// Why a copy into quarantine failed, in words: a full disk says so even
// when the file system reports it as an I/O error.
std::string quarantineCopyFailure(const std::string& file, const std::string& dir,
                                  const std::filesystem::filesystem_error& e) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  const bool no_space =
      e.code() == std::errc::no_space_on_device || e.code().value() == EDQUOT || (!ec && [&] {
        std::error_code space_ec;
        const fs::space_info space = fs::space(dir, space_ec);
        return !space_ec && space.available < size;
      }());
  const std::string what = "while copying " + file + " to quarantine (" + dir + ")";
  if (no_space) {
    return "no space left on device " + what + "; the file is left in the drop folder and " +
           "taken again at the next poll";
  }
  return "cannot keep the file in quarantine: " + e.code().message() + " " + what +
         "; the file is left in the drop folder and taken again at the next poll";
}

// Keeps the file for approve; written before the commit that records it.
std::string keepInQuarantine(const OfferImport::Job& job, std::int64_t run_id) {
  namespace fs = std::filesystem;
  if (job.request.quarantine_dir.empty()) {
    throw StoreError("snapshot must be quarantined but no quarantine directory is configured");
  }
  fs::create_directories(job.request.quarantine_dir);
  const fs::path target = fs::path(job.request.quarantine_dir) /
                          ("run-" + std::to_string(run_id) + "-" +
                           fs::path(job.request.remote_name).filename().string());
  const fs::path partial = target.string() + ".part";
  try {
    if (job.request.copy_to_quarantine) {
      job.request.copy_to_quarantine(job.request.path, partial);
    } else {
      fs::copy_file(job.request.path, partial, fs::copy_options::overwrite_existing);
    }
    fs::rename(partial, target);
  } catch (const fs::filesystem_error& e) {
    // Nothing half-written stays; the transaction rolls back, the remote
    // file is not moved, and the next poll tries again.
    std::error_code ignored;
    fs::remove(partial, ignored);
    throw StoreError(quarantineCopyFailure(job.request.path, job.request.quarantine_dir, e));
  }
  return target.string();
}

void checkStillApprovable(pqxx::transaction_base& tx, std::int64_t run_id,
                          const std::string& partner) {
  pqxx::result r = tx.exec_params(
      "SELECT outcome, approved_by_run, set_aside_at IS NOT NULL FROM import_runs"
      " WHERE id = $1 FOR UPDATE",
      run_id);
  if (!r.empty() && !r[0][1].is_null()) {
    throw ApproveRefused("run " + std::to_string(run_id) + " was already approved: run " +
                         r[0][1].as<std::string>() + " applied it");
  }
  if (!r.empty() && r[0][2].as<bool>())
    throw ApproveRefused("run " + std::to_string(run_id) + " was set aside");
  if (r.empty() || r[0][0].as<std::string>() != "quarantined") {
    throw ApproveRefused("run " + std::to_string(run_id) + " is no longer waiting for approval");
  }
  pqxx::result later = tx.exec_params(
      "SELECT id FROM import_runs WHERE partner = $1 AND id > $2 AND semantics = 'snapshot'"
      " AND outcome IN ('imported', 'approved') ORDER BY id LIMIT 1",
      partner, run_id);
  if (!later.empty()) {
    throw ApproveRefused("run " + std::to_string(run_id) + " is older than snapshot run " +
                         later[0][0].as<std::string>() + " already applied for partner " + partner +
                         ": approving it would bring back an older state");
  }
}

// What a dry run withdrew, read back before its transaction is rolled back.
std::vector<std::string> previewWithdrawals(pqxx::transaction_base& tx, std::int64_t run_id) {
  std::vector<std::string> refs;
  for (const pqxx::row& row :
       tx.exec_params("SELECT source_ref FROM offer_history WHERE run_id = $1"
                      " AND change = 'withdrawn' ORDER BY source_ref LIMIT $2",
                      run_id, kPreviewRefs))
    refs.push_back(row[0].as<std::string>());
  return refs;
}

}  // namespace

const char* toString(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kImported:
      return "imported";
    case RunOutcome::kRejectedFile:
      return "rejected_file";
    case RunOutcome::kDuplicate:
      return "duplicate";
    case RunOutcome::kQuarantined:
      return "quarantined";
    case RunOutcome::kApproved:
      return "approved";
    case RunOutcome::kFailed:
      return "failed";
  }
  return "failed";
}

ImportResult OfferImport::importFile(const ImportRequest& request) {
  Job job;
  job.request = request;
  if (job.request.remote_name.empty()) {
    job.request.remote_name = std::filesystem::path(request.path).filename().string();
  }
  job.dialect = fmt::DialectRegistry::instance().create(request.format);
  if (!job.dialect) throw std::invalid_argument("unknown format: " + request.format);
  job.clock = &clock_;
  job.started = clock_.steady();
  job.started_at = clock_.now();
  job.fingerprint = fingerprintFile(request.path);
  return runJob(job);
}

ImportResult OfferImport::approve(std::int64_t quarantined_run, const ApproveOptions& options) {
  pqxx::result r;
  {
    pqxx::read_transaction tx(connection_);
    r = tx.exec_params(
        "SELECT partner, format, outcome, approved_by_run, quarantine_path, file_sha256,"
        " file_name FROM import_runs WHERE id = $1",
        quarantined_run);
  }
  const std::string id = std::to_string(quarantined_run);
  if (r.empty()) throw ApproveRefused("no run " + id);
  if (!r[0][3].is_null()) {
    throw ApproveRefused("run " + id + " was already approved: run " + r[0][3].as<std::string>() +
                         " applied it");
  }
  if (r[0][2].as<std::string>() != "quarantined") {
    throw ApproveRefused("run " + id + " is not waiting for approval (outcome " +
                         r[0][2].as<std::string>() + ")");
  }
  Job job;
  job.approving = quarantined_run;
  job.request.partner = r[0][0].as<std::string>();
  job.request.format = r[0][1].as<std::string>();
  job.request.path = r[0][4].is_null() ? std::string() : r[0][4].as<std::string>();
  job.request.remote_name = r[0][6].as<std::string>();
  job.request.expected_partner_code = options.expected_partner_code;
  job.request.today = options.today;
  job.request.dry_run = options.dry_run;
  job.dialect = fmt::DialectRegistry::instance().create(job.request.format);
  if (!job.dialect) throw ApproveRefused("unknown format " + job.request.format);
  if (job.request.path.empty() || !std::filesystem::exists(job.request.path)) {
    throw ApproveRefused("the quarantined file of run " + id + " is missing: " + job.request.path);
  }
  job.clock = &clock_;
  job.started = clock_.steady();
  job.started_at = clock_.now();
  job.fingerprint = fingerprintFile(job.request.path);
  if (job.fingerprint.sha256 != r[0][5].as<std::string>()) {
    throw ApproveRefused("the quarantined file of run " + id + " was altered: " + job.request.path);
  }
  ImportResult result = runJob(job);
  if (result.outcome == RunOutcome::kApproved && !options.dry_run) {
    std::error_code ignored;  // the file is applied; a leftover copy is harmless
    std::filesystem::remove(job.request.path, ignored);
  }
  return result;
}

ImportResult OfferImport::runJob(const Job& job) {
  ImportResult result;
  try {
    pqxx::work tx(connection_);
    result = importInTransaction(tx, job);
    if (job.request.dry_run) {
      result.withdrawn_refs = previewWithdrawals(tx, result.run_id);
      tx.abort();
      return result;
    }
    if (result.outcome != RunOutcome::kRejectedFile) {
      tx.commit();
      return result;
    }
    tx.abort();  // nothing of a refused file is kept
  } catch (const ApproveRefused&) {
    throw;
  } catch (const std::exception& e) {
    ImportResult failed;
    failed.outcome = RunOutcome::kFailed;
    failed.message = e.what();
    try {
      // A dry run records nothing, not even its failure.
      if (connection_.is_open() && !job.request.dry_run) recordUnappliedRun(job, failed, "failed");
    } catch (const std::exception&) {
      // The store is unreachable: the original error is what matters.
    }
    throw;
  }
  result.run_id = recordUnappliedRun(job, result, "rejected_file");
  return result;
}

std::int64_t OfferImport::recordUnappliedRun(const Job& job, const ImportResult& result,
                                             const std::string& ledger_outcome) {
  pqxx::work tx(connection_);
  const connectors::Clock::WallTime now = clock_.now();
  lockPartner(tx, job.request.partner);
  ensurePartner(tx, job.request.partner, job.request.format, now);
  ImportResult recorded = result;
  recorded.summary = {};
  recorded.summary.file_error = result.summary.file_error;
  recorded.counts = {};
  recorded.run_id = insertRun(tx, job, result.outcome);
  finishRun(tx, job, recorded, std::nullopt);
  // A failed approval leaves the file quarantined: no new ledger entry.
  if (!job.approving) recordLedger(tx, job, recorded.run_id, ledger_outcome, now);
  tx.commit();
  return recorded.run_id;
}

std::size_t defaultRowThreads() {
  return std::max(1u, std::thread::hardware_concurrency());
}

ImportResult OfferImport::importInTransaction(pqxx::work& tx, const Job& job) {
  const ImportRequest& req = job.request;
  ImportResult result;
  lockPartner(tx, req.partner);
  if (job.approving) checkStillApprovable(tx, *job.approving, req.partner);
  ensurePartner(tx, req.partner, req.format, job.started_at);
  if (!job.approving) {
    if (auto previous = FileLedger::findTaken(tx, req.partner, job.fingerprint.sha256)) {
      result.outcome = RunOutcome::kDuplicate;
      result.duplicate_of_run = previous;
      result.message = "same content as run " + std::to_string(*previous);
      result.run_id = insertRun(tx, job, result.outcome);
      finishRun(tx, job, result, std::nullopt);
      recordLedger(tx, job, result.run_id, "duplicate", job.started_at);
      return result;
    }
  }
  result.run_id = insertRun(tx, job, RunOutcome::kFailed);  // provisional, same transaction

  // Read the file once, streaming every row into the staging table.
  createStagingTable(tx);
  std::optional<StoredOfferIndex> index;
  if (job.isSnapshot()) index = StoredOfferIndex::load(tx, req.partner);
  std::vector<fmt::FileIssue> file_warnings;
  long unchanged_not_sent = 0;
  RecordKeyWriter record_keys;
  // A partner's first snapshot: nothing stored to compare with (first_load.h).
  std::optional<FirstLoad> first_load;
  if (index && index->size() == 0) {
    first_load.emplace(req.partner, result.run_id, sqlTimestamp(job.started_at));
  }
  {
    pqxx::stream_to stream(tx, first_load ? "offers" : kStagingTable,
                           first_load ? FirstLoad::offerColumns() : stagingColumns());
    StagingSink sink(stream, index ? &*index : nullptr, first_load ? &*first_load : nullptr);
    fmt::ReadOptions options;
    options.partner = req.partner;
    options.expected_partner_code = req.expected_partner_code;
    options.row_threads = req.row_threads;
    options.prepare_offer = prepareOffer;
    if (index) options.known_records = &index->recordKeys();
    fmt::OfferFileReader reader(*job.dialect, options);
    fmt::FileByteSource source(req.path);
    result.summary = reader.readOnePass(source, sink);
    stream.complete();
    if (first_load && !result.summary.file_error) {
      pqxx::stream_to staging(tx, kStagingTable, stagingColumns());
      first_load->flush(staging);
      staging.complete();
    }
    file_warnings = std::move(sink.file_warnings);
    unchanged_not_sent = sink.unchanged;
    result.rows_not_read = sink.not_read;
    record_keys = std::move(sink.record_keys);
    result.rows_sent = sink.sent;
  }
  if (result.summary.file_error) {
    result.outcome = RunOutcome::kRejectedFile;
    result.message = result.summary.file_error->code + ": " + result.summary.file_error->message;
    return result;  // the caller rolls back
  }
  tx.exec("ANALYZE passerelle_staging");  // temp tables are never auto-analysed

  const MergeContext ctx{req.partner, result.run_id, req.today, job.started_at};
  std::vector<StoreWarning> store_warnings;
  if (!job.isSnapshot()) store_warnings = planDelta(tx, ctx);
  result.store_warnings = static_cast<long>(store_warnings.size());
  writeRejectsAndWarnings(tx, result.run_id, file_warnings, store_warnings);

  if (job.isSnapshot() && !job.approving) {
    const WithdrawForecast forecast = index->forecast();
    if (auto reason = quarantineReason(forecast, result.summary.records, req.limits)) {
      result.outcome = RunOutcome::kQuarantined;
      result.message = *reason;
      result.quarantine = ImportResult::Forecast{static_cast<long>(forecast.to_withdraw),
                                                 static_cast<long>(forecast.active)};
      finishRun(tx, job, result,
                req.dry_run ? std::string() : keepInQuarantine(job, result.run_id));
      recordLedger(tx, job, result.run_id, "quarantined", job.started_at);
      return result;
    }
  }

  result.counts = applyMerge(tx, ctx, index ? std::optional(index->absent()) : std::nullopt);
  result.counts.unchanged += unchanged_not_sent;
  record_keys.write(tx, req.partner);
  result.outcome = job.approving ? RunOutcome::kApproved : RunOutcome::kImported;
  finishRun(tx, job, result, std::nullopt);
  if (job.approving) {
    tx.exec_params("UPDATE import_runs SET approved_by_run = $2 WHERE id = $1", *job.approving,
                   result.run_id);
    FileLedger::markApproved(tx, *job.approving, result.run_id);
  } else {
    recordLedger(tx, job, result.run_id, "imported", job.started_at);
  }
  return result;
}

}  // namespace passerelle::daemon

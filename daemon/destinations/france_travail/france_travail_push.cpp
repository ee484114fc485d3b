#include "daemon/destinations/france_travail/france_travail_push.h"

#include "daemon/log/event_log.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

namespace {

// A movement going into the file, and what to store once it is accepted.
struct FileRow {
  Movement movement;
  char type = 'C';
  std::string row_hash;  // C/M; empty for S
};

}  // namespace

// The rows of one batch: the file being built and the movements in it.
struct FranceTravailPush::Batch {
  explicit Batch(const pc::FtFeedSettings& feed) : builder(feed) {}
  pc::FtFileBuilder builder;
  std::vector<FileRow> rows;
};

FranceTravailPush::FranceTravailPush(pqxx::connection& connection, pc::FranceTravailClient& client,
                                     Outbox& outbox, FtPushSettings settings)
    : db_(connection), client_(client), outbox_(outbox), settings_(std::move(settings)) {}

FtBatchResult FranceTravailPush::runBatch() {
  pc::Clock& clock = outbox_.clock();
  FtBatchResult result;
  std::vector<Movement> claimed;
  std::int64_t run = 0;
  {
    pqxx::work tx(db_);
    if (pausedReason(tx, kFranceTravailDestination)) {
      result.counts.paused = true;
      return result;
    }
    claimed = outbox_.claim(tx, kFranceTravailDestination, settings_.batch_limit);
    if (!claimed.empty())
      run = startPushRun(tx, kFranceTravailDestination, outbox_.workerId(), clock);
    tx.commit();
  }
  if (claimed.empty()) return result;
  result.counts.claimed = static_cast<long>(claimed.size());

  Batch batch(settings_.feed);
  decide(claimed, batch, result.counts);
  PushRunEnd end;
  result.rows = static_cast<long>(batch.rows.size());
  if (!batch.rows.empty()) send(batch, result, end);
  end.outcome = pushOutcome(result.counts);
  pqxx::work tx(db_);
  finishPushRun(tx, run, result.counts, end, clock);
  tx.commit();
  return result;
}

void FranceTravailPush::decide(const std::vector<Movement>& claimed, Batch& batch,
                               PushCounts& counts) {
  // Every movement decided; those with nothing to send settled at once.
  pqxx::work tx(db_);
  for (const Movement& m : claimed) {
    const std::optional<StoredOffer> stored = loadStoredOffer(tx, m.partner, m.source_ref);
    if (!stored) {
      countSettled(counts,
                   outbox_.settle(tx, m, "failed", std::string("offer not found or unreadable")),
                   &PushCounts::failed);
      continue;
    }
    const DestinationOffer dest =
        loadDestinationOffer(tx, m.partner, m.source_ref, kFranceTravailDestination);
    pc::FtRowInput input;
    input.offer = &stored->offer;
    input.created = stored->first_seen;
    input.modified = stored->last_changed;
    const pc::FtDecision d =
        pc::decideFt(input, stored->status, dest.accepted_hash, settings_.feed);
    if (!d.warnings.empty())
      logWarning("france-travail row sent without a value it could not hold",
                 {{"destination", kFranceTravailDestination},
                  {"partner", m.partner},
                  {"ref", m.source_ref},
                  {"warnings", pc::reasonsText(d.warnings)}});
    switch (d.movement) {
      case pc::FtMovement::kNone:
        countSettled(counts, outbox_.settle(tx, m, "sent"), &PushCounts::unchanged);
        break;
      case pc::FtMovement::kNotEligible:
        countSettled(counts, settleNotEligible(tx, outbox_, m, d.reasons),
                     &PushCounts::not_eligible);
        break;
      case pc::FtMovement::kCreate:
      case pc::FtMovement::kModify:
        batch.builder.add(d.fields, pc::toChar(d.movement));
        batch.rows.push_back({m, pc::toChar(d.movement), d.row_hash});
        break;
      case pc::FtMovement::kSuppress:
        input.movement = 'S';
        batch.builder.add(input);
        batch.rows.push_back({m, 'S', ""});
        if (!d.reasons.empty())
          recordEligibility(tx, m.partner, m.source_ref, kFranceTravailDestination, d.reasons);
        break;
    }
  }
  tx.commit();
}

void FranceTravailPush::send(Batch& batch, FtBatchResult& result, PushRunEnd& end) {
  pc::Clock& clock = outbox_.clock();
  const pc::FtPayload payload =
      pc::ftPayload(batch.builder.bytes(), settings_.feed_name, settings_.zip, clock);
  pc::FtUploadResult upload;
  if (payload.file_name.empty()) {
    upload.error = "the file could not be built (zip)";
  } else {
    upload = client_.send(payload);
  }
  if (upload.stopped) {
    result.stopped = true;
    end.message = "stopped before an answer";
    releaseStopped(batch, result.counts);
    return;
  }
  result.accepted = upload.accepted;
  result.file_name = payload.file_name;
  result.answer = upload.answer;
  end.file_name = payload.file_name;
  if (upload.http_status) end.http_status = upload.http_status;
  pqxx::work tx(db_);
  if (upload.accepted) {
    recordAccepted(tx, batch, upload, result.counts);
  } else {
    end.message = "file " + payload.file_name + " refused: HTTP " +
                  std::to_string(upload.http_status) +
                  (upload.error.empty() ? "" : " " + upload.error) +
                  (upload.answer.empty() ? "" : " answer: " + upload.answer.substr(0, 2000));
    recordRefused(tx, batch, upload, *end.message, result.counts);
  }
  tx.commit();
  (upload.accepted ? logInfo : logWarning)(
      upload.accepted ? "france-travail file accepted" : "france-travail file refused",
      {{"destination", kFranceTravailDestination},
       {"file", payload.file_name},
       {"rows", static_cast<long>(batch.rows.size())},
       {"http_status", upload.http_status},
       {"answer", upload.answer.substr(0, 200)},
       {"error", upload.error}});
}

// Stopping: the file was not sent, or its upload abandoned before an answer;
// its movements go back pending, their attempt not counted.
void FranceTravailPush::releaseStopped(const Batch& batch, PushCounts& counts) {
  pqxx::work tx(db_);
  for (const FileRow& row : batch.rows)
    if (outbox_.release(tx, row.movement) != SettleResult::kLostLease) ++counts.released;
  tx.commit();
  logInfo(
      "france-travail upload stopped; its movements stay pending",
      {{"destination", kFranceTravailDestination}, {"rows", static_cast<long>(batch.rows.size())}});
}

void FranceTravailPush::recordAccepted(pqxx::transaction_base& tx, const Batch& batch,
                                       const pc::FtUploadResult& upload, PushCounts& counts) {
  pc::Clock& clock = outbox_.clock();
  for (const FileRow& row : batch.rows) {
    const Movement& m = row.movement;
    // What France Travail holds is a fact once the file is accepted,
    // whoever owns the movement now.
    recordFileRowAccepted(tx, m.partner, m.source_ref, kFranceTravailDestination, row.row_hash,
                          row.type == 'S', clock);
    countSettled(counts, outbox_.settle(tx, m, "sent", std::nullopt, upload.http_status),
                 &PushCounts::sent);
  }
  recordSuccess(tx, kFranceTravailDestination, clock);
}

void FranceTravailPush::recordRefused(pqxx::transaction_base& tx, const Batch& batch,
                                      const pc::FtUploadResult& upload, const std::string& error,
                                      PushCounts& counts) {
  const std::optional<long> http =
      upload.http_status ? std::optional<long>(upload.http_status) : std::nullopt;
  for (const FileRow& row : batch.rows)
    countSettled(counts, outbox_.retryLater(tx, row.movement, error, http), &PushCounts::retried);
  recordDestinationError(tx, kFranceTravailDestination, error, outbox_.clock());
}

}  // namespace passerelle::daemon

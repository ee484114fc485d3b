#include "daemon/destinations/france_travail/france_travail_push.h"

#include "daemon/log/event_log.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// A movement going into the file, and what to store once it is accepted.
struct FileRow {
  Movement movement;
  char type = 'C';
  std::string row_hash;  // C/M; empty for S
};

}  // namespace

FranceTravailPush::FranceTravailPush(pqxx::connection& connection, pc::FranceTravailClient& client,
                                     Outbox& outbox, FtPushSettings settings)
    : db_(connection), client_(client), outbox_(outbox), settings_(std::move(settings)) {}

FtBatchResult FranceTravailPush::runBatch() {
  pc::Clock& clock = outbox_.clock();
  FtBatchResult result;
  PushCounts& counts = result.counts;
  std::vector<Movement> claimed;
  std::int64_t run = 0;
  {
    pqxx::work tx(db_);
    if (pausedReason(tx, kFranceTravailDestination)) {
      counts.paused = true;
      return result;
    }
    claimed = outbox_.claim(tx, kFranceTravailDestination, settings_.batch_limit);
    if (!claimed.empty())
      run = startPushRun(tx, kFranceTravailDestination, outbox_.workerId(), clock);
    tx.commit();
  }
  if (claimed.empty()) return result;
  counts.claimed = static_cast<long>(claimed.size());

  // Decide every movement; settle at once those with nothing to send.
  pc::FtFileBuilder builder(settings_.feed);
  std::vector<FileRow> rows;
  {
    pqxx::work tx(db_);
    for (const Movement& m : claimed) {
      const std::optional<StoredOffer> stored = loadStoredOffer(tx, m.partner, m.source_ref);
      if (!stored) {
        if (outbox_.settle(tx, m, "failed", std::string("offer not found or unreadable")) ==
            SettleResult::kDone) {
          ++counts.failed;
        }
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
      switch (d.movement) {
        case pc::FtMovement::kNone:
          if (outbox_.settle(tx, m, "sent") == SettleResult::kDone) ++counts.unchanged;
          break;
        case pc::FtMovement::kNotEligible:
          recordEligibility(tx, m.partner, m.source_ref, kFranceTravailDestination, d.reasons);
          if (outbox_.settle(tx, m, "not_eligible", "not eligible: " + joined(d.reasons)) ==
              SettleResult::kDone) {
            ++counts.not_eligible;
          }
          break;
        case pc::FtMovement::kCreate:
        case pc::FtMovement::kModify:
          builder.add(d.fields, pc::toChar(d.movement));
          rows.push_back({m, pc::toChar(d.movement), d.row_hash});
          break;
        case pc::FtMovement::kSuppress:
          input.movement = 'S';
          builder.add(input);
          rows.push_back({m, 'S', ""});
          if (!d.reasons.empty()) {
            recordEligibility(tx, m.partner, m.source_ref, kFranceTravailDestination, d.reasons);
          }
          break;
      }
    }
    tx.commit();
  }

  PushRunEnd end;
  result.rows = static_cast<long>(rows.size());
  if (!rows.empty()) {
    const pc::FtPayload payload =
        pc::ftPayload(builder.bytes(), settings_.feed_name, settings_.zip, clock);
    pc::FtUploadResult upload;
    if (payload.file_name.empty()) {
      upload.error = "the file could not be built (zip)";
    } else {
      upload = client_.send(payload);
    }
    result.accepted = upload.accepted;
    result.file_name = payload.file_name;
    result.answer = upload.answer;
    end.file_name = payload.file_name;
    if (upload.http_status) end.http_status = upload.http_status;
    pqxx::work tx(db_);
    const std::string now = sqlTimestamp(clock.now());
    if (upload.accepted) {
      for (const FileRow& row : rows) {
        const Movement& m = row.movement;
        // What France Travail holds is a fact once the file is accepted,
        // whoever owns the movement now.
        tx.exec_params(
            "INSERT INTO destination_offers (partner, source_ref, destination, accepted_hash,"
            " accepted_at, not_eligible_reasons) VALUES ($1, $2, $3, nullif($4, ''),"
            " $5::timestamptz, '{}')"
            " ON CONFLICT (partner, source_ref, destination) DO UPDATE SET"
            " accepted_hash = excluded.accepted_hash, accepted_at = excluded.accepted_at,"
            " not_eligible_reasons = CASE WHEN $6 = 'S' THEN "
            "destination_offers.not_eligible_reasons"
            "   ELSE '{}' END, last_error = NULL, updated_at = now()",
            m.partner, m.source_ref, kFranceTravailDestination, row.row_hash, now,
            std::string(1, row.type));
        if (outbox_.settle(tx, m, "sent", std::nullopt, upload.http_status) ==
            SettleResult::kDone) {
          ++counts.sent;
        } else {
          ++counts.lost_leases;
        }
      }
      recordSuccess(tx, kFranceTravailDestination, clock);
    } else {
      const std::string error =
          "file " + payload.file_name + " refused: HTTP " + std::to_string(upload.http_status) +
          (upload.error.empty() ? "" : " " + upload.error) +
          (upload.answer.empty() ? "" : " answer: " + upload.answer.substr(0, 2000));
      for (const FileRow& row : rows) {
        const SettleResult r = outbox_.retryLater(
            tx, row.movement, error,
            upload.http_status ? std::optional<long>(upload.http_status) : std::nullopt);
        if (r == SettleResult::kGaveUp) ++counts.failed;
        if (r == SettleResult::kRetrying) ++counts.retried;
        if (r == SettleResult::kLostLease) ++counts.lost_leases;
      }
      end.message = error;
      tx.exec_params(
          "UPDATE destination_status SET last_error = $2, last_error_at = $3::timestamptz"
          " WHERE destination = $1",
          kFranceTravailDestination, error, now);
    }
    tx.commit();
    (upload.accepted ? logInfo : logWarning)(
        upload.accepted ? "france-travail file accepted" : "france-travail file refused",
        {{"destination", kFranceTravailDestination},
         {"file", payload.file_name},
         {"rows", static_cast<long>(rows.size())},
         {"http_status", upload.http_status},
         {"answer", upload.answer.substr(0, 200)},
         {"error", upload.error}});
  }
  end.outcome = pushOutcome(counts);
  pqxx::work tx(db_);
  finishPushRun(tx, run, counts, end, clock);
  tx.commit();
  return result;
}

}  // namespace passerelle::daemon

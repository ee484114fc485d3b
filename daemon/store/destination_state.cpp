#include "daemon/store/destination_state.h"

#include "daemon/store/outbox.h"
#include "formats/offer_json_parse.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

PushCounts& PushCounts::operator+=(const PushCounts& o) {
  claimed += o.claimed;
  sent += o.sent;
  unchanged += o.unchanged;
  not_eligible += o.not_eligible;
  retried += o.retried;
  failed += o.failed;
  released += o.released;
  lost_leases += o.lost_leases;
  paused = paused || o.paused;
  return *this;
}

namespace {
std::string textArray(pqxx::transaction_base& tx, const std::vector<std::string>& items) {
  std::string out = "ARRAY[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += tx.quote(items[i]);
  }
  return out + "]::text[]";
}
}  // namespace

bool countSettled(PushCounts& counts, SettleResult result, long PushCounts::*done) {
  switch (result) {
    case SettleResult::kDone:
      ++(counts.*done);
      return true;
    case SettleResult::kRetrying:
      ++counts.retried;
      return true;
    case SettleResult::kGaveUp:
      ++counts.failed;
      return true;
    case SettleResult::kLostLease:
      ++counts.lost_leases;
      return false;
  }
  return false;
}

std::optional<StoredOffer> loadStoredOffer(pqxx::transaction_base& tx, const std::string& partner,
                                           const std::string& source_ref) {
  const pqxx::result r = tx.exec_params(
      "SELECT json, status, to_char(first_seen AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD'),"
      " to_char(last_changed AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD')"
      " FROM offers WHERE partner = $1 AND source_ref = $2",
      partner, source_ref);
  if (r.empty()) return std::nullopt;
  auto offer = formats::parseOfferJson(r[0][0].as<std::string>());
  if (!offer) return std::nullopt;
  StoredOffer s;
  s.offer = std::move(*offer);
  const std::string status = r[0][1].as<std::string>();
  s.status = status == "active"      ? pc::OfferStatus::kActive
             : status == "withdrawn" ? pc::OfferStatus::kWithdrawn
                                     : pc::OfferStatus::kExpired;
  pc::parseIsoDate(r[0][2].as<std::string>(), s.first_seen);
  pc::parseIsoDate(r[0][3].as<std::string>(), s.last_changed);
  return s;
}

DestinationOffer loadDestinationOffer(pqxx::transaction_base& tx, const std::string& partner,
                                      const std::string& source_ref,
                                      const std::string& destination) {
  DestinationOffer d;
  const pqxx::result r = tx.exec_params(
      "SELECT service_id, accepted_hash, closed_at IS NOT NULL, rolling_expiration::text,"
      " accepted_body, unsettled_body, possibly_present, publishing_status"
      " FROM destination_offers WHERE partner = $1 AND source_ref = $2 AND destination = $3",
      partner, source_ref, destination);
  if (r.empty()) return d;
  const pqxx::row row = r[0];
  auto text = [&](int i) {
    return row[i].is_null() ? std::nullopt : std::optional<std::string>(row[i].as<std::string>());
  };
  d.service_id = text(0);
  d.accepted_hash = text(1);
  d.closed = row[2].as<bool>();
  if (const auto rolling = text(3)) {
    formats::CivilDate date;
    if (pc::parseIsoDate(*rolling, date)) d.rolling_expiration = date;
  }
  d.accepted_body = text(4);
  d.unsettled_body = text(5);
  d.possibly_present = row[6].as<bool>();
  d.publishing_status = text(7);
  return d;
}

void recordEligibility(pqxx::transaction_base& tx, const std::string& partner,
                       const std::string& source_ref, const std::string& destination,
                       const std::vector<std::string>& reasons) {
  tx.exec_params(
      "INSERT INTO destination_offers (partner, source_ref, destination,"
      " not_eligible_reasons) VALUES ($1, $2, $3, " +
          textArray(tx, reasons) +
          ") ON CONFLICT (partner, source_ref, destination) DO UPDATE SET"
          " not_eligible_reasons = excluded.not_eligible_reasons, updated_at = now()",
      partner, source_ref, destination);
}

SettleResult settleNotEligible(pqxx::transaction_base& tx, Outbox& outbox, const Movement& m,
                               const std::vector<std::string>& reasons) {
  recordEligibility(tx, m.partner, m.source_ref, m.destination, reasons);
  return outbox.settle(tx, m, "not_eligible", "not eligible: " + pc::reasonsText(reasons));
}

void recordOfferError(pqxx::transaction_base& tx, const std::string& partner,
                      const std::string& source_ref, const std::string& destination,
                      const std::string& error, const pc::Clock& clock) {
  tx.exec_params(
      "INSERT INTO destination_offers (partner, source_ref, destination, last_error,"
      " last_error_at) VALUES ($1, $2, $3, $4, $5::timestamptz)"
      " ON CONFLICT (partner, source_ref, destination) DO UPDATE SET"
      " last_error = excluded.last_error, last_error_at = excluded.last_error_at,"
      " updated_at = now()",
      partner, source_ref, destination, error, sqlTimestamp(clock.now()));
}

void recordServiceWrite(pqxx::transaction_base& tx, const std::string& partner,
                        const std::string& source_ref, const std::string& destination,
                        const AcceptedWrite& write, const pc::Clock& clock) {
  tx.exec_params(
      "INSERT INTO destination_offers (partner, source_ref, destination, service_id,"
      " accepted_hash, accepted_body, accepted_at, written_at, rolling_expiration,"
      " dropped_channels)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $7::timestamptz, nullif($8, '')::date, " +
          textArray(tx, write.dropped_channels) +
          ") ON CONFLICT (partner, source_ref, destination) DO UPDATE SET"
          " service_id = excluded.service_id, accepted_hash = excluded.accepted_hash,"
          " accepted_body = excluded.accepted_body, unsettled_body = NULL,"
          " dropped_channels = excluded.dropped_channels,"
          " possibly_present = false,"
          " accepted_at = excluded.accepted_at, written_at = excluded.written_at,"
          " rolling_expiration = excluded.rolling_expiration, closed_at = NULL,"
          " publishing_status = NULL, publishing_error_code = NULL,"
          " publishing_error_label = NULL, publishing_checked_at = NULL,"
          " not_eligible_reasons = '{}', last_error = NULL, updated_at = now()",
      partner, source_ref, destination, write.service_id, write.body_hash, write.body,
      sqlTimestamp(clock.now()), write.rolling_expiration);
}

void recordUnsettledWrite(pqxx::transaction_base& tx, const std::string& partner,
                          const std::string& source_ref, const std::string& destination,
                          const std::string& body) {
  tx.exec_params(
      "INSERT INTO destination_offers (partner, source_ref, destination, unsettled_body,"
      " possibly_present) VALUES ($1, $2, $3, $4, true)"
      " ON CONFLICT (partner, source_ref, destination) DO UPDATE SET"
      " unsettled_body = excluded.unsettled_body, possibly_present = true, updated_at = now()",
      partner, source_ref, destination, body);
}

void recordWriteNotApplied(pqxx::transaction_base& tx, const std::string& partner,
                           const std::string& source_ref, const std::string& destination,
                           bool possibly_present_before) {
  tx.exec_params(
      "UPDATE destination_offers SET possibly_present = $4, updated_at = now()"
      " WHERE partner = $1 AND source_ref = $2 AND destination = $3",
      partner, source_ref, destination, possibly_present_before);
}

void recordServiceClose(pqxx::transaction_base& tx, const std::string& partner,
                        const std::string& source_ref, const std::string& destination,
                        const pc::Clock& clock) {
  tx.exec_params(
      "UPDATE destination_offers SET closed_at = $4::timestamptz, accepted_hash = NULL,"
      " possibly_present = false, unsettled_body = NULL,"
      " written_at = $4::timestamptz, last_error = NULL, updated_at = now()"
      " WHERE partner = $1 AND source_ref = $2 AND destination = $3",
      partner, source_ref, destination, sqlTimestamp(clock.now()));
}

void recordFileRowAccepted(pqxx::transaction_base& tx, const std::string& partner,
                           const std::string& source_ref, const std::string& destination,
                           const std::string& row_hash, bool suppressed, const pc::Clock& clock) {
  tx.exec_params(
      "INSERT INTO destination_offers (partner, source_ref, destination, accepted_hash,"
      " accepted_at, not_eligible_reasons) VALUES ($1, $2, $3, nullif($4, ''),"
      " $5::timestamptz, '{}')"
      " ON CONFLICT (partner, source_ref, destination) DO UPDATE SET"
      " accepted_hash = excluded.accepted_hash, accepted_at = excluded.accepted_at,"
      " not_eligible_reasons = CASE WHEN $6 THEN destination_offers.not_eligible_reasons"
      "   ELSE '{}' END, last_error = NULL, updated_at = now()",
      partner, source_ref, destination, row_hash, sqlTimestamp(clock.now()), suppressed);
}

void recordPublishingStatus(pqxx::transaction_base& tx, const std::string& partner,
                            const std::string& source_ref, const std::string& destination,
                            const std::string& service_id, const PublishingStatus& status,
                            const pc::Clock& clock) {
  tx.exec_params(
      "UPDATE destination_offers SET publishing_status = $5, publishing_error_code = $6,"
      " publishing_error_label = $7, publishing_checked_at = $8::timestamptz, updated_at = now()"
      " WHERE partner = $1 AND source_ref = $2 AND destination = $3 AND service_id = $4",
      partner, source_ref, destination, service_id, status.status, status.error_code,
      status.error_label, sqlTimestamp(clock.now()));
}

std::vector<PublishedOffer> publishingDue(pqxx::transaction_base& tx,
                                          const std::string& destination,
                                          pc::Clock::WallTime written_before, int limit) {
  std::vector<PublishedOffer> due;
  for (const pqxx::row& row :
       tx.exec_params("SELECT partner, source_ref, service_id FROM destination_offers"
                      " WHERE destination = $1 AND service_id IS NOT NULL AND closed_at IS NULL"
                      " AND written_at <= $2::timestamptz AND (publishing_status IS NULL"
                      "   OR (publishing_status = 'WILL_BE_PUBLISHED'"
                      "       AND publishing_checked_at <= $2::timestamptz))"
                      " ORDER BY written_at LIMIT $3",
                      destination, sqlTimestamp(written_before), limit))
    due.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
  return due;
}

std::vector<AuditedOffer> auditDue(pqxx::transaction_base& tx, const std::string& destination,
                                   int limit) {
  std::vector<AuditedOffer> due;
  for (const pqxx::row& row :
       tx.exec_params("SELECT d.partner, d.source_ref, d.service_id,"
                      " coalesce(o.status = 'active', false) AND d.closed_at IS NULL"
                      "   AND cardinality(d.not_eligible_reasons) = 0"
                      " FROM destination_offers d LEFT JOIN offers o USING (partner, source_ref)"
                      " WHERE d.destination = $1 AND d.service_id IS NOT NULL"
                      " ORDER BY d.audited_at NULLS FIRST, d.partner, d.source_ref LIMIT $2",
                      destination, limit))
    due.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                   row[3].as<bool>()});
  return due;
}

void recordAudited(pqxx::transaction_base& tx, const AuditedOffer& offer,
                   const std::string& destination, const pc::Clock& clock) {
  tx.exec_params(
      "UPDATE destination_offers SET audited_at = $4::timestamptz"
      " WHERE partner = $1 AND source_ref = $2 AND destination = $3",
      offer.partner, offer.source_ref, destination, sqlTimestamp(clock.now()));
}

void recordFoundPresent(pqxx::transaction_base& tx, const AuditedOffer& offer,
                        const std::string& destination) {
  tx.exec_params(
      "UPDATE destination_offers SET possibly_present = true, updated_at = now()"
      " WHERE partner = $1 AND source_ref = $2 AND destination = $3",
      offer.partner, offer.source_ref, destination);
}

void recordFoundMissing(pqxx::transaction_base& tx, const AuditedOffer& offer,
                        const std::string& destination) {
  tx.exec_params(
      "UPDATE destination_offers SET accepted_hash = NULL, closed_at = NULL,"
      " publishing_status = NULL, updated_at = now()"
      " WHERE partner = $1 AND source_ref = $2 AND destination = $3",
      offer.partner, offer.source_ref, destination);
}

void forgetAcceptedRows(pqxx::transaction_base& tx, const std::string& destination) {
  tx.exec_params(
      "UPDATE destination_offers d SET accepted_hash = NULL, updated_at = now()"
      " FROM offers o WHERE d.destination = $1 AND d.accepted_hash IS NOT NULL"
      " AND o.partner = d.partner AND o.source_ref = d.source_ref AND o.status = 'active'",
      destination);
}

std::optional<std::string> pausedReason(pqxx::transaction_base& tx,
                                        const std::string& destination) {
  const pqxx::result r = tx.exec_params(
      "SELECT paused_reason FROM destination_status WHERE destination = $1", destination);
  if (r.empty() || r[0][0].is_null()) return std::nullopt;
  return r[0][0].as<std::string>();
}

void pauseDestination(pqxx::transaction_base& tx, const std::string& destination,
                      const std::string& reason, const pc::Clock& clock) {
  tx.exec_params(
      "INSERT INTO destination_status (destination, paused_reason, paused_at, last_error,"
      " last_error_at) VALUES ($1, $2, $3::timestamptz, $2, $3::timestamptz)"
      " ON CONFLICT (destination) DO UPDATE SET paused_reason = excluded.paused_reason,"
      " paused_at = excluded.paused_at, last_error = excluded.last_error,"
      " last_error_at = excluded.last_error_at",
      destination, reason, sqlTimestamp(clock.now()));
}

void resumeDestination(pqxx::transaction_base& tx, const std::string& destination) {
  tx.exec_params(
      "UPDATE destination_status SET paused_reason = NULL, paused_at = NULL"
      " WHERE $1 = '' OR destination = $1",
      destination);
}

void recordSuccess(pqxx::transaction_base& tx, const std::string& destination,
                   const pc::Clock& clock) {
  tx.exec_params(
      "INSERT INTO destination_status (destination, last_success_at) VALUES ($1, $2::timestamptz)"
      " ON CONFLICT (destination) DO UPDATE SET last_success_at = excluded.last_success_at",
      destination, sqlTimestamp(clock.now()));
}

void recordDestinationError(pqxx::transaction_base& tx, const std::string& destination,
                            const std::string& error, const pc::Clock& clock) {
  tx.exec_params(
      "UPDATE destination_status SET last_error = $2, last_error_at = $3::timestamptz"
      " WHERE destination = $1",
      destination, error, sqlTimestamp(clock.now()));
}

std::int64_t startPushRun(pqxx::transaction_base& tx, const std::string& destination,
                          const std::string& worker, const pc::Clock& clock) {
  return tx
      .exec_params(
          "INSERT INTO push_runs (destination, worker, started_at) VALUES ($1, $2, $3::timestamptz)"
          " RETURNING id",
          destination, worker, sqlTimestamp(clock.now()))[0][0]
      .as<std::int64_t>();
}

void finishPushRun(pqxx::transaction_base& tx, std::int64_t run, const PushCounts& c,
                   const PushRunEnd& end, const pc::Clock& clock) {
  tx.exec_params(
      "UPDATE push_runs SET finished_at = $2::timestamptz, claimed = $3, sent = $4,"
      " unchanged = $5, not_eligible = $6, retried = $7, failed = $8, released = $9,"
      " outcome = $10, file_name = $11, http_status = $12, message = $13 WHERE id = $1",
      run, sqlTimestamp(clock.now()), c.claimed, c.sent, c.unchanged, c.not_eligible, c.retried,
      c.failed, c.released, end.outcome, end.file_name,
      end.http_status ? std::optional<int>(static_cast<int>(*end.http_status)) : std::nullopt,
      end.message);
}

std::string pushOutcome(const PushCounts& c) {
  if (c.paused) return "paused";
  if (c.failed > 0 || c.retried > 0 || c.lost_leases > 0) return "partial";
  return "done";
}

bool pushIncomplete(const PushCounts& c) {
  return c.paused || c.failed > 0 || c.retried > 0 || c.lost_leases > 0;
}

}  // namespace passerelle::daemon

// PushCommon: what the two destination workers (lba_push, france_travail_push)
// share: the offer as stored (canonical JSON parsed back, status, dates), the
// per-offer destination state (destination_offers), the destination's pause
// (destination_status, set on 401) and the push_runs rows.
//
// Thread safety: stateless functions over the caller's transaction; a
// transaction belongs to one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "connectors/destination/destination_common.h"
#include "connectors/host/clock.h"
#include "daemon/store/outbox.h"
#include "formats/offer.h"
#include "formats/paris_time.h"

namespace passerelle::daemon {

struct PushCounts {
  long claimed = 0;
  long sent = 0;       // requests the service accepted (rows of an accepted file)
  long unchanged = 0;  // settled without a request
  long not_eligible = 0;
  long retried = 0;
  long failed = 0;    // given up: 400, or max attempts
  long released = 0;  // given back untouched: destination paused
  long lost_leases = 0;
  bool paused = false;  // the destination is paused (401 now or before)
  PushCounts& operator+=(const PushCounts& o);
};

// Counts a settle's result: done in `done` (sent, unchanged, not_eligible,
// failed), a retry, a give-up or a lost lease in theirs. Returns whether the
// movement was still ours (false: nothing was written; roll back).
bool countSettled(PushCounts& counts, SettleResult result, long PushCounts::*done);

// A movement whose offer the destination does not take: the reasons
// recorded, the movement settled `not_eligible` with them.
SettleResult settleNotEligible(pqxx::transaction_base& tx, Outbox& outbox, const Movement& m,
                               const std::vector<std::string>& reasons);

struct StoredOffer {
  formats::Offer offer;
  connectors::OfferStatus status = connectors::OfferStatus::kActive;
  formats::CivilDate first_seen, last_changed;  // Europe/Paris dates
};
// The offer's current row; nullopt if there is none or its JSON is unreadable.
std::optional<StoredOffer> loadStoredOffer(pqxx::transaction_base& tx, const std::string& partner,
                                           const std::string& source_ref);

struct DestinationOffer {
  std::optional<std::string> service_id;
  std::optional<std::string> accepted_hash;
  bool closed = false;
  std::optional<formats::CivilDate> rolling_expiration;
  // The last body the service accepted, and that of a write whose answer
  // never came (schema 004): what a close sends back.
  std::optional<std::string> accepted_body;
  std::optional<std::string> unsettled_body;
  // A write may have been applied without our knowing: close it anyway.
  bool possibly_present = false;
  std::optional<std::string> publishing_status;
};
DestinationOffer loadDestinationOffer(pqxx::transaction_base& tx, const std::string& partner,
                                      const std::string& source_ref,
                                      const std::string& destination);

// Upserts the destination_offers row with the reasons (empty = eligible).
void recordEligibility(pqxx::transaction_base& tx, const std::string& partner,
                       const std::string& source_ref, const std::string& destination,
                       const std::vector<std::string>& reasons);
void recordOfferError(pqxx::transaction_base& tx, const std::string& partner,
                      const std::string& source_ref, const std::string& destination,
                      const std::string& error, const connectors::Clock& clock);

// What a service holds, once it answered. destination_offers is written
// only here: by the destinations' workers and reconcile.
// lba accepted a write: its id, the body and its hash, the rolling
// expiration sent (YYYY-MM-DD, empty: the offer's own); publishing to be
// read again; no longer "possibly present" (it is present).
struct AcceptedWrite {
  std::string service_id;
  std::string body;
  std::string body_hash;
  std::string rolling_expiration;
  // Apply channels left out because the service would refuse them
  // (EMAIL_REFUSED, PHONE_REFUSED), shown to operators and the partner.
  std::vector<std::string> dropped_channels;
};
void recordServiceWrite(pqxx::transaction_base& tx, const std::string& partner,
                        const std::string& source_ref, const std::string& destination,
                        const AcceptedWrite& write, const connectors::Clock& clock);
// A write about to be sent (write-ahead) or whose answer never came: it may
// be applied, so the offer is possibly present until an answer settles it.
void recordUnsettledWrite(pqxx::transaction_base& tx, const std::string& partner,
                          const std::string& source_ref, const std::string& destination,
                          const std::string& body);
// A write surely not applied (400, 401, 429): the offer is as present as it
// was before the write-ahead of recordUnsettledWrite().
void recordWriteNotApplied(pqxx::transaction_base& tx, const std::string& partner,
                           const std::string& source_ref, const std::string& destination,
                           bool possibly_present_before);
// The service closed the offer (or it was never online, WILL_NOT_BE_PUBLISHED).
void recordServiceClose(pqxx::transaction_base& tx, const std::string& partner,
                        const std::string& source_ref, const std::string& destination,
                        const connectors::Clock& clock);
// A file row accepted (France Travail): the row's hash (empty: suppressed,
// nothing held any more); a suppression keeps the reasons that caused it.
void recordFileRowAccepted(pqxx::transaction_base& tx, const std::string& partner,
                           const std::string& source_ref, const std::string& destination,
                           const std::string& row_hash, bool suppressed,
                           const connectors::Clock& clock);
struct PublishingStatus {
  std::string status;  // PUBLISHED, WILL_BE_PUBLISHED, WILL_NOT_BE_PUBLISHED
  std::optional<std::string> error_code, error_label;
};
void recordPublishingStatus(pqxx::transaction_base& tx, const std::string& partner,
                            const std::string& source_ref, const std::string& destination,
                            const std::string& service_id, const PublishingStatus& status,
                            const connectors::Clock& clock);
// Offers whose publishing status is due: written before `written_before`,
// never read, or still WILL_BE_PUBLISHED when last read before it.
struct PublishedOffer {
  std::string partner, source_ref, service_id;
};
std::vector<PublishedOffer> publishingDue(pqxx::transaction_base& tx,
                                          const std::string& destination,
                                          connectors::Clock::WallTime written_before, int limit);
// Reconcile's audit: offers the service was sent (with an id), least
// recently audited first, with what the store expects the service to show.
struct AuditedOffer {
  std::string partner, source_ref, service_id;
  bool expected_active = false;  // active here, eligible, not closed
};
std::vector<AuditedOffer> auditDue(pqxx::transaction_base& tx, const std::string& destination,
                                   int limit);
void recordAudited(pqxx::transaction_base& tx, const AuditedOffer& offer,
                   const std::string& destination, const connectors::Clock& clock);
// Drift found by the audit. Active there but not here: the offer is
// present (its close will be sent). Missing or closed there but active here:
// what was accepted is forgotten (the offer will be sent again).
void recordFoundPresent(pqxx::transaction_base& tx, const AuditedOffer& offer,
                        const std::string& destination);
void recordFoundMissing(pqxx::transaction_base& tx, const AuditedOffer& offer,
                        const std::string& destination);

// Forgets every row the destination accepted (reconcile --full-stock: every
// active offer is then sent as a creation).
void forgetAcceptedRows(pqxx::transaction_base& tx, const std::string& destination);

// destination_status.
std::optional<std::string> pausedReason(pqxx::transaction_base& tx, const std::string& destination);
void pauseDestination(pqxx::transaction_base& tx, const std::string& destination,
                      const std::string& reason, const connectors::Clock& clock);
void resumeDestination(pqxx::transaction_base& tx, const std::string& destination);
void recordSuccess(pqxx::transaction_base& tx, const std::string& destination,
                   const connectors::Clock& clock);
// The destination's last error (a refused file), for `status`.
void recordDestinationError(pqxx::transaction_base& tx, const std::string& destination,
                            const std::string& error, const connectors::Clock& clock);

// push_runs: one row per batch.
std::int64_t startPushRun(pqxx::transaction_base& tx, const std::string& destination,
                          const std::string& worker, const connectors::Clock& clock);
struct PushRunEnd {
  std::string outcome;  // done | partial | paused | failed
  std::optional<std::string> file_name;
  std::optional<long> http_status;
  std::optional<std::string> message;
};
void finishPushRun(pqxx::transaction_base& tx, std::int64_t run, const PushCounts& counts,
                   const PushRunEnd& end, const connectors::Clock& clock);
// The outcome of a batch from its counts.
std::string pushOutcome(const PushCounts& counts);
// Whether a push left work failed, waiting for a retry, or behind a pause
// (`push` and `daemon --once` then exit 2). Offers not eligible are not:
// they are reported, and nothing can be done by running again.
bool pushIncomplete(const PushCounts& counts);

}  // namespace passerelle::daemon

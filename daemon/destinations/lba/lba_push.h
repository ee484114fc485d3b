// LbaPush: the worker of the `lba` destination (shared/specs/destinations/
// lba.md): drains the outbox's lba movements through an LbaClient, keeps the
// per-offer state of the service (destination_offers: service id, hash of
// the last accepted body, eligibility reasons, publishing status) and the
// destination's status (paused on 401).
//
// For each claimed movement the offer's CURRENT state is read (a movement
// says "this offer changed", not what to send), then planLba decides:
//  - not eligible: reasons recorded, movement `not_eligible`, no request;
//  - upsert: body built; if its hash equals the last accepted one, settled
//    `sent` without a request; else POST (idempotent by partner_job_id);
//  - close: POST of the last accepted body with status Cancelled and its
//    expiration moved ahead (lba.md "POST also closes"), never a body built
//    from the current offer; an offer never written is not closed, one the
//    service will not publish is recorded closed without a write.
// Answers: ok -> id, body and hash stored; 400 -> `failed` at once with the
// service's message (a new import's movement brings it back); 401 -> the
// destination is paused and every claimed movement released untouched;
// 429 -> retried after Retry-After (else 60 s), the attempt not counted, and
// logged as a defect (the quota is shared through the store); 5xx/timeouts
// -> retried with backoff, and a write whose answer never came makes the
// offer "possibly present": its close is sent even without an id.
// No transaction is open during an HTTP request.
//
// Stopping (SIGTERM, the optional StopSignal): no write is started once stop
// is requested; a wait for the quota (a Retry-After pause) or a request in
// flight ends at once, and its movement, like every claimed one not yet
// processed, is given back pending with its attempt not counted (a request
// abandoned in flight leaves the offer "possibly present").
//
// Log volume: per-movement retries and unread publishing statuses are
// logged at debug level; an outage (lba down: every request fails) gives one
// warning per push run with the counts and the last error (reportFailures()),
// so that the log does not grow with the queue.
//
// refreshPublishingStatus() reads the publishing status of offers written
// at least 10 minutes ago (Clock time), and again every 10 minutes while
// WILL_BE_PUBLISHED. queueRollingRefresh() queues an upsert for active
// offers whose rolling expiration is about to run out.
//
// Thread safety: one LbaPush per thread (it owns the use of its connection);
// several LbaPush on several connections/daemons may run at once: the
// outbox's claims keep them apart. The LbaClient and Outbox may be shared.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"
#include "connectors/lba/lba_client.h"
#include "connectors/lba/lba_offer.h"
#include "daemon/store/destination_state.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {

inline constexpr const char* kLbaDestination = "lba";

struct LbaPushSettings {
  // Partners' configured ways to apply, by partner id.
  std::map<std::string, connectors::ApplyDefaults> apply_defaults;
  int rolling_expiration_days = 60;
  int rolling_refresh_before_days = 10;
  int claim_batch = 30;    // movements claimed at a time (one quota minute)
  int audit_batch = 1200;  // offers read back per reconcile (10 minutes of read quota)
  std::chrono::seconds publishing_delay = std::chrono::minutes(10);
};

class LbaPush {
 public:
  // `stop` (optional) must outlive the push; the client should share it.
  LbaPush(pqxx::connection& connection, connectors::LbaClient& client, Outbox& outbox,
          LbaPushSettings settings, const connectors::StopSignal* stop = nullptr);

  // Claims and processes one batch (at most `limit`, default claim_batch).
  PushCounts runBatch(int limit = 0);
  // Batches until nothing is due (or the destination is paused); records a
  // push_runs row.
  PushCounts drain();
  // Publishing statuses due (see above), at most `limit` reads. Returns how
  // many were read.
  long refreshPublishingStatus(int limit = 100);
  // Queues upserts for offers whose rolling expiration is near. Returns how many.
  long queueRollingRefresh();

  // Reconcile's audit: reads back (under the read quota) what the service
  // holds for at most `limit` offers sent, least recently audited first, so
  // that successive nights cover them all; queues the repair of any drift
  // (active there but not here: closed; missing or closed there but active
  // here: sent again). Stops early on 401 or 429.
  struct AuditCounts {
    long audited = 0;
    long closed = 0;  // close queued
    long resent = 0;  // upsert queued
  };
  AuditCounts audit(int limit);

  // One warning for what failed transiently since the last call (movements
  // to retry, publishing statuses not read, with the last error), if
  // anything did; then forgets it. drain() calls it; so does the caller of
  // runBatch() at the end of its run.
  void reportFailures();

 private:
  // What a request wrote, for recording the answer.
  struct Written {
    bool closing = false;
    std::string body;                           // the body sent
    std::string body_hash;                      // upsert: its hash
    std::string rolling_expiration;             // upsert: YYYY-MM-DD, or empty
    bool possibly_present_before = false;       // restored when the write was surely not applied
    std::vector<std::string> dropped_channels;  // upsert: channels left out (EMAIL_REFUSED...)
  };
  // POST of `body`, after recording that it may be applied (write-ahead).
  connectors::LbaResponse write(const Movement& m, const std::string& body);

  void process(const Movement& m, PushCounts& counts);
  std::optional<formats::CivilDate> rollingExpiration(const StoredOffer& stored,
                                                      const DestinationOffer& dest,
                                                      const connectors::LbaPlan& plan,
                                                      formats::CivilDate today) const;
  void settleNotEligible(const Movement& m, const std::vector<std::string>& reasons,
                         PushCounts& counts);
  void sendUpsert(const Movement& m, const StoredOffer& stored, const DestinationOffer& dest,
                  const connectors::LbaPlan& plan, const connectors::LbaBodyOptions& options,
                  PushCounts& counts);
  void sendClose(const Movement& m, const StoredOffer& stored, const DestinationOffer& dest,
                 const connectors::LbaPlan& plan, formats::CivilDate today,
                 connectors::LbaBodyOptions options, PushCounts& counts);
  // The answer recorded and the movement settled: one function per outcome.
  void afterAnswer(const Movement& m, const connectors::LbaResponse& response,
                   const Written& written, PushCounts& counts);
  void onAccepted(const Movement& m, const connectors::LbaResponse& response,
                  const Written& written, PushCounts& counts);
  void onRefused(const Movement& m, const connectors::LbaResponse& response, const Written& written,
                 PushCounts& counts);
  void onKeyRefused(const Movement& m, const connectors::LbaResponse& response,
                    const Written& written, PushCounts& counts);
  void onRetry(const Movement& m, const connectors::LbaResponse& response, const Written& written,
               std::optional<std::chrono::seconds> not_before, bool counts_attempt,
               PushCounts& counts);

  void onStopped(const Movement& m, const connectors::LbaResponse& response, const Written& written,
                 PushCounts& counts);
  bool stopping() const { return stop_ != nullptr && stop_->requested(); }

  pqxx::connection& db_;
  connectors::LbaClient& client_;
  Outbox& outbox_;
  LbaPushSettings settings_;
  const connectors::StopSignal* stop_;
  // Transient failures not yet reported (reportFailures()).
  long retries_unreported_ = 0;
  long statuses_unread_ = 0;
  std::string last_failure_;
};

}  // namespace passerelle::daemon

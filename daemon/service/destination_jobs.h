// DestinationJobs: pushing to the national services, set up from the
// configuration, for `passerelle push` and for the daemon's loop.
//
// runLbaPush() builds the lba client (API key from its secret, rate limits)
// and drains due movements in batches, stopping early when asked (SIGTERM)
// or when the destination is paused; then it queues rolling-expiration
// refreshes and reads publishing statuses that are due.
// runFranceTravailPush() builds one file of everything pending and uploads
// (or spools) it, then prunes the archive.
// As daemon jobs: lba runs every poll interval; France Travail at its
// configured times of day (Europe/Paris), with backoff after a failure.
//
// Thread safety: each call opens or uses one connection from the calling
// thread; a DestinationJob is run by the Service one call at a time.
#pragma once

#include <atomic>
#include <pqxx/pqxx>
#include <string>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "connectors/http/rate_limiter.h"
#include "connectors/lba/lba_client.h"
#include "daemon/config/config.h"
#include "daemon/destinations/france_travail/france_travail_push.h"
#include "daemon/destinations/lba/lba_push.h"
#include "daemon/service/service.h"
#include "daemon/store/destination_state.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {

// The lba worker's parts (rate limiter, client with its key, outbox, push),
// set up from the configuration; `worker` names it in the outbox's leases.
class LbaWorker {
 public:
  LbaWorker(pqxx::connection& store, const Config& config, const connectors::Host& host,
            connectors::Clock& clock, const std::string& worker);
  LbaPush& push() { return push_; }

 private:
  connectors::RateLimiter limiter_;
  connectors::LbaClient client_;
  Outbox outbox_;
  LbaPush push_;
};

// `once`: a single batch instead of draining the queue.
PushCounts runLbaPush(pqxx::connection& store, const Config& config, const connectors::Host& host,
                      connectors::Clock& clock, bool once, const std::atomic<bool>* stop = nullptr);
FtBatchResult runFranceTravailPush(pqxx::connection& store, const Config& config,
                                   const connectors::Host& host, connectors::Clock& clock);

// One job per enabled destination.
Pollers buildDestinationJobs(const Config& config, const std::string& store_url,
                             const connectors::Host& host, connectors::Clock& clock);

}  // namespace passerelle::daemon

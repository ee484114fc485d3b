// Destination: one national service that receives the offers' movements
// (shared/specs/destinations/), behind one interface so that the command
// line, the daemon's jobs, `status` and `reconcile` name none of them.
//
// Like a dialect in formats/ or an output plugin of Fluent Bit, a
// destination owns what is its own: its name (the key of its movements in
// the outbox and of its state in the store), its configuration section, its
// client and its way of sending (lba: one request per offer under a quota;
// France Travail: one file per batch), and when it wants to run. The engine
// owns the rest: the jobs' schedule and backoff (service/), the retries of
// single movements (store/outbox.h), the pause on a refused key and the runs
// recorded (store/destination_state.h).
//
// Adding a destination: one folder under destinations/ with its class and a
// line in registry.cpp; its configuration keys in config/.
//
// Thread safety: a Destination is used by one thread at a time (a job of the
// daemon or a command) and opens no connection of its own: it works on the
// store connection it is given, which belongs to the calling thread.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "connectors/host/stop_signal.h"
#include "daemon/config/config.h"
#include "daemon/store/destination_state.h"
#include "daemon/store/reconciliation.h"

namespace passerelle::daemon {

// What a push is asked to do.
struct PushRequest {
  bool once = false;  // one batch, not the whole queue
  // SIGTERM (nullptr: never asked): nothing new is sent once raised; waits
  // and requests in flight end at once, their movements left pending.
  const connectors::StopSignal* stop = nullptr;
  // Who pushes ("push", "daemon", "reconcile"): names the outbox's leases.
  std::string role = "push";
  // The daemon's pushes: claims leased for kRenewedClaimLease only and
  // renewed while the push works (store/lease_keeper.h), so that a dead
  // daemon's claims come back in seconds. Commands keep the long lease.
  bool renew_claims = false;
  // `push --ref PARTNER:REF`: only this offer's movements (empty: all).
  std::string only_partner, only_source_ref;
};

// What a push did.
struct PushReport {
  PushCounts counts;
  // False when the batch failed as a whole (a refused file): the daemon's
  // job backs off; single movements' failures are in `counts`.
  bool ok = true;
  // One line for the operator beside the counts (France Travail: the file
  // sent and its answer); empty when there is nothing more to say.
  std::string detail;
};

// When the daemon runs the destination's job.
struct DestinationSchedule {
  std::chrono::milliseconds interval{std::chrono::minutes(1)};
  // Set: runs at these Europe/Paris times of day instead of every interval.
  std::vector<TimeOfDay> times_of_day;
  // Backoff after a failed run (see service/poll_schedule.h); zero: defaults.
  std::chrono::milliseconds first_retry{0};
  std::chrono::milliseconds retry_ceiling{0};
};

// What `config check --connect` learnt of a destination's authentication.
struct ConnectionProbe {
  bool tried = false;  // false: nothing to try without sending (said in `message`)
  bool ok = true;
  std::string message;  // what failed and what to check; or why nothing was tried
};

class Destination {
 public:
  virtual ~Destination() = default;

  // "lba", "france-travail": the outbox's and the store's key.
  virtual const std::string& name() const = 0;
  virtual DestinationSchedule schedule() const = 0;

  // Sends what is due (or one batch). Throws on failures of the network,
  // machine or store that are not an answer of the service.
  virtual PushReport push(pqxx::connection& store, const PushRequest& request) = 0;

  // `reconcile`: the service's side of the state refreshed (lba: rolling
  // expirations queued, publishing statuses read), without draining the
  // queue. The default has nothing to refresh.
  virtual void refresh(pqxx::connection& store, ReconcileCounts& counts) {
    (void)store;
    (void)counts;
  }

  // `config check --connect`: authenticates with the service without sending
  // or changing anything (no store needed). The default has nothing to try.
  virtual ConnectionProbe probe() { return {false, true, "nothing to try without sending a file"}; }

  // `reconcile --full-stock`: whether the complete stock is queued for it.
  virtual bool takesFullStock() const { return false; }
};

}  // namespace passerelle::daemon

// Reconciliation: the scheduled repair pass of the store (operations.md
// "Reconciliation"), without the command line, so that tests drive it.
//
// reconcile() runs under a session advisory lock (kReconcileLockClass/Id):
// when another reconciliation holds it, it does nothing and says so
// (`ran` false): no work is done twice. Otherwise, with a reconcile_runs row
// of its own, in one transaction:
//  (a) expires active offers whose publication date has passed
//      (expireDueOffers, which queues their closing for every destination);
//  (b) re-queues stuck movements: in flight with a lease expired for more
//      than `stuck_after` (pending again, or superseded when a newer movement
//      of the offer is pending, as the outbox does), and failed movements
//      whose last error was transient (5xx, 408, 429, timeouts, transport
//      errors, "not processed yet"; never a 400 or another 4xx) and settled
//      more than `failed_after` ago (pending again, attempts reset, or
//      superseded when something newer of the offer exists);
//  (c) with `full_stock_destinations`: queues an upsert for each of them for every
//      active offer and clears the accepted row hash, so that the next file
//      sends each of them as a creation (C): the complete stock;
// then commits (or, with `dry_run`, rolls everything back: the counts are
// those the real run would find). After a commit, `destination_refresh`
// (lba: rolling-expiration refresh and publishing statuses; network work)
// runs, never in a dry run. Drift: anything found to fix in (a), (b) or by
// the refresh; the full stock is asked for, not drift.
// All times come from the Clock (as the outbox's leases), `today` from
// options or the server.
//
// Thread safety: one call per connection and thread; concurrent calls on
// other connections (or daemons) are kept apart by the advisory lock and
// the outbox's row locks.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"

namespace passerelle::daemon {

inline constexpr int kReconcileLockClass = 0x70617373;  // "pass", as migrations
inline constexpr int kReconcileLockId = 2;

struct ReconcileOptions {
  bool dry_run = false;
  // Queue the complete stock for these destinations (`--full-stock`: the
  // destinations that take a full stock, e.g. France Travail's daily file).
  std::vector<std::string> full_stock_destinations;
  std::chrono::minutes stuck_after = std::chrono::minutes(30);
  std::chrono::minutes failed_after = std::chrono::minutes(60);
  std::optional<std::string> today;  // YYYY-MM-DD (tests); else the server's date
};

struct ReconcileCounts {
  long expired = 0;
  long stuck_requeued = 0;
  long stuck_superseded = 0;
  long failed_requeued = 0;
  long failed_superseded = 0;
  long rolling_queued = 0;   // lba refresh (not in dry runs)
  long publishing_read = 0;  // lba refresh (not in dry runs)
  long full_stock_queued = 0;
  long audited = 0;       // offers read back from a service (not in dry runs)
  long audit_closed = 0;  // active there, not here: close queued
  long audit_resent = 0;  // missing there, active here: sent again
  long drift() const {
    return expired + stuck_requeued + stuck_superseded + failed_requeued + failed_superseded +
           rolling_queued + publishing_read + audit_closed + audit_resent;
  }
  bool operator==(const ReconcileCounts&) const = default;
};

struct ReconcileResult {
  bool ran = false;  // false: another reconciliation held the lock
  std::int64_t run_id = 0;
  ReconcileCounts counts;
  bool drift() const { return counts.drift() > 0; }
};

// Network refresh of the destinations' state, after the commit; fills
// rolling_queued, publishing_read and the audit's counts.
using DestinationRefresh = std::function<void(pqxx::connection&, ReconcileCounts&)>;

// Throws pqxx errors (the run's row then says `failed`) or whatever the
// refresh throws.
ReconcileResult reconcile(pqxx::connection& store, connectors::Clock& clock,
                          const ReconcileOptions& options,
                          const DestinationRefresh& destination_refresh = {});

}  // namespace passerelle::daemon

#include "daemon/store/reconciliation.h"

#include "daemon/store/destination_state.h"
#include "daemon/store/offer_merge.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {
namespace {

// Holds the session advisory lock while alive.
class ReconcileLock {
 public:
  explicit ReconcileLock(pqxx::connection& c) : c_(c) {
    pqxx::nontransaction tx(c_);
    held_ = tx.exec_params1("SELECT pg_try_advisory_lock($1, $2)", kReconcileLockClass,
                            kReconcileLockId)[0]
                .as<bool>();
  }
  ~ReconcileLock() {
    if (!held_) return;
    try {
      pqxx::nontransaction tx(c_);
      tx.exec_params("SELECT pg_advisory_unlock($1, $2)", kReconcileLockClass, kReconcileLockId);
    } catch (const std::exception&) {
      // A broken connection releases its session locks anyway.
    }
  }
  ReconcileLock(const ReconcileLock&) = delete;
  ReconcileLock& operator=(const ReconcileLock&) = delete;
  bool held() const { return held_; }

 private:
  pqxx::connection& c_;
  bool held_ = false;
};

void repair(pqxx::transaction_base& tx, connectors::Clock::WallTime now,
            const ReconcileOptions& options, ReconcileCounts& counts) {
  MergeContext ctx;
  ctx.today = options.today;
  ctx.now = now;  // the expiries are stamped with the clock, like the imports
  counts.expired = expireDueOffers(tx, ctx);

  const RequeueCounts stuck = requeueStuck(tx, now, options.stuck_after);
  counts.stuck_requeued = stuck.requeued;
  counts.stuck_superseded = stuck.superseded;
  const RequeueCounts failed = requeueTransientFailures(tx, now, options.failed_after);
  counts.failed_requeued = failed.requeued;
  counts.failed_superseded = failed.superseded;

  for (const std::string& destination : options.full_stock_destinations) {
    // Forgetting what the destination accepted makes every row a creation.
    forgetAcceptedRows(tx, destination);
    counts.full_stock_queued +=
        enqueue(tx, EnqueueReason::kChange,
                "SELECT partner, source_ref, $1, 'upsert', content_hash, NULL::bigint FROM offers"
                " WHERE status = 'active'",
                destination);
  }
}

void finishRun(pqxx::connection& store, std::int64_t run_id, const ReconcileCounts& c,
               const std::string& outcome, const std::optional<std::string>& message) {
  pqxx::work tx(store);
  tx.exec_params(
      "UPDATE reconcile_runs SET finished_at = now(), expired = $2, stuck_requeued = $3,"
      " stuck_superseded = $4, failed_requeued = $5, failed_superseded = $6,"
      " rolling_queued = $7, publishing_read = $8, full_stock_queued = $9,"
      " drift_found = $10, outcome = $11, message = $12, audited = $13, audit_closed = $14,"
      " audit_resent = $15 WHERE id = $1",
      run_id, c.expired, c.stuck_requeued, c.stuck_superseded, c.failed_requeued,
      c.failed_superseded, c.rolling_queued, c.publishing_read, c.full_stock_queued, c.drift() > 0,
      outcome, message, c.audited, c.audit_closed, c.audit_resent);
  tx.commit();
}

}  // namespace

ReconcileResult reconcile(pqxx::connection& store, connectors::Clock& clock,
                          const ReconcileOptions& options,
                          const DestinationRefresh& destination_refresh) {
  ReconcileResult result;
  ReconcileLock lock(store);
  if (!lock.held()) return result;
  result.ran = true;
  {
    pqxx::work tx(store);
    result.run_id = tx.exec_params1(
                          "INSERT INTO reconcile_runs (dry_run, full_stock) VALUES ($1, $2)"
                          " RETURNING id",
                          options.dry_run, !options.full_stock_destinations.empty())[0]
                        .as<std::int64_t>();
    tx.commit();
  }
  try {
    {
      pqxx::work tx(store);
      repair(tx, clock.now(), options, result.counts);
      if (options.dry_run) {
        tx.abort();
      } else {
        tx.commit();
      }
    }
    if (!options.dry_run && destination_refresh) destination_refresh(store, result.counts);
    finishRun(store, result.run_id, result.counts, "done", std::nullopt);
  } catch (const std::exception& e) {
    try {
      finishRun(store, result.run_id, result.counts, "failed", std::string(e.what()));
    } catch (const std::exception&) {
      // The store is what failed: the exception below says it.
    }
    throw;
  }
  return result;
}

}  // namespace passerelle::daemon

#include "daemon/store/reconciliation.h"

#include "daemon/store/offer_merge.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {
namespace {

// Another movement of the same offer and destination (as outbox.cpp).
constexpr const char* kSameOffer =
    "o.partner = m.partner AND o.source_ref = m.source_ref AND o.destination = m.destination"
    " AND o.id <> m.id";

// The last error of a failed movement was one that time can cure.
constexpr const char* kTransient =
    "(m.last_http_status >= 500 OR m.last_http_status IN (408, 429)"
    " OR (m.last_http_status = 404 AND m.last_error ~* 'not_processed_yet')"
    " OR (m.last_http_status IS NULL AND m.last_error ~* "
    "'(transient|not_processed_yet|rate_limited|timeout|timed out|connect|network|resolv|"
    "reset|unavailable)'))";

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

void countStates(const pqxx::result& r, long& pending, long& superseded) {
  for (const pqxx::row& row : r) {
    if (row[0].as<std::string>() == "pending") {
      ++pending;
    } else {
      ++superseded;
    }
  }
}

void repair(pqxx::transaction_base& tx, const std::string& now, const ReconcileOptions& options,
            ReconcileCounts& counts) {
  MergeContext ctx;
  ctx.today = options.today;
  counts.expired = expireDueOffers(tx, ctx);

  const std::string newer_pending = std::string("EXISTS (SELECT 1 FROM outbox_movements o WHERE ") +
                                    kSameOffer + " AND o.state = 'pending')";
  countStates(tx.exec_params("UPDATE outbox_movements m SET state = CASE WHEN " + newer_pending +
                                 " THEN 'superseded' ELSE 'pending' END,"
                                 " settled_at = CASE WHEN " +
                                 newer_pending +
                                 " THEN $1::timestamptz END,"
                                 " claimed_by = NULL, lease_until = NULL, next_attempt_at = NULL,"
                                 " updated_at = now()"
                                 " WHERE m.state = 'in_flight'"
                                 " AND m.lease_until <= $1::timestamptz - make_interval(mins => $2)"
                                 " RETURNING m.state",
                             now, static_cast<int>(options.stuck_after.count())),
              counts.stuck_requeued, counts.stuck_superseded);

  const std::string newer = std::string("EXISTS (SELECT 1 FROM outbox_movements o WHERE ") +
                            kSameOffer +
                            " AND (o.id > m.id OR o.state IN ('pending', 'in_flight')))";
  countStates(tx.exec_params("UPDATE outbox_movements m SET state = CASE WHEN " + newer +
                                 " THEN 'superseded' ELSE 'pending' END,"
                                 " settled_at = CASE WHEN " +
                                 newer +
                                 " THEN $1::timestamptz END,"
                                 " attempts = 0, next_attempt_at = NULL, claimed_by = NULL,"
                                 " lease_until = NULL, updated_at = now()"
                                 " WHERE m.state = 'failed'"
                                 " AND m.settled_at <= $1::timestamptz - make_interval(mins => $2)"
                                 " AND " +
                                 kTransient + " RETURNING m.state",
                             now, static_cast<int>(options.failed_after.count())),
              counts.failed_requeued, counts.failed_superseded);

  for (const std::string& destination : options.full_stock_destinations) {
    tx.exec_params(
        "UPDATE destination_offers d SET accepted_hash = NULL, updated_at = now()"
        " FROM offers o WHERE d.destination = $1 AND d.accepted_hash IS NOT NULL"
        " AND o.partner = d.partner AND o.source_ref = d.source_ref AND o.status = 'active'",
        destination);
    counts.full_stock_queued += static_cast<long>(
        tx.exec_params("INSERT INTO outbox_movements (partner, source_ref, destination, kind,"
                       " content_hash) SELECT partner, source_ref, $1, 'upsert', content_hash"
                       " FROM offers WHERE status = 'active'"
                       " ON CONFLICT (partner, source_ref, destination) WHERE state = 'pending'"
                       " DO UPDATE SET kind = 'upsert', content_hash = excluded.content_hash,"
                       " updated_at = now()",
                       destination)
            .affected_rows());
  }
}

void finishRun(pqxx::connection& store, std::int64_t run_id, const ReconcileCounts& c,
               const std::string& outcome, const std::optional<std::string>& message) {
  pqxx::work tx(store);
  tx.exec_params(
      "UPDATE reconcile_runs SET finished_at = now(), expired = $2, stuck_requeued = $3,"
      " stuck_superseded = $4, failed_requeued = $5, failed_superseded = $6,"
      " rolling_queued = $7, publishing_read = $8, full_stock_queued = $9,"
      " drift_found = $10, outcome = $11, message = $12 WHERE id = $1",
      run_id, c.expired, c.stuck_requeued, c.stuck_superseded, c.failed_requeued,
      c.failed_superseded, c.rolling_queued, c.publishing_read, c.full_stock_queued, c.drift() > 0,
      outcome, message);
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
      repair(tx, sqlTimestamp(clock.now()), options, result.counts);
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

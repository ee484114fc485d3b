// Reconciliation against a real PostgreSQL (reconciliation.h): offers
// expired by date with their closing queued, stuck and transiently failed
// movements re-queued (a 400 never), a dry run that changes nothing but
// finds the same, a second run that finds no drift, and a second
// reconciliation that does nothing while another holds the lock.
#include "daemon/store/reconciliation.h"

#include <doctest/doctest.h>

#include "daemon/store/outbox.h"
#include "tests/integration/daemon/store_test_support.h"

using namespace std::chrono_literals;
using namespace passerelle;
using daemon::ReconcileCounts;
using daemon::ReconcileOptions;
using store_test::TestStore;
using store_test::YmagRow;

namespace {

// Everything reconciliation may write besides its own rows.
std::string fingerprint(TestStore& store) {
  return store.storeFingerprint() + "|" +
         store.scalar(
             "SELECT md5(coalesce(string_agg(concat_ws(',', id, state, kind, attempts,"
             " claimed_by, lease_until, next_attempt_at, settled_at, updated_at), ';'"
             " ORDER BY id), '')) FROM outbox_movements") +
         "|" +
         store.scalar(
             "SELECT md5(coalesce(string_agg(concat_ws(',', partner, source_ref,"
             " destination, accepted_hash, updated_at), ';' ORDER BY partner, source_ref,"
             " destination), '')) FROM destination_offers");
}

std::string stateOf(TestStore& store, const std::string& ref, const std::string& destination,
                    const std::string& kind) {
  return store.scalar(
      "SELECT string_agg(state, ',' ORDER BY id) FROM outbox_movements"
      " WHERE source_ref = '" +
      ref + "' AND destination = '" + destination + "' AND kind = '" + kind + "'");
}

// R-1..R-4 imported; lba's movements claimed: R-1 failed on a 503, R-2 on a
// 400, R-3 left in flight (the worker died), R-4 sent. R-4's publication
// ends in 2027. Then two hours pass.
void injectDrift(TestStore& store, connectors::ManualClock& clock) {
  std::vector<YmagRow> rows = store_test::ymagRows(1, 4);
  for (int i = 0; i < 4; ++i) rows[i].ref = "R-" + std::to_string(i + 1);
  rows[3].expires = "31/12/2027";
  store.import("cfa-test", "ymag",
               store.writeFile("YMAG_cfa-test_1.csv", store_test::ymagFile(rows)));
  daemon::OutboxSettings settings;
  settings.lease = 60s;
  settings.max_attempts = 1;
  daemon::Outbox outbox(clock, settings, "worker-a", 1);
  pqxx::work tx(store.db());
  const auto claimed = outbox.claim(tx, "lba", 10);
  REQUIRE(claimed.size() == 4);
  for (const auto& m : claimed) {
    if (m.source_ref == "R-1") outbox.retryLater(tx, m, "lba upsert: transient (HTTP 503)", 503);
    if (m.source_ref == "R-2") outbox.settle(tx, m, "failed", std::string("400: bad siret"), 400);
    if (m.source_ref == "R-4") outbox.settle(tx, m, "sent");
  }
  tx.commit();
  clock.advance(2h);
}

ReconcileOptions at2028() {
  ReconcileOptions o;
  o.today = "2028-01-15";
  return o;
}

}  // namespace

TEST_CASE("reconcile: expires, re-queues what is stuck or failed for a transient cause") {
  TestStore store;
  connectors::ManualClock clock;
  injectDrift(store, clock);
  REQUIRE(stateOf(store, "R-1", "lba", "upsert") == "failed");
  REQUIRE(stateOf(store, "R-3", "lba", "upsert") == "in_flight");

  const auto r = daemon::reconcile(store.db(), clock, at2028());
  REQUIRE(r.ran);
  CHECK(r.counts.expired == 1);
  CHECK(r.counts.stuck_requeued == 1);
  CHECK(r.counts.stuck_superseded == 0);
  CHECK(r.counts.failed_requeued == 1);
  CHECK(r.counts.failed_superseded == 0);
  CHECK(r.drift());

  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'R-4'") == "expired");
  // The closing of R-4 is queued for both destinations (France Travail's
  // pending upsert became a close).
  CHECK(stateOf(store, "R-4", "lba", "close") == "pending");
  CHECK(stateOf(store, "R-4", "france-travail", "close") == "pending");
  CHECK(stateOf(store, "R-3", "lba", "upsert") == "pending");
  CHECK(stateOf(store, "R-1", "lba", "upsert") == "pending");
  CHECK(store.scalar("SELECT attempts FROM outbox_movements WHERE source_ref = 'R-1'"
                     " AND destination = 'lba'") == "0");
  CHECK(stateOf(store, "R-2", "lba", "upsert") == "failed");  // a 400 stays failed
  CHECK(store.scalar("SELECT concat_ws(',', outcome, drift_found, expired, stuck_requeued,"
                     " failed_requeued, dry_run) FROM reconcile_runs WHERE id = " +
                     std::to_string(r.run_id)) == "done,t,1,1,1,f");

  // Nothing left to fix.
  const auto again = daemon::reconcile(store.db(), clock, at2028());
  REQUIRE(again.ran);
  CHECK(again.counts == ReconcileCounts{});
  CHECK_FALSE(again.drift());
  CHECK(store.scalar("SELECT drift_found FROM reconcile_runs WHERE id = " +
                     std::to_string(again.run_id)) == "f");
}

TEST_CASE("reconcile: a stuck movement whose offer has a newer pending change is superseded") {
  TestStore store;
  connectors::ManualClock clock;
  injectDrift(store, clock);
  // R-3 changes while its old movement is stuck: a new pending upsert.
  store.scalar(
      "INSERT INTO outbox_movements (partner, source_ref, destination, kind)"
      " VALUES ('cfa-test', 'R-3', 'lba', 'upsert') RETURNING id");
  const auto r = daemon::reconcile(store.db(), clock, at2028());
  CHECK(r.counts.stuck_requeued == 0);
  CHECK(r.counts.stuck_superseded == 1);
  CHECK(stateOf(store, "R-3", "lba", "upsert") == "superseded,pending");
}

TEST_CASE("reconcile: a recent failure or lease is left alone") {
  TestStore store;
  connectors::ManualClock clock;
  injectDrift(store, clock);
  ReconcileOptions o = at2028();
  o.stuck_after = 180min;  // the lease expired 2 h ago only
  o.failed_after = 180min;
  const auto r = daemon::reconcile(store.db(), clock, o);
  CHECK(r.counts.stuck_requeued == 0);
  CHECK(r.counts.failed_requeued == 0);
  CHECK(r.counts.expired == 1);
}

TEST_CASE("reconcile --dry-run changes nothing and reports what the real run fixes") {
  TestStore store;
  connectors::ManualClock clock;
  injectDrift(store, clock);
  const std::string before = fingerprint(store);
  ReconcileOptions dry = at2028();
  dry.dry_run = true;
  dry.full_stock_destinations = {"france-travail"};
  bool refreshed = false;
  const auto d = daemon::reconcile(store.db(), clock, dry,
                                   [&](pqxx::connection&, ReconcileCounts&) { refreshed = true; });
  REQUIRE(d.ran);
  CHECK_FALSE(refreshed);  // no network work in a dry run
  CHECK(fingerprint(store) == before);
  CHECK(d.drift());
  CHECK(store.scalar("SELECT concat_ws(',', dry_run, outcome) FROM reconcile_runs") == "t,done");

  ReconcileOptions real = at2028();
  real.full_stock_destinations = {"france-travail"};
  const auto r = daemon::reconcile(store.db(), clock, real);
  CHECK(r.counts == d.counts);
  CHECK(fingerprint(store) != before);
}

TEST_CASE("reconcile --full-stock queues every active offer for France Travail as a creation") {
  TestStore store;
  connectors::ManualClock clock;
  injectDrift(store, clock);
  // France Travail accepted R-1 once.
  store.scalar(
      "INSERT INTO destination_offers (partner, source_ref, destination, accepted_hash)"
      " VALUES ('cfa-test', 'R-1', 'france-travail', 'h') RETURNING 1");
  store.scalar(
      "UPDATE outbox_movements SET state = 'sent' WHERE destination = 'france-travail'"
      " RETURNING 1");
  ReconcileOptions o;  // today: R-4 still active
  o.full_stock_destinations = {"france-travail"};
  const auto r = daemon::reconcile(store.db(), clock, o);
  CHECK(r.counts.full_stock_queued == 4);
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE destination = 'france-travail'"
                    " AND state = 'pending' AND kind = 'upsert'") == 4);
  CHECK(store.scalar("SELECT accepted_hash FROM destination_offers WHERE source_ref = 'R-1'") ==
        "");
}

TEST_CASE("reconcile: a second reconciliation while one runs does nothing") {
  TestStore store;
  connectors::ManualClock clock;
  injectDrift(store, clock);
  const std::string before = fingerprint(store);
  auto other = store.connect();
  pqxx::nontransaction hold(*other);
  hold.exec_params("SELECT pg_advisory_lock($1, $2)", daemon::kReconcileLockClass,
                   daemon::kReconcileLockId);
  const auto skipped = daemon::reconcile(store.db(), clock, at2028());
  CHECK_FALSE(skipped.ran);
  CHECK(fingerprint(store) == before);
  CHECK(store.count("SELECT count(*) FROM reconcile_runs") == 0);
  hold.exec_params("SELECT pg_advisory_unlock($1, $2)", daemon::kReconcileLockClass,
                   daemon::kReconcileLockId);
  const auto ran = daemon::reconcile(store.db(), clock, at2028());
  CHECK(ran.ran);
  CHECK(ran.drift());
}

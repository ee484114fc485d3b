// Several daemons on one store (operations.md "Several daemons on one
// store"), with a ManualClock: heartbeats and liveness, partner leases taken,
// renewed, spread across three daemons, taken over within two poll
// intervals after a death, given back on goodbye; scheduled job slots run
// once; the outbox's claims renewed, and a dead worker's reclaimed after the
// short lease; a LeaseKeeper that cannot renew stops its worker.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "daemon/store/daemon_registry.h"
#include "daemon/store/job_lease.h"
#include "daemon/store/lease_keeper.h"
#include "daemon/store/outbox.h"
#include "daemon/store/partner_lease.h"
#include "tests/integration/daemon/store_test_support.h"

using namespace std::chrono_literals;
using namespace passerelle;
using daemon::DaemonIdentity;
using daemon::DaemonRegistry;
using daemon::LeaseBalance;
using daemon::PartnerLeases;
using store_test::fixture;
using store_test::TestStore;

namespace {

constexpr auto kInterval = 60s;  // the poll interval: leases live two

DaemonIdentity identity(const std::string& id) {
  return DaemonIdentity{id, "host-" + id, 100, "test"};
}

std::vector<std::string> partners(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("p" + std::to_string(10 + i));
  return out;
}

struct TestDaemon {
  TestDaemon(connectors::Clock& clock, const std::string& id)
      : registry(clock, identity(id), 2 * kInterval), leases(registry) {}
  LeaseBalance balance(TestStore& store, const std::vector<std::string>& configured,
                       const std::set<std::string>& busy = {}) {
    pqxx::work tx(store.db());
    LeaseBalance b = leases.balance(tx, configured, busy);
    tx.commit();
    return b;
  }
  DaemonRegistry registry;
  PartnerLeases leases;
};

// Who holds each partner now, from the store.
std::map<std::string, std::string> owners(TestStore& store, connectors::Clock& clock) {
  pqxx::work tx(store.db());
  std::map<std::string, std::string> out;
  for (const auto& row : tx.exec_params(
           "SELECT partner, owner FROM partner_leases WHERE expires_at > $1::timestamptz",
           daemon::sqlTimestamp(clock.now())))
    out[row[0].as<std::string>()] = row[1].as<std::string>();
  return out;
}

std::map<std::string, long> perOwner(const std::map<std::string, std::string>& owners) {
  std::map<std::string, long> out;
  for (const auto& [partner, owner] : owners) ++out[owner];
  return out;
}

std::string slotName(daemon::JobSlot s) {
  switch (s) {
    case daemon::JobSlot::kTaken:
      return "taken";
    case daemon::JobSlot::kDone:
      return "done";
    case daemon::JobSlot::kHeld:
      return "held";
  }
  return "?";
}

}  // namespace

TEST_CASE("daemon leases: one daemon takes every partner, renews, and gives them back on goodbye") {
  TestStore store;
  connectors::ManualClock clock;
  TestDaemon a(clock, "a");
  const auto configured = partners(5);
  LeaseBalance b = a.balance(store, configured);
  CHECK(b.live_daemons == 1);
  CHECK(b.share == 5);
  CHECK(b.taken.size() == 5);
  CHECK(b.held == configured);
  // Renewed every half interval: never lost while alive.
  for (int i = 0; i < 6; ++i) {
    clock.advance(kInterval / 2);
    b = a.balance(store, configured);
    CHECK(b.taken.empty());
    CHECK(b.held.size() == 5);
  }
  CHECK(owners(store, clock).size() == 5);
  {
    pqxx::work tx(store.db());
    CHECK(daemon::listDaemons(tx, clock.now()).at(0).partners.size() == 5);
    a.registry.goodbye(tx);
    tx.commit();
  }
  CHECK(owners(store, clock).empty());
  pqxx::work tx(store.db());
  const auto views = daemon::listDaemons(tx, clock.now());
  REQUIRE(views.size() == 1);
  CHECK_FALSE(views[0].alive);
}

TEST_CASE(
    "daemon leases: twenty partners spread across three daemons, then a death is taken over") {
  TestStore store;
  connectors::ManualClock clock;
  const auto configured = partners(20);
  TestDaemon a(clock, "a"), b(clock, "b"), c(clock, "c");
  a.balance(store, configured);
  CHECK(perOwner(owners(store, clock))["a"] == 20);
  // b and c arrive; a round or two of everyone spreads the partners.
  for (int round = 0; round < 3; ++round) {
    clock.advance(kInterval / 2);
    for (TestDaemon* d : {&b, &c, &a}) d->balance(store, configured);
  }
  auto counts = perOwner(owners(store, clock));
  CHECK(counts.size() == 3);
  CHECK(counts["a"] + counts["b"] + counts["c"] == 20);
  for (const auto& [owner, n] : counts) {
    CHECK(n <= 7);  // ceil(20 / 3)
    CHECK(n >= 6);
  }
  // A partner whose poll is in flight is never given back.
  {
    TestDaemon d(clock, "d");
    d.balance(store, configured);
    const auto held_by_a = a.balance(store, configured).held;
    const std::set<std::string> busy(held_by_a.begin(), held_by_a.end());
    const LeaseBalance again = a.balance(store, configured, busy);
    CHECK(again.released.empty());
    pqxx::work tx(store.db());
    d.registry.goodbye(tx);
    tx.commit();
  }

  // c dies (SIGKILL: no goodbye). Within two intervals its leases expire and
  // the survivors, balancing every half interval, take every partner.
  const auto before = owners(store, clock);
  std::set<std::string> of_c;
  for (const auto& [p, o] : before)
    if (o == "c") of_c.insert(p);
  REQUIRE_FALSE(of_c.empty());
  auto died = clock.now();
  bool all_taken = false;
  while (clock.now() - died <= 2 * kInterval + kInterval / 2) {
    clock.advance(kInterval / 2);
    a.balance(store, configured);
    b.balance(store, configured);
    const auto now_owners = owners(store, clock);
    if (now_owners.size() == 20 && std::none_of(now_owners.begin(), now_owners.end(),
                                                [](const auto& e) { return e.second == "c"; })) {
      all_taken = true;
      break;
    }
  }
  CHECK(all_taken);
  // Leases last two intervals from the last renewal: taken at the first
  // round after that, i.e. within two and a half intervals of the death
  // at most, here exactly after two.
  CHECK(clock.now() - died <= 2 * kInterval + kInterval / 2);
  counts = perOwner(owners(store, clock));
  CHECK(counts["a"] == 10);
  CHECK(counts["b"] == 10);
  // Never two owners for one partner, at any time: the table's key says so.
  pqxx::work tx(store.db());
  CHECK(tx.exec("SELECT partner FROM partner_leases GROUP BY partner HAVING count(*) > 1").empty());
  const auto views = daemon::listDaemons(tx, clock.now());
  CHECK(std::count_if(views.begin(), views.end(), [](const auto& v) { return v.alive; }) == 2);
}

TEST_CASE("daemon leases: a live lease is never taken, an expired one is") {
  TestStore store;
  connectors::ManualClock clock;
  const auto configured = partners(2);
  TestDaemon a(clock, "a"), b(clock, "b");
  a.balance(store, configured);
  // b is alive too: the share is 1, but a's leases are live: b takes none.
  LeaseBalance got = b.balance(store, configured);
  CHECK(got.share == 1);
  CHECK(got.taken.empty());
  clock.advance(2 * kInterval - 1s);
  CHECK(b.balance(store, configured).taken.empty());  // a's still live (barely)
  clock.advance(2s);
  got = b.balance(store, configured);
  CHECK(got.taken.size() == 2);  // a is gone: b alone, its share is every partner
  // A partner dropped from b's configuration is given back.
  got = b.balance(store, {configured[1]});
  CHECK(got.held.size() <= 1);
  CHECK(std::find(got.held.begin(), got.held.end(), configured[0]) == got.held.end());
}

TEST_CASE("daemon leases: a forgotten daemon is deleted a day after it was gone") {
  TestStore store;
  connectors::ManualClock clock;
  TestDaemon a(clock, "a"), b(clock, "b");
  a.balance(store, partners(1));
  b.balance(store, partners(1));
  clock.advance(25h);
  b.balance(store, partners(1));
  pqxx::work tx(store.db());
  CHECK(b.registry.forgetGone(tx, 24h) == 1);
  CHECK(tx.exec1("SELECT count(*) FROM daemons")[0].as<long>() == 1);
}

TEST_CASE("job leases: a scheduled slot runs once; a dead owner's slot is taken after expiry") {
  TestStore store;
  connectors::ManualClock clock;
  daemon::JobLeases a(clock, "a", 2 * kInterval), b(clock, "b", 2 * kInterval);
  const auto slot = clock.now();
  auto take = [&](daemon::JobLeases& who) {
    pqxx::work tx(store.db());
    auto s = who.take(tx, "push:france-travail", slot);
    tx.commit();
    return s;
  };
  CHECK(slotName(take(a).state) == "taken");
  const auto held = take(b);
  CHECK(slotName(held.state) == "held");
  CHECK(held.owner == "a");
  CHECK(held.until == clock.now() + 2 * kInterval);
  // a renews while it works; b still cannot take it.
  clock.advance(kInterval);
  {
    pqxx::work tx(store.db());
    CHECK(a.renew(tx, "push:france-travail", slot));
    tx.commit();
  }
  clock.advance(kInterval + 30s);
  CHECK(slotName(take(b).state) == "held");
  // a dies: after expiry b takes the slot and a's late renewal fails.
  clock.advance(kInterval);
  CHECK(slotName(take(b).state) == "taken");
  {
    pqxx::work tx(store.db());
    CHECK_FALSE(a.renew(tx, "push:france-travail", slot));
    b.finish(tx, "push:france-travail", slot);
    tx.commit();
  }
  clock.advance(10 * kInterval);
  CHECK(slotName(take(a).state) == "done");
  // A failed run gives its slot back at once, for the retry.
  const auto next = slot + 24h;
  {
    pqxx::work tx(store.db());
    CHECK(slotName(a.take(tx, "push:france-travail", next).state) == "taken");
    a.release(tx, "push:france-travail", next);
    tx.commit();
  }
  CHECK(slotName(take(b).state) == "done");  // the first slot, still done
  pqxx::work tx(store.db());
  CHECK(slotName(b.take(tx, "push:france-travail", next).state) == "taken");
}

TEST_CASE("job leases: two daemons taking one slot at once get one winner") {
  TestStore store;
  connectors::SystemClock clock;
  const auto slot = connectors::Clock::WallTime(std::chrono::seconds(1'780'000'000));
  for (int round = 0; round < 20; ++round) {
    const std::string job = "job-" + std::to_string(round);
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        auto connection = store.connect();
        daemon::JobLeases leases(clock, "d" + std::to_string(t), 120s);
        pqxx::work tx(*connection);
        if (leases.take(tx, job, slot).state == daemon::JobSlot::kTaken) ++winners;
        tx.commit();
      });
    for (auto& t : threads) t.join();
    CHECK(winners == 1);
  }
}

TEST_CASE("outbox claims: renewed while worked on, reclaimed soon after the worker died") {
  TestStore store;
  store.import("cfa-test", "ymag", fixture("YMAG_cfa-test_20260302060000.csv"));
  connectors::ManualClock clock;
  daemon::OutboxSettings settings;
  settings.lease = daemon::kRenewedClaimLease;
  daemon::Outbox a(clock, settings, "worker-a", 1), b(clock, settings, "worker-b", 2);
  std::vector<daemon::Movement> claimed;
  {
    pqxx::work tx(store.db());
    claimed = a.claim(tx, "lba", 10);
    tx.commit();
  }
  REQUIRE(claimed.size() == 3);
  // a works for two minutes, renewing every ten seconds: b gets nothing.
  for (int i = 0; i < 12; ++i) {
    clock.advance(10s);
    pqxx::work tx(store.db());
    CHECK(a.renewClaims(tx) == 3);
    CHECK(b.claim(tx, "lba", 10).empty());
    tx.commit();
  }
  {
    pqxx::work tx(store.db());
    CHECK(std::string(daemon::toString(a.settle(tx, claimed[0], "sent"))) == "done");
    CHECK(a.renewClaims(tx) == 2);  // a settled claim drops out of the renewal
    tx.commit();
  }
  // a dies: 30 seconds later its claims are b's, and a's late settle fails.
  clock.advance(29s);
  {
    pqxx::work tx(store.db());
    CHECK(b.claim(tx, "lba", 10).empty());
    tx.commit();
  }
  clock.advance(2s);
  pqxx::work tx(store.db());
  const auto taken = b.claim(tx, "lba", 10);
  CHECK(taken.size() == 2);
  CHECK(a.renewClaims(tx) == 0);  // not a's any more
  CHECK(std::string(daemon::toString(a.settle(tx, claimed[1], "sent"))) == "lost_lease");
}

TEST_CASE("lease keeper: renews on its own connection; a store it cannot reach stops the worker") {
  TestStore store;
  connectors::SystemClock clock;
  std::atomic<int> calls{0};
  {
    daemon::LeaseKeeper keeper(
        store.url(), clock, 300ms,
        [&](pqxx::transaction_base& tx) {
          tx.exec("SELECT 1");
          ++calls;
          return true;
        },
        nullptr);
    std::this_thread::sleep_for(700ms);
    CHECK(keeper.renewals() >= 3);
    CHECK_FALSE(keeper.lost());
    CHECK_FALSE(keeper.stop().requested());
  }
  // A lease said lost by the store: stop at once.
  {
    daemon::LeaseKeeper keeper(
        store.url(), clock, 300ms, [](pqxx::transaction_base&) { return false; }, nullptr);
    CHECK(keeper.stop().waitFor(2s));
    CHECK(keeper.lost());
  }
  // No store: the worker is stopped before the lease ends.
  {
    const auto started = std::chrono::steady_clock::now();
    daemon::LeaseKeeper keeper(
        "postgresql://127.0.0.1:1/none?connect_timeout=1", clock, 600ms,
        [](pqxx::transaction_base&) { return true; }, nullptr);
    CHECK(keeper.stop().waitFor(3s));
    CHECK(keeper.lost());
    CHECK(std::chrono::steady_clock::now() - started < 600ms);
  }
  // SIGTERM (the outer signal) is passed on, the lease not lost.
  {
    connectors::StopSignal outer;
    daemon::LeaseKeeper keeper(
        store.url(), clock, 10s, [](pqxx::transaction_base&) { return true; }, &outer);
    outer.request();
    CHECK(keeper.stop().waitFor(2s));
    CHECK_FALSE(keeper.lost());
  }
}

TEST_CASE("daemon sessions: the daemon's id is recorded on the runs it makes") {
  TestStore store;
  const std::string url =
      daemon::withSessionSetting(store.url(), daemon::kDaemonIdSetting, "host-a:42:0badcafe");
  auto connection = pqxx::connection(url);
  pqxx::work tx(connection);
  CHECK(tx.exec1("SHOW passerelle.daemon_id")[0].as<std::string>() == "host-a:42:0badcafe");
  const auto id = tx.exec1(
                        "INSERT INTO reconcile_runs (dry_run, full_stock) VALUES (true, false)"
                        " RETURNING daemon_id")[0]
                      .as<std::string>();
  CHECK(id == "host-a:42:0badcafe");
  pqxx::work other(store.db());
  CHECK(other
            .exec1("INSERT INTO reconcile_runs (dry_run, full_stock) VALUES (true, false)"
                   " RETURNING daemon_id IS NULL")[0]
            .as<bool>());
}

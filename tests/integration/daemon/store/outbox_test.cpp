// The outbox against a real PostgreSQL: claims with leases, settling only
// under one's own lease, backoff with jitter, giving up with the history,
// `retry`, superseded movements, and two workers claiming concurrently
// without ever getting the same movement.
#include "daemon/store/outbox.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "tests/integration/daemon/store_test_support.h"

using namespace std::chrono_literals;
using namespace passerelle;
using daemon::Movement;
using daemon::Outbox;
using daemon::SettleResult;
using store_test::fixture;
using store_test::TestStore;

namespace {

daemon::OutboxSettings smallSettings() {
  daemon::OutboxSettings s;
  s.lease = 60s;
  s.max_attempts = 3;
  s.backoff_base = 10s;
  s.backoff_max = 100s;
  return s;
}

std::vector<Movement> claim(TestStore& store, Outbox& outbox, int limit = 100,
                            const std::string& destination = "lba") {
  pqxx::work tx(store.db());
  auto claimed = outbox.claim(tx, destination, limit);
  tx.commit();
  return claimed;
}

// The result's name (doctest prints strings, not our enums).
template <typename F>
std::string inTx(TestStore& store, F f) {
  pqxx::work tx(store.db());
  const SettleResult r = f(tx);
  tx.commit();
  return daemon::toString(r);
}

std::string stateOf(TestStore& store, std::int64_t id) {
  return store.scalar("SELECT state FROM outbox_movements WHERE id = " + std::to_string(id));
}

}  // namespace

TEST_CASE("outbox: claim takes a lease; another worker gets it only once the lease expired") {
  TestStore store;
  store.import("cfa-test", "ymag", fixture("YMAG_cfa-test_20260302060000.csv"));
  connectors::ManualClock clock;
  Outbox a(clock, smallSettings(), "worker-a", 1);
  Outbox b(clock, smallSettings(), "worker-b", 2);

  const auto claimed = claim(store, a);
  REQUIRE(claimed.size() == 3);  // Y-1, Y-2, Y-3 (Y-4 expired, Y-5 rejected)
  CHECK(claimed[0].attempts == 1);
  CHECK(claimed[0].kind == "upsert");
  CHECK(claim(store, b).empty());  // leases live
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE destination = 'lba'"
                    " AND state = 'in_flight' AND claimed_by = 'worker-a'") == 3);

  CHECK(inTx(store, [&](auto& tx) { return a.settle(tx, claimed[0], "sent"); }) ==
        std::string("done"));
  CHECK(stateOf(store, claimed[0].id) == "sent");

  clock.advance(61s);  // worker a's leases expire
  const auto taken = claim(store, b);
  REQUIRE(taken.size() == 2);
  CHECK(taken[0].attempts == 2);
  // a's late answer changes nothing: the movements are b's now.
  CHECK(inTx(store, [&](auto& tx) { return a.settle(tx, claimed[1], "sent"); }) ==
        std::string("lost_lease"));
  CHECK(inTx(store, [&](auto& tx) { return a.retryLater(tx, claimed[2], "x"); }) ==
        std::string("lost_lease"));
  CHECK(stateOf(store, claimed[1].id) == "in_flight");
  CHECK(inTx(store, [&](auto& tx) { return b.settle(tx, taken[0], "sent"); }) ==
        std::string("done"));
  // The other destination's movements were never touched.
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE destination = 'france-travail'"
                    " AND state = 'pending' AND attempts = 0") == 3);
}

TEST_CASE("outbox: backoff, give up with the whole history, retry re-queues") {
  TestStore store;
  store.import("cfa-test", "ymag", fixture("YMAG_cfa-test_20260302060000.csv"));
  connectors::ManualClock clock;
  Outbox a(clock, smallSettings(), "worker-a", 7);

  auto first = claim(store, a, 1);
  REQUIRE(first.size() == 1);
  const std::int64_t id = first[0].id;
  CHECK(inTx(store, [&](auto& tx) { return a.retryLater(tx, first[0], "HTTP 500", 500); }) ==
        std::string("retrying"));
  CHECK(stateOf(store, id) == "pending");
  // Not due before the backoff (attempt 1: between 5 and 10 s).
  auto again = claim(store, a);
  CHECK(std::none_of(again.begin(), again.end(), [&](auto& m) { return m.id == id; }));
  for (auto& m : again) inTx(store, [&](auto& tx) { return a.settle(tx, m, "sent"); });
  clock.advance(4s);
  CHECK(claim(store, a).empty());
  clock.advance(7s);
  auto second = claim(store, a);
  REQUIRE(second.size() == 1);
  CHECK(second[0].id == id);
  CHECK(second[0].attempts == 2);
  // A 429 does not count as an attempt, and honours its floor.
  CHECK(inTx(store, [&](auto& tx) {
          return a.retryLater(tx, second[0], "429", 429, std::chrono::seconds(120), false);
        }) == std::string("retrying"));
  CHECK(store.scalar("SELECT attempts FROM outbox_movements WHERE id = " + std::to_string(id)) ==
        "1");
  clock.advance(100s);
  CHECK(claim(store, a).empty());
  clock.advance(21s);
  auto third = claim(store, a);
  REQUIRE(third.size() == 1);
  CHECK(third[0].attempts == 2);
  CHECK(inTx(store, [&](auto& tx) { return a.retryLater(tx, third[0], "HTTP 504", 504); }) ==
        std::string("retrying"));
  clock.advance(30s);
  auto fourth = claim(store, a);
  REQUIRE(fourth.size() == 1);
  CHECK(fourth[0].attempts == 3);
  CHECK(inTx(store, [&](auto& tx) { return a.retryLater(tx, fourth[0], "timeout"); }) ==
        std::string("gave_up"));
  CHECK(stateOf(store, id) == "failed");
  CHECK(store.scalar("SELECT jsonb_array_length(errors) FROM outbox_movements WHERE id = " +
                     std::to_string(id)) == "4");
  CHECK(store.scalar("SELECT string_agg(e->>'error', ',') FROM outbox_movements,"
                     " jsonb_array_elements(errors) e WHERE id = " +
                     std::to_string(id)) == "HTTP 500,429,HTTP 504,timeout");
  clock.advance(1h);
  CHECK(claim(store, a).empty());  // failed stays failed

  {
    pqxx::work tx(store.db());
    CHECK(a.requeueFailed(tx, "france-travail") == 0);
    CHECK(a.requeueFailed(tx, "lba") == 1);
    tx.commit();
  }
  auto back = claim(store, a);
  REQUIRE(back.size() == 1);
  CHECK(back[0].id == id);
  CHECK(back[0].attempts == 1);
  CHECK(store.scalar("SELECT jsonb_array_length(errors) FROM outbox_movements WHERE id = " +
                     std::to_string(id)) == "4");  // history kept
}

TEST_CASE("outbox: a newer change waits for the movement in flight, then supersedes it") {
  TestStore store;
  store.import("cfa-test", "ymag", fixture("YMAG_cfa-test_20260302060000.csv"));
  connectors::ManualClock clock;
  Outbox a(clock, smallSettings(), "worker-a", 1);
  Outbox b(clock, smallSettings(), "worker-b", 2);
  const auto claimed = claim(store, a);
  REQUIRE(claimed.size() == 3);
  const Movement y3 =
      *std::find_if(claimed.begin(), claimed.end(), [](auto& m) { return m.source_ref == "Y-3"; });
  // Day 2 withdraws Y-3 and changes Y-2 while they are in flight.
  store.import("cfa-test", "ymag", fixture("YMAG_cfa-test_20260303060000.csv"));
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE destination = 'lba'"
                    " AND state = 'pending' AND source_ref IN ('Y-2', 'Y-3')") == 2);
  // Not claimed while the older movement of the same offer is in flight.
  for (const auto& m : claim(store, b)) CHECK(m.source_ref == "Y-6");
  // The old one fails: the newer pending one carries the offer's state.
  CHECK(inTx(store, [&](auto& tx) { return a.retryLater(tx, y3, "HTTP 500", 500); }) ==
        std::string("retrying"));
  CHECK(stateOf(store, y3.id) == "superseded");
  auto next = claim(store, b);
  REQUIRE(next.size() == 1);
  CHECK(next[0].source_ref == "Y-3");
  CHECK(next[0].kind == "close");
  // An expired lease with a newer change pending is superseded, not re-sent.
  clock.advance(61s);
  auto after = claim(store, b);
  CHECK(std::any_of(after.begin(), after.end(), [](auto& m) { return m.source_ref == "Y-2"; }));
  CHECK(store.scalar("SELECT state FROM outbox_movements WHERE source_ref = 'Y-2'"
                     " AND destination = 'lba' ORDER BY id LIMIT 1") ==
        "superseded");  // the old one
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE source_ref = 'Y-2'"
                    " AND destination = 'lba' AND state = 'in_flight'") ==
        1);  // ...the new one taken
}

TEST_CASE("outbox: two workers on two connections never claim the same movement") {
  TestStore store;
  store.import("cfa-test", "ymag",
               store.writeFile("many.csv", store_test::ymagFile(store_test::ymagRows(1, 300))));
  REQUIRE(store.count("SELECT count(*) FROM outbox_movements WHERE destination = 'lba'") == 300);
  connectors::ManualClock clock;
  std::vector<std::int64_t> got[2];
  auto work = [&](int n) {
    auto db = store.connect();
    Outbox outbox(clock, smallSettings(), "worker-" + std::to_string(n), n);
    for (;;) {
      std::vector<Movement> claimed;
      {
        pqxx::work tx(*db);
        claimed = outbox.claim(tx, "lba", 7);
        tx.commit();
      }
      if (claimed.empty()) break;
      for (const auto& m : claimed) {
        got[n].push_back(m.id);
        pqxx::work tx(*db);
        REQUIRE(std::string(daemon::toString(outbox.settle(tx, m, "sent"))) == "done");
        tx.commit();
      }
    }
  };
  std::thread t0(work, 0), t1(work, 1);
  t0.join();
  t1.join();
  std::set<std::int64_t> all(got[0].begin(), got[0].end());
  for (auto id : got[1]) CHECK(all.insert(id).second);  // never claimed twice
  CHECK(all.size() == 300);
  CHECK(got[0].size() > 0);
  CHECK(got[1].size() > 0);
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE destination = 'lba'"
                    " AND state = 'sent' AND attempts = 1") == 300);
}

TEST_CASE("outbox: backoff grows exponentially with jitter, capped") {
  connectors::ManualClock clock;
  Outbox a(clock, smallSettings(), "w", 3);
  for (int i = 0; i < 50; ++i) {
    const auto d1 = a.backoff(1);
    CHECK(d1 >= 5000ms);
    CHECK(d1 <= 10000ms);
    const auto d3 = a.backoff(3);
    CHECK(d3 >= 20000ms);
    CHECK(d3 <= 40000ms);
    CHECK(a.backoff(30) <= 100000ms);
  }
  CHECK(daemon::sqlTimestamp(connectors::Clock::WallTime(std::chrono::seconds(1'780'000'000))) ==
        "2026-05-28T20:26:40.000000Z");
}

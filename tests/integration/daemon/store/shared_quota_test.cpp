// SharedQuota: the quota of an API key kept in the store, drawn from by
// several processes (here: connections) at once; time from a manual clock.
// A grant counts until its request ended (in flight: until its deadline).
#include "daemon/store/shared_quota.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <queue>
#include <random>
#include <thread>
#include <vector>

#include "daemon/store/outbox.h"
#include "tests/integration/daemon/store_test_support.h"
#include "tests/support/quota_requests.h"

using namespace std::chrono_literals;
namespace pc = passerelle::connectors;
using passerelle::testing::instantRequest;
using passerelle::testing::tryInstant;
namespace pd = passerelle::daemon;
using passerelle::store_test::TestStore;

TEST_CASE("shared quota: processes on one key never exceed it together") {
  TestStore store;
  pc::ManualClock clock;
  auto other = store.connect();
  const std::string name = pd::quotaName("lba", "write", "the-key");
  pd::SharedQuota a(store.db(), clock, name, {30, 60s, 1s});
  pd::SharedQuota b(*other, clock, name, {30, 60s, 1s});
  // 30 grants, alternately to each process, within the same second.
  for (int i = 0; i < 30; ++i) CHECK(tryInstant(i % 2 ? a : b) == 0ns);
  const auto wait_a = tryInstant(a);
  const auto wait_b = tryInstant(b);
  CHECK(wait_a == 61s);  // window + margin after the oldest end
  CHECK(wait_b == wait_a);
  CHECK(a.grantsInWindow() == 30);
  // Another key, or reads of the same key, are other quotas.
  pd::SharedQuota reads(store.db(), clock, pd::quotaName("lba", "read", "the-key"), {120, 60s});
  CHECK(tryInstant(reads) == 0ns);
  pd::SharedQuota other_key(store.db(), clock, pd::quotaName("lba", "write", "x"), {30, 60s});
  CHECK(tryInstant(other_key) == 0ns);
  // Once the window has passed, both may write again, 30 in all.
  clock.advance(61s);
  int granted = 0;
  for (int i = 0; i < 40; ++i)
    if (tryInstant(i % 2 ? a : b) == 0ns) ++granted;
  CHECK(granted == 30);
}

TEST_CASE("shared quota: any window of a sustained backlog holds at most N grants") {
  TestStore store;
  pc::ManualClock clock;
  auto other = store.connect();
  const std::string name = pd::quotaName("lba", "write", "k");
  pd::SharedQuota a(store.db(), clock, name, {5, 10s, 1s});
  pd::SharedQuota b(*other, clock, name, {5, 10s, 1s});
  std::vector<pc::Clock::WallTime> grants;
  for (int i = 0; i < 40; ++i) {
    pd::SharedQuota& q = i % 3 ? a : b;
    instantRequest(q);  // the manual clock moves forward while it waits
    grants.push_back(clock.now());
    clock.advance(300ms);
  }
  for (std::size_t i = 5; i < grants.size(); ++i) CHECK(grants[i] - grants[i - 5] > 10s);
}

TEST_CASE("shared quota: a pause after a 429 holds every process, and never shortens") {
  TestStore store;
  pc::ManualClock clock;
  auto other = store.connect();
  const std::string name = pd::quotaName("lba", "write", "k");
  pd::SharedQuota a(store.db(), clock, name, {30, 60s});
  pd::SharedQuota b(*other, clock, name, {30, 60s});
  a.pauseFor(30s);
  b.pauseFor(5s);  // shorter: ignored
  CHECK(tryInstant(b) == 30s);
  clock.advance(31s);
  CHECK(tryInstant(b) == 0ns);
  CHECK(store.count("SELECT count(*) FROM quota_grants") == 1);
  CHECK(store.count("SELECT count(*) FROM quota_grants WHERE quota LIKE '%the-key%'") == 0);
}

TEST_CASE("shared quota: a slow request holds its slot until window + margin after its end") {
  TestStore store;
  pc::ManualClock clock;
  auto other = store.connect();
  const std::string name = pd::quotaName("lba", "write", "k");
  pd::SharedQuota a(store.db(), clock, name, {3, 60s, 1s, 60s});
  pd::SharedQuota b(*other, clock, name, {3, 60s, 1s, 60s});
  pc::Slot slow;
  REQUIRE(a.tryAcquire(slow) == 0ns);
  CHECK(slow);
  CHECK(tryInstant(b) == 0ns);
  CHECK(tryInstant(b) == 0ns);
  CHECK(tryInstant(b) == 61s);  // the instant ones decide
  CHECK(a.grantsInWindow() == 3);
  clock.advance(20s);
  a.end(slow);  // answered 20 s after its grant
  a.end(slow);  // twice: nothing more
  CHECK(store.scalar("SELECT extract(epoch FROM ends_at - granted_at) FROM quota_grants"
                     " WHERE id = " +
                     std::to_string(slow.id)) == "20.000000");
  clock.advance(41s);
  CHECK(tryInstant(a) == 0ns);
  CHECK(tryInstant(b) == 0ns);
  CHECK(tryInstant(b) == 20s);  // 61 s after the slow request's end
  clock.advance(20s);
  CHECK(tryInstant(a) == 0ns);
}

TEST_CASE("shared quota: a grant in flight whose process died stops counting after its deadline") {
  TestStore store;
  pc::ManualClock clock;
  const std::string name = pd::quotaName("lba", "write", "k");
  const auto start = clock.now();
  {
    auto dead = store.connect();
    pd::SharedQuota killed(*dead, clock, name, {1, 60s, 1s, 30s});
    pc::Slot lost;
    REQUIRE(killed.tryAcquire(lost) == 0ns);
  }  // its connection closed, the slot never ended
  pd::SharedQuota a(store.db(), clock, name, {1, 60s, 1s, 30s});
  // Short polls while the bound is ahead (the request might still end),
  // then the exact wait: free 30 s + 61 s after the grant.
  pc::Slot slot;
  CHECK(a.tryAcquire(slot) == pc::kInFlightPoll);
  clock.advance(29s);
  CHECK(a.tryAcquire(slot) == pc::kInFlightPoll);
  clock.advance(1s);
  CHECK(a.tryAcquire(slot) == 61s);
  CHECK_FALSE(slot);
  REQUIRE(a.acquire(slot));
  CHECK(clock.now() - start == 91s);
  a.end(slot);
  // The dead grant is forgotten with the next grant that finds it past.
  CHECK(store.count("SELECT count(*) FROM quota_grants") == 1);
}

TEST_CASE("shared quota: a grant is recorded at the time the lock was held, not before") {
  TestStore store;
  pc::ManualClock clock;
  const std::string name = pd::quotaName("lba", "write", "k");
  auto holder = store.connect();
  auto watcher = store.connect();
  pqxx::work held(*holder);
  held.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))", pd::kQuotaLockClass, name);
  pc::Slot slot;
  std::chrono::nanoseconds wait{-1};
  std::thread process([&] {
    try {
      pd::SharedQuota a(store.db(), clock, name, {30, 60s, 1s});
      wait = a.tryAcquire(slot);
    } catch (const std::exception&) {
      // `wait` stays negative: the checks below fail.
    }
  });
  // Once that process waits on the quota's lock, 5 s pass before it gets it.
  bool waiting = false;
  for (int i = 0; i < 500 && !waiting; ++i) {
    pqxx::read_transaction tx(*watcher);
    waiting =
        tx.exec1(
              "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
              " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")[0]
            .as<long>() > 0;
    if (!waiting) std::this_thread::sleep_for(10ms);
  }
  CHECK(waiting);
  clock.advance(5s);
  const std::string locked_at = pd::sqlTimestamp(clock.now());
  held.commit();
  process.join();
  CHECK(wait == 0ns);
  REQUIRE(slot);
  CHECK(store.count("SELECT count(*) FROM quota_grants WHERE granted_at = '" + locked_at +
                    "'::timestamptz AND ends_at = granted_at + interval '60 seconds'") == 1);
}

// The service counts each request at some instant in [grant, end]: three
// processes, requests of random durations (a few never ended), counted at
// random instants, often at the extremes: no window holds more than N.
TEST_CASE("shared quota: randomized, whenever the service counts, no window holds more than N") {
  TestStore store;
  pc::ManualClock clock;
  const std::string name = pd::quotaName("lba", "write", "k");
  const pc::WindowQuota rule{4, 10s, 1s, 6s};
  std::vector<std::unique_ptr<pqxx::connection>> connections;
  std::vector<std::unique_ptr<pd::SharedQuota>> processes;
  for (int p = 0; p < 3; ++p) {
    connections.push_back(store.connect());
    processes.push_back(std::make_unique<pd::SharedQuota>(*connections.back(), clock, name, rule));
  }
  const auto run = passerelle::testing::simulateRequests<pc::Clock::WallTime>(
      {3, 120, 6000ms, 2026},
      [&](int p) -> pc::Quota& { return *processes[static_cast<std::size_t>(p)]; },
      [&] { return clock.now(); }, [&](std::chrono::nanoseconds d) { clock.advance(d); });
  const auto& counted = run.counted;
  CHECK(run.most_in_flight > 1);
  for (std::size_t i = 0; i + 4 < counted.size(); ++i) CHECK(counted[i + 4] - counted[i] > 10s);
}

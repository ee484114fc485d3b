// SharedQuota: the quota of an API key kept in the store, drawn from by
// several processes (here: connections) at once; time from a manual clock.
#include "daemon/store/shared_quota.h"

#include <doctest/doctest.h>

#include "tests/integration/daemon/store_test_support.h"

using namespace std::chrono_literals;
namespace pc = passerelle::connectors;
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
  for (int i = 0; i < 30; ++i) CHECK((i % 2 ? a : b).tryAcquire() == 0ns);
  const auto wait_a = a.tryAcquire();
  const auto wait_b = b.tryAcquire();
  CHECK(wait_a > 60s);  // window + margin after the oldest grant
  CHECK(wait_a <= 61s + 1ms);
  CHECK(wait_b == wait_a);
  CHECK(a.grantsInWindow() == 30);
  // Another key, or reads of the same key, are other quotas.
  pd::SharedQuota reads(store.db(), clock, pd::quotaName("lba", "read", "the-key"), {120, 60s});
  CHECK(reads.tryAcquire() == 0ns);
  pd::SharedQuota other_key(store.db(), clock, pd::quotaName("lba", "write", "x"), {30, 60s});
  CHECK(other_key.tryAcquire() == 0ns);
  // Once the window has passed, both may write again, 30 in all.
  clock.advance(61s);
  int granted = 0;
  for (int i = 0; i < 40; ++i)
    if ((i % 2 ? a : b).tryAcquire() == 0ns) ++granted;
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
    q.acquire();  // the manual clock moves forward while it waits
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
  CHECK(b.tryAcquire() > 29s);
  clock.advance(31s);
  CHECK(b.tryAcquire() == 0ns);
  CHECK(store.count("SELECT count(*) FROM quota_grants") == 1);
  CHECK(store.count("SELECT count(*) FROM quota_grants WHERE quota LIKE '%the-key%'") == 0);
}

// Concurrency and crashes: imports of one partner serialise on the partner's
// advisory lock while other partners go on; a process killed in the middle
// of an import leaves the store exactly as it was.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "daemon/store/store_connection.h"
#include "tests/integration/daemon/store_test_support.h"

using namespace passerelle;
using daemon::RunOutcome;
using store_test::TestStore;

namespace {

// Polls `sql` (a count) until it reaches `at_least`; false after the timeout.
bool waitFor(TestStore& store, const std::string& sql, long at_least,
             std::chrono::seconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (store.count(sql) >= at_least) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::string waitingOnAdvisoryLock(TestStore& store) {
  return "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
         " WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = '" +
         store.name() + "'";
}

}  // namespace

TEST_CASE("concurrency: imports of one partner serialise, other partners go on") {
  TestStore store;
  const std::string a = store.writeFile("a.csv", store_test::ymagFile(store_test::ymagRows(1, 50)));
  const std::string b = store.writeFile("b.csv", store_test::ymagFile(store_test::ymagRows(1, 60)));
  const std::string q = store.writeFile("q.csv", store_test::ymagFile(store_test::ymagRows(1, 5)));

  // A third session holds partner p's import lock.
  auto holder = store.connect();
  pqxx::work hold(*holder);
  hold.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))", daemon::kImportLockClass, "p");

  daemon::ImportResult r1, r2;
  std::atomic<int> done{0};
  auto importer = [&](const std::string& path, daemon::ImportResult& out) {
    auto connection = store.connect();
    daemon::OfferImport import(*connection, store.clock());
    out = import.importFile(store.request("p", "ymag", path));
    ++done;
  };
  std::thread t1(importer, a, std::ref(r1));
  REQUIRE(waitFor(store, waitingOnAdvisoryLock(store), 1));
  std::thread t2(importer, b, std::ref(r2));
  REQUIRE(waitFor(store, waitingOnAdvisoryLock(store), 2));

  // Partner q is not held up by p's lock.
  CHECK(std::string(toString(store.import("q", "ymag", q).outcome)) ==
        toString(RunOutcome::kImported));
  CHECK(done.load() == 0);
  CHECK(store.count("SELECT count(*) FROM offers WHERE partner = 'p'") == 0);

  hold.abort();  // release: the two imports now run one after the other
  t1.join();
  t2.join();
  CHECK(std::string(toString(r1.outcome)) == toString(RunOutcome::kImported));
  CHECK(std::string(toString(r2.outcome)) == toString(RunOutcome::kImported));
  // Each import saw the other's committed result or nothing, never a half:
  // 60 offers were created exactly once (overlapping imports would both have
  // planned the 50 common offers as new).
  CHECK(r1.counts.created + r2.counts.created == 60);
  CHECK(store.count("SELECT count(*) FROM offer_history WHERE change = 'created'"
                    " AND partner = 'p'") == 60);
}

TEST_CASE("concurrency: the same file imported twice at once is imported once") {
  TestStore store;
  const std::string a =
      store.writeFile("a.csv", store_test::ymagFile(store_test::ymagRows(1, 200)));
  daemon::ImportResult r1, r2;
  auto importer = [&](daemon::ImportResult& out) {
    auto connection = store.connect();
    daemon::OfferImport import(*connection, store.clock());
    out = import.importFile(store.request("p", "ymag", a));
  };
  std::thread t1(importer, std::ref(r1));
  std::thread t2(importer, std::ref(r2));
  t1.join();
  t2.join();
  CHECK(((std::string(toString(r1.outcome)) == toString(RunOutcome::kImported) &&
          std::string(toString(r2.outcome)) == toString(RunOutcome::kDuplicate)) ||
         (std::string(toString(r2.outcome)) == toString(RunOutcome::kImported) &&
          std::string(toString(r1.outcome)) == toString(RunOutcome::kDuplicate))));
  CHECK(store.count("SELECT count(*) FROM offer_history") == 200);
}

TEST_CASE("crash: SIGKILL during the COPY of a large file leaves the store as before") {
  TestStore store;
  store.import("p", "ymag",
               store.writeFile("small.csv", store_test::ymagFile(store_test::ymagRows(1, 100))));
  const std::string before = store.storeFingerprint();
  const std::string big = store.writeFile(
      "big.csv", store_test::ymagFile(store_test::ymagRows(1, 60000, "Autre intitulé")));
  const daemon::ImportRequest request = store.request("p", "ymag", big);
  const std::string url = store.url();

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    try {
      auto connection = daemon::openStore(url);
      daemon::OfferImport import(*connection, store.clock());
      import.importFile(request);
    } catch (...) {
    }
    ::_exit(0);
  }
  const std::string copying = "SELECT count(*) FROM pg_stat_activity WHERE datname = '" +
                              store.name() +
                              "' AND query LIKE 'COPY passerelle_staging%' AND state = 'active'";
  const bool started = waitFor(store, copying, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // some rows in
  ::kill(child, SIGKILL);
  int wait_status = 0;
  ::waitpid(child, &wait_status, 0);
  REQUIRE(started);
  REQUIRE(WIFSIGNALED(wait_status));  // killed in the middle, not finished

  // The server notices the dead client and rolls its transaction back.
  const std::string others = "SELECT count(*) = 0 FROM pg_stat_activity WHERE datname = '" +
                             store.name() + "' AND pid <> pg_backend_pid()";
  REQUIRE(waitFor(store, "SELECT (" + others + ")::int", 1));
  CHECK(store.storeFingerprint() == before);
  CHECK(store.count("SELECT count(*) FROM offers WHERE json LIKE '%Autre intitul%'") == 0);

  // Nothing was "taken": the same file goes through afterwards.
  auto again = store.import("p", "ymag", big);
  CHECK(std::string(toString(again.outcome)) == toString(RunOutcome::kImported));
  CHECK(again.counts.updated == 100);
  CHECK(again.counts.created == 59900);
}

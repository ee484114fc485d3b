// The import's time is the injected Clock's, never the server's now(): every
// timestamp it writes, and the "today" that expires offers, follow a
// ManualClock set months away from the machine's date.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "connectors/host/clock.h"
#include "tests/integration/daemon/store_test_support.h"

using namespace passerelle;
using store_test::TestStore;
using store_test::YmagRow;

namespace {

// 1'780'000'000 s: 2026-05-28T20:26:40Z, the ManualClock's default start.
constexpr long kStart = 1'780'000'000;

// The distinct epoch seconds of a timestamp column, comma-separated.
std::string epochs(TestStore& store, const std::string& column, const std::string& table) {
  return store.scalar("SELECT string_agg(DISTINCT extract(epoch FROM " + column +
                      ")::bigint::text, ',') FROM " + table);
}

}  // namespace

TEST_CASE("an import's timestamps and its today come from the injected clock") {
  TestStore store;
  connectors::ManualClock clock;
  daemon::OfferImport import(store.db(), clock);
  const std::string start = std::to_string(kStart);

  // Ends on 1 June 2026: active on the clock's 28 May, expired on 2 June
  // (and already expired by the machine's date, if that were used).
  std::vector<YmagRow> rows = {YmagRow{.ref = "E-1", .expires = "01/06/2026"}};
  auto request = store.request("cfa-test", "ymag", store.writeFile("a.csv", ymagFile(rows)));
  request.today.reset();  // today from the clock as well
  const auto first = import.importFile(request);
  REQUIRE(std::string(toString(first.outcome)) == "imported");
  CHECK(first.counts.created == 1);
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'E-1'") == "active");

  CHECK(epochs(store, "first_seen", "offers") == start);
  CHECK(epochs(store, "last_changed", "offers") == start);
  CHECK(epochs(store, "at", "offer_history") == start);
  // (The outbox's rows are stamped by the outbox's enqueue, outbox.cpp, not
  // by the import.)
  CHECK(epochs(store, "recorded_at", "file_ledger") == start);
  CHECK(epochs(store, "created_at", "partners") == start);
  CHECK(epochs(store, "started_at", "import_runs") == start);
  CHECK(epochs(store, "finished_at", "import_runs") == start);
  // The clock did not move during the import: no time passed.
  CHECK(store.scalar("SELECT duration_ms FROM import_runs") == "0");

  // Five days later, a new file that leaves E-1 as it was: E-1 ends before
  // the clock's today and expires.
  clock.advance(std::chrono::hours(24 * 5));
  const std::string later = std::to_string(kStart + 5 * 86400);
  rows.push_back(YmagRow{.ref = "E-2"});
  request = store.request("cfa-test", "ymag", store.writeFile("b.csv", ymagFile(rows)));
  request.today.reset();
  const auto second = import.importFile(request);
  REQUIRE(std::string(toString(second.outcome)) == "imported");
  CHECK(second.counts.created == 1);
  CHECK(second.counts.expired == 1);
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'E-1'") == "expired");
  CHECK(store.scalar("SELECT extract(epoch FROM first_seen)::bigint || '/' ||"
                     " extract(epoch FROM last_changed)::bigint FROM offers"
                     " WHERE source_ref = 'E-1'") == start + "/" + later);
  CHECK(store.scalar("SELECT extract(epoch FROM first_seen)::bigint FROM offers"
                     " WHERE source_ref = 'E-2'") == later);
  CHECK(store.scalar("SELECT extract(epoch FROM max(recorded_at))::bigint FROM file_ledger") ==
        later);
  CHECK(store.scalar("SELECT extract(epoch FROM started_at)::bigint FROM import_runs"
                     " WHERE id = " +
                     std::to_string(second.run_id)) == later);
}

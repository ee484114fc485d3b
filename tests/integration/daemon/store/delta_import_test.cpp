// Delta imports (gil): C/M/S in file order, last one wins, ALREADY_EXISTS,
// UNKNOWN_OFFER and STALE_MOVEMENT recorded as the run's store warnings.
#include <doctest/doctest.h>

#include "tests/integration/daemon/store_test_support.h"

using namespace passerelle;
using daemon::RunOutcome;
using store_test::GilRow;
using store_test::TestStore;

namespace {

std::string warningsOf(TestStore& store, std::int64_t run) {
  return store.scalar(
      "SELECT string_agg(source_ref || ':' || code, ',' ORDER BY seq) FROM run_warnings"
      " WHERE origin = 'store' AND run_id = " +
      std::to_string(run));
}

std::string titleOf(TestStore& store, const std::string& ref) {
  return store.scalar("SELECT json::json->>'title' FROM offers WHERE source_ref = '" + ref + "'");
}

}  // namespace

TEST_CASE("delta: movements applied in file order with the store's warnings") {
  TestStore store;
  auto first =
      store.import("ifria", "gil",
                   store.writeFile("GIL_1.csv", store_test::gilFile({
                                                    {"C", "G-1", "Titre 1", "2026-03-02T09:00:00"},
                                                    {"C", "G-2", "Titre 2", "2026-03-02T09:00:00"},
                                                    {"C", "G-3", "Titre 3", "2026-03-02T09:00:00"},
                                                    {"C", "G-4", "Titre 4", ""},
                                                })));
  REQUIRE(std::string(toString(first.outcome)) == toString(RunOutcome::kImported));
  CHECK(first.counts.created == 4);
  CHECK(warningsOf(store, first.run_id).empty());

  // Offers not mentioned (G-4) are untouched.
  auto second = store.import(
      "ifria", "gil",
      store.writeFile(
          "GIL_2.csv",
          store_test::gilFile({
              {"C", "G-1", "Titre 1 bis", "2026-03-03T09:00:00"},     // exists: applied as M
              {"M", "G-9", "Titre 9", "2026-03-03T09:00:00"},         // unknown: applied as C
              {"S", "G-8", "", ""},                                   // unknown: nothing
              {"S", "G-2", "", "2026-03-03T10:00:00"},                // withdrawn
              {"M", "G-3", "Titre 3 ancien", "2026-03-01T09:00:00"},  // older than stored: skipped
              {"M", "G-1", "Titre 1 ter", "2026-03-03T11:00:00"},     // last one wins
              {"M", "G-1", "Titre 1 trop vieux", "2026-03-03T10:30:00"},  // stale within the file
          })));
  REQUIRE(std::string(toString(second.outcome)) == toString(RunOutcome::kImported));
  CHECK(warningsOf(store, second.run_id) ==
        "G-1:ALREADY_EXISTS,G-9:UNKNOWN_OFFER,G-8:UNKNOWN_OFFER,G-3:STALE_MOVEMENT,"
        "G-1:STALE_MOVEMENT");
  CHECK(second.store_warnings == 5);
  CHECK(titleOf(store, "G-1") == "Titre 1 ter");
  CHECK(titleOf(store, "G-3") == "Titre 3");
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'G-2'") == "withdrawn");
  CHECK(store.scalar("SELECT source_updated_at::text FROM offers WHERE source_ref = 'G-2'") ==
        "2026-03-03 10:00:00");
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'G-9'") == "active");
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'G-4'") == "active");
  CHECK(store.count("SELECT count(*) FROM offers WHERE source_ref = 'G-8'") == 0);
  CHECK(second.counts.created == 1);
  CHECK(second.counts.updated == 1);
  CHECK(second.counts.withdrawn == 1);
  // One history row per offer changed, whatever the number of movements.
  CHECK(store.count("SELECT count(*) FROM offer_history WHERE source_ref = 'G-1'") == 2);
  CHECK(store.scalar("SELECT warnings FROM import_runs WHERE id = " +
                     std::to_string(second.run_id)) == "5");

  // Re-created: active again under the same identity, no warning; a late
  // movement older than the deletion is stale.
  auto third = store.import(
      "ifria", "gil",
      store.writeFile("GIL_3.csv", store_test::gilFile({
                                       {"M", "G-2", "Titre 2 tardif", "2026-03-03T09:30:00"},
                                       {"C", "G-2", "Titre 2 revenu", "2026-03-04T09:00:00"},
                                   })));
  CHECK(warningsOf(store, third.run_id) == "G-2:STALE_MOVEMENT");
  CHECK(third.counts.reactivated == 1);
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'G-2'") == "active");
  CHECK(titleOf(store, "G-2") == "Titre 2 revenu");
  CHECK(store.scalar("SELECT string_agg(change, ',' ORDER BY id) FROM offer_history"
                     " WHERE source_ref = 'G-2'") == "created,withdrawn,reactivated");
}

TEST_CASE("delta: movements without MAJ are never stale; M on a withdrawn offer recreates it") {
  TestStore store;
  store.import("ifria", "gil",
               store.writeFile("a.csv", store_test::gilFile({
                                            {"C", "G-1", "Un", "2026-03-05T09:00:00"},
                                            {"S", "G-1", "", ""},
                                        })));
  // C then S in one file: the offer ends withdrawn... but it never existed
  // before the file, so nothing is stored.
  CHECK(store.count("SELECT count(*) FROM offers") == 0);
  store.import("ifria", "gil",
               store.writeFile("b.csv", store_test::gilFile({
                                            {"C", "G-2", "Deux", "2026-03-05T09:00:00"},
                                        })));
  auto r = store.import("ifria", "gil",
                        store.writeFile("c.csv", store_test::gilFile({
                                                     {"S", "G-2", "", "2026-03-06T09:00:00"},
                                                     {"M", "G-2", "Deux sans date", ""},
                                                 })));
  CHECK(warningsOf(store, r.run_id) == "G-2:UNKNOWN_OFFER");
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'G-2'") == "active");
  CHECK(titleOf(store, "G-2") == "Deux sans date");
}

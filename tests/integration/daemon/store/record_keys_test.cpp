// Record keys (daemon/store/record_keys.h, schema 014): a snapshot's records
// repeated byte for byte are not read again, and the store ends exactly as if
// they had been.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/integration/daemon/store_test_support.h"

using namespace passerelle;
using store_test::TestStore;
using store_test::YmagRow;

namespace {

// What an import leaves that does not depend on when or in which
// transaction it ran.
std::string storeState(TestStore& store) {
  return store.scalar(
      "SELECT concat_ws(' | ',"
      " (SELECT string_agg(source_ref || ':' || status || ':' || content_hash, ','"
      "   ORDER BY source_ref) FROM offers),"
      " (SELECT string_agg(source_ref || ':' || change, ',' ORDER BY source_ref, id)"
      "   FROM offer_history),"
      " (SELECT string_agg(source_ref || ':' || destination || ':' || kind || ':' || state, ','"
      "   ORDER BY source_ref, destination, id) FROM outbox_movements),"
      " (SELECT string_agg(line || ':' || coalesce(source_ref, '-') || ':' || errors::text, ','"
      "   ORDER BY run_id, seq) FROM run_rejects),"
      " (SELECT string_agg(coalesce(source_ref, '-') || ':' || code, ',' ORDER BY run_id,"
      "   seq) FROM run_warnings))");
}

struct Both {
  TestStore keyed;  // keeps its record keys
  TestStore plain;  // loses them before every import: reads every record
  int files = 0;

  // Imports `rows` into both; returns the keyed store's result after checking
  // that both stores and both results agree.
  daemon::ImportResult import(const std::vector<YmagRow>& rows) {
    const std::string name = "f" + std::to_string(++files) + ".csv";
    const std::string content = store_test::ymagFile(rows);
    plain.scalar("DELETE FROM offer_record_keys");
    daemon::ImportResult a = keyed.import("p", "ymag", keyed.writeFile(name, content));
    daemon::ImportResult b = plain.import("p", "ymag", plain.writeFile(name, content));
    CHECK(b.rows_not_read == 0);
    CHECK(a.counts == b.counts);
    CHECK(a.summary.offers == b.summary.offers);
    CHECK(a.summary.rejects == b.summary.rejects);
    CHECK(a.summary.warnings == b.summary.warnings);
    CHECK(std::string(toString(a.outcome)) == toString(b.outcome));
    CHECK(storeState(keyed) == storeState(plain));
    return a;
  }
};

}  // namespace

TEST_CASE("record keys: repeated records are not read again; the store ends the same") {
  Both both;
  auto rows = store_test::ymagRows(1, 30);
  rows[4].email = "pas-une-adresse";  // a warning: never skipped, always reported
  auto day1 = both.import(rows);
  CHECK(day1.rows_not_read == 0);
  CHECK(both.keyed.count("SELECT count(*) FROM offer_record_keys") == 29);

  std::reverse(rows.begin(), rows.end());  // the same records, other lines
  auto same = both.import(rows);
  CHECK(same.rows_not_read == 29);
  CHECK(same.counts == daemon::MergeCounts{0, 0, 30, 0, 0, 0});
  CHECK(both.keyed.count("SELECT count(*) FROM run_warnings WHERE run_id = " +
                         std::to_string(same.run_id)) == 1);

  // Day 2: one changed, one gone, one new, one record twice.
  rows[0].title = "Vendeur (H/F)";
  rows.erase(rows.begin() + 1);
  rows.push_back(store_test::ymagRows(31, 1).front());
  rows.push_back(rows[5]);
  auto day2 = both.import(rows);
  CHECK(day2.rows_not_read == 27);   // 30 - changed - gone - warning; the second copy is read
  CHECK(day2.summary.rejects == 1);  // DUPLICATE_REF, as without the keys
  CHECK(day2.counts.updated == 1);
  CHECK(day2.counts.created == 1);
  CHECK(day2.counts.withdrawn == 1);

  // The gone offer comes back as it was: withdrawn offers' keys do not count.
  rows.pop_back();
  rows.push_back(store_test::ymagRows(1, 30)[28]);
  auto day3 = both.import(rows);
  CHECK(day3.counts.reactivated == 1);

  // A changed offer's new record is keyed: the day after, it is not read.
  rows.push_back(rows[0]);  // other bytes than day 3's (a duplicate, refused)
  auto day4 = both.import(rows);
  CHECK(day4.summary.rejects == 1);
  CHECK(day4.summary.records == 32);
  CHECK(day4.rows_not_read == 30);  // all but the warning's row and the copy
}

TEST_CASE("record keys: an offer changed by another path is read again") {
  TestStore store;
  auto rows = store_test::ymagRows(1, 5);
  store.import("p", "ymag", store.writeFile("a.csv", store_test::ymagFile(rows)));
  // Another path changes two offers (an operator's withdrawal, an approved
  // file): their keys no longer match their state.
  store.scalar("UPDATE offers SET status = 'withdrawn' WHERE source_ref = 'Y-2'");
  store.scalar("UPDATE offers SET content_hash = repeat('0', 64) WHERE source_ref = 'Y-3'");
  std::reverse(rows.begin(), rows.end());
  auto again = store.import("p", "ymag", store.writeFile("b.csv", store_test::ymagFile(rows)));
  CHECK(again.rows_not_read == 3);
  CHECK(again.counts.reactivated == 1);
  CHECK(again.counts.updated == 1);
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'Y-2'") == "active");
  // Their keys now hold again.
  auto third =
      store.import("p", "ymag", store.writeFile("c.csv", store_test::ymagFile(rows) + "\r\n"));
  CHECK(third.rows_not_read == 5);
}

TEST_CASE("record keys: a partner's keys are its own") {
  TestStore store;
  auto rows = store_test::ymagRows(1, 5);
  const std::string content = store_test::ymagFile(rows);
  store.import("p", "ymag", store.writeFile("a.csv", content));
  auto other = store.import("q", "ymag", store.writeFile("b.csv", content));
  CHECK(other.rows_not_read == 0);
  CHECK(other.counts.created == 5);
}

// Snapshot imports (ymag): create, update only when changed, withdraw the
// missing, reactivate the returning, keep the rejected, expire the ended;
// duplicates and refused files change nothing.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/integration/daemon/store_test_support.h"

using namespace passerelle;
using daemon::RunOutcome;
using store_test::fixture;
using store_test::TestStore;

namespace {

std::string statusOf(TestStore& store, const std::string& ref) {
  return store.scalar("SELECT status FROM offers WHERE partner = 'cfa-test' AND source_ref = '" +
                      ref + "'");
}

std::string historyOf(TestStore& store, const std::string& ref) {
  return store.scalar(
      "SELECT string_agg(change, ',' ORDER BY id) FROM offer_history WHERE source_ref = '" + ref +
      "'");
}

}  // namespace

TEST_CASE("snapshot: three days of a partner, with history and outbox") {
  TestStore store;
  auto day1 = store.import("cfa-test", "ymag", fixture("YMAG_cfa-test_20260302060000.csv"));
  CHECK(std::string(toString(day1.outcome)) == toString(RunOutcome::kImported));
  CHECK(day1.summary.rejects == 1);
  CHECK(day1.counts.created == 4);
  CHECK(statusOf(store, "Y-1") == "active");
  CHECK(statusOf(store, "Y-4") == "expired");  // publication ended in 2020
  CHECK(statusOf(store, "Y-5") == "");         // rejected, never stored
  CHECK(store.count("SELECT count(*) FROM run_rejects WHERE run_id = " +
                    std::to_string(day1.run_id)) == 1);
  // One pending upsert per active offer and destination; none for the expired one.
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE kind = 'upsert'") == 6);
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE source_ref = 'Y-4'") == 0);
  // Indexed columns.
  CHECK(store.scalar("SELECT department FROM offers WHERE source_ref = 'Y-2'") == "29");
  CHECK(store.scalar("SELECT rome_codes::text FROM offers WHERE source_ref = 'Y-2'") ==
        "{D1102,D1106}");
  CHECK(store.count("SELECT count(*) FROM offers WHERE rome_codes @> '{D1106}'") == 3);

  const std::string y1_xmin =
      store.scalar("SELECT xmin::text FROM offers WHERE source_ref = 'Y-1'");
  auto day2 = store.import("cfa-test", "ymag", fixture("YMAG_cfa-test_20260303060000.csv"));
  CHECK(std::string(toString(day2.outcome)) == toString(RunOutcome::kImported));
  CHECK(day2.counts.created == 1);    // Y-6
  CHECK(day2.counts.updated == 1);    // Y-2
  CHECK(day2.counts.unchanged == 2);  // Y-1, Y-4
  CHECK(day2.counts.withdrawn == 1);  // Y-3
  CHECK(statusOf(store, "Y-3") == "withdrawn");
  CHECK(store.scalar("SELECT json::json->>'title' FROM offers WHERE source_ref = 'Y-2'") ==
        "Apprenti boulanger (H/F)");
  CHECK(store.scalar("SELECT xmin::text FROM offers WHERE source_ref = 'Y-1'") == y1_xmin);
  // The pending upsert of Y-3 was replaced by a close; still one per destination.
  CHECK(store.scalar("SELECT string_agg(DISTINCT kind, ',') FROM outbox_movements"
                     " WHERE source_ref = 'Y-3' AND state = 'pending'") == "close");
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE source_ref = 'Y-3'") == 2);

  auto day3 = store.import("cfa-test", "ymag", fixture("YMAG_cfa-test_20260304060000.csv"));
  CHECK(day3.counts.reactivated == 1);
  CHECK(day3.counts.unchanged == 4);
  CHECK(statusOf(store, "Y-3") == "active");
  CHECK(historyOf(store, "Y-3") == "created,withdrawn,reactivated");
  CHECK(historyOf(store, "Y-2") == "created,updated");
  CHECK(historyOf(store, "Y-1") == "created");
  CHECK(store.count("SELECT count(*) FROM offer_history WHERE run_id = " +
                    std::to_string(day3.run_id)) == 1);
  // first_seen is kept across withdrawal and return: same identity.
  CHECK(store.count("SELECT count(*) FROM offers WHERE source_ref = 'Y-3'"
                    " AND first_seen < last_changed") == 1);
}

TEST_CASE("snapshot: the same file twice writes nothing the second time") {
  TestStore store;
  const std::string path = fixture("YMAG_cfa-test_20260302060000.csv");
  auto first = store.import("cfa-test", "ymag", path);
  const std::string before = store.scalar(
      "SELECT string_agg(source_ref || ':' || xmin::text, ',' ORDER BY source_ref) FROM offers");
  const long history = store.count("SELECT count(*) FROM offer_history");
  auto second = store.import("cfa-test", "ymag", path);
  CHECK(std::string(toString(second.outcome)) == toString(RunOutcome::kDuplicate));
  CHECK(second.duplicate_of_run == first.run_id);
  CHECK(store.scalar("SELECT string_agg(source_ref || ':' || xmin::text, ',' ORDER BY"
                     " source_ref) FROM offers") == before);
  CHECK(store.count("SELECT count(*) FROM offer_history") == history);
  CHECK(store.scalar("SELECT outcome FROM import_runs WHERE id = " +
                     std::to_string(second.run_id)) == "duplicate");
  CHECK(store.count("SELECT count(*) FROM file_ledger WHERE outcome = 'duplicate'") == 1);

  // Another partner may import the same bytes: the ledger is per partner.
  auto other = store.import("cfa-other", "ymag", path);
  CHECK(std::string(toString(other.outcome)) == toString(RunOutcome::kImported));
}

TEST_CASE("snapshot: an unchanged export with other bytes rewrites no offer row") {
  TestStore store;
  auto rows = store_test::ymagRows(1, 30);
  store.import("p", "ymag", store.writeFile("a.csv", store_test::ymagFile(rows)));
  const std::string before = store.scalar(
      "SELECT string_agg(source_ref || ':' || xmin::text, ',' ORDER BY source_ref) FROM offers");
  std::reverse(rows.begin(), rows.end());  // other lines, same offers
  auto again = store.import("p", "ymag", store.writeFile("b.csv", store_test::ymagFile(rows)));
  CHECK(std::string(toString(again.outcome)) == toString(RunOutcome::kImported));
  CHECK(again.counts.unchanged == 30);
  CHECK(again.counts == daemon::MergeCounts{0, 0, 30, 0, 0, 0});
  CHECK(store.scalar("SELECT string_agg(source_ref || ':' || xmin::text, ',' ORDER BY"
                     " source_ref) FROM offers") == before);
  CHECK(store.count("SELECT count(*) FROM offer_history") == 30);
}

TEST_CASE("snapshot: rows are compared in the client; only new and changed rows are sent") {
  TestStore store;
  auto rows = store_test::ymagRows(1, 20);
  auto first = store.import("p", "ymag", store.writeFile("a.csv", store_test::ymagFile(rows)));
  CHECK(first.rows_sent == 20);

  std::reverse(rows.begin(), rows.end());  // other bytes, same offers
  auto same = store.import("p", "ymag", store.writeFile("b.csv", store_test::ymagFile(rows)));
  CHECK(same.rows_sent == 0);
  CHECK(same.counts == daemon::MergeCounts{0, 0, 20, 0, 0, 0});

  // Day 2: one changed, one gone, one new; the rest unchanged and not sent.
  rows[0].title = "Vendeur (H/F)";
  rows.erase(rows.begin() + 1);
  rows.push_back(store_test::ymagRows(21, 1).front());
  auto day2 = store.import("p", "ymag", store.writeFile("c.csv", store_test::ymagFile(rows)));
  CHECK(day2.rows_sent == 2);
  CHECK(day2.counts == daemon::MergeCounts{1, 1, 18, 1, 0, 0});
  CHECK(store.count("SELECT count(*) FROM offers WHERE status = 'withdrawn'") == 1);
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE kind = 'close'") == 2);
}

TEST_CASE("snapshot: an unchanged row not sent keeps its warnings in the run") {
  TestStore store;
  auto rows = store_test::ymagRows(1, 3);
  rows[1].email = "pas-une-adresse";  // EMAIL_INVALID: a warning, the offer is kept
  store.import("p", "ymag", store.writeFile("a.csv", store_test::ymagFile(rows)));
  std::reverse(rows.begin(), rows.end());
  auto again = store.import("p", "ymag", store.writeFile("b.csv", store_test::ymagFile(rows)));
  CHECK(again.counts.unchanged == 3);
  CHECK(again.rows_sent == 1);  // the warning's row, without its content
  CHECK(store.scalar("SELECT string_agg(source_ref || ':' || code, ',') FROM run_warnings"
                     " WHERE run_id = " +
                     std::to_string(again.run_id)) == "Y-2:EMAIL_INVALID");
}

TEST_CASE("snapshot: a withdrawn offer that comes back unchanged is sent and reactivated") {
  TestStore store;
  auto rows = store_test::ymagRows(1, 4);
  store.import("p", "ymag", store.writeFile("a.csv", store_test::ymagFile(rows)));
  auto without = rows;
  without.pop_back();
  auto gone = store.import("p", "ymag", store.writeFile("b.csv", store_test::ymagFile(without)));
  CHECK(gone.counts.withdrawn == 1);
  std::reverse(rows.begin(), rows.end());  // other bytes than a.csv: not a duplicate
  auto back = store.import("p", "ymag", store.writeFile("c.csv", store_test::ymagFile(rows)));
  CHECK(back.rows_sent == 1);
  CHECK(back.counts.reactivated == 1);
  CHECK(back.counts.unchanged == 3);
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'Y-4'") == "active");
}

TEST_CASE("snapshot: a rejected row withdraws nothing and keeps the stored version") {
  TestStore store;
  auto rows = store_test::ymagRows(1, 5);
  store.import("p", "ymag", store.writeFile("a.csv", store_test::ymagFile(rows)));
  const std::string hash = store.scalar("SELECT content_hash FROM offers WHERE source_ref = 'Y-3'");
  rows[2].siret = "510 245 678 00015";  // Luhn fails: Y-3 rejected
  rows[2].title = "Nouveau titre";
  auto second = store.import("p", "ymag", store.writeFile("b.csv", store_test::ymagFile(rows)));
  CHECK(second.summary.rejects == 1);
  CHECK(second.counts.withdrawn == 0);
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'Y-3'") == "active");
  CHECK(store.scalar("SELECT content_hash FROM offers WHERE source_ref = 'Y-3'") == hash);
  CHECK(store.scalar("SELECT errors::json->0->>'code' FROM run_rejects WHERE run_id = " +
                     std::to_string(second.run_id)) == "SIRET_CHECKSUM");
}

TEST_CASE("snapshot: a refused file changes nothing and is recorded") {
  TestStore store;
  store.import("cfa-test", "ymag", fixture("YMAG_cfa-test_20260302060000.csv"));
  const std::string before = store.storeFingerprint();
  const std::string offers_sql =
      "SELECT md5(string_agg(source_ref || status || xmin::text, ',' ORDER BY source_ref))"
      " FROM offers";
  const std::string offers_before = store.scalar(offers_sql);
  auto refused = store.import("cfa-test", "ymag", fixture("YMAG_cfa-test_truncated.csv"));
  CHECK(std::string(toString(refused.outcome)) == toString(RunOutcome::kRejectedFile));
  CHECK(refused.summary.file_error->code == "CSV_UNTERMINATED_QUOTE");
  CHECK(store.scalar("SELECT file_error_code FROM import_runs WHERE id = " +
                     std::to_string(refused.run_id)) == "CSV_UNTERMINATED_QUOTE");
  CHECK(store.scalar("SELECT outcome FROM file_ledger WHERE run_id = " +
                     std::to_string(refused.run_id)) == "rejected_file");
  // Offers, history, outbox, rejects untouched (one more run and ledger row).
  CHECK(store.scalar(offers_sql) == offers_before);
  CHECK(store.count("SELECT count(*) FROM offer_history") == 4);
  CHECK(store.count("SELECT count(*) FROM run_rejects") == 1);
  CHECK(before != store.storeFingerprint());  // the run was recorded
  // Refused content is not "taken": once fixed by the partner, it goes through.
  auto again = store.import("cfa-test", "ymag", fixture("YMAG_cfa-test_truncated.csv"));
  CHECK(std::string(toString(again.outcome)) == toString(RunOutcome::kRejectedFile));
}

TEST_CASE("snapshot: publication end in the past gives expired, a later date reactivates") {
  TestStore store;
  auto rows = store_test::ymagRows(1, 3);
  rows[0].expires = "09/03/2026";  // the day before the tests' today (2026-03-10)
  rows[1].expires = "10/03/2026";  // today: still active
  store.import("p", "ymag", store.writeFile("a.csv", store_test::ymagFile(rows)));
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'Y-1'") == "expired");
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'Y-2'") == "active");
  rows[0].expires = "31/12/2026";
  auto later = store.import("p", "ymag", store.writeFile("b.csv", store_test::ymagFile(rows)));
  CHECK(later.counts.reactivated == 1);
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'Y-1'") == "active");

  // Time passes: an unchanged offer expires at the next import (of a new file:
  // the same bytes again would be a duplicate).
  rows.push_back(store_test::ymagRows(9, 1).front());
  daemon::OfferImport import(store.db(), store.clock());
  auto request = store.request("p", "ymag", store.writeFile("c.csv", store_test::ymagFile(rows)));
  request.today = "2026-03-11";
  auto next_day = import.importFile(request);
  CHECK(next_day.counts.expired == 1);
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'Y-2'") == "expired");
  CHECK(store.scalar("SELECT string_agg(change, ',' ORDER BY id) FROM offer_history"
                     " WHERE source_ref = 'Y-2'") == "created,expired");
  CHECK(store.scalar("SELECT string_agg(DISTINCT kind, ',') FROM outbox_movements"
                     " WHERE source_ref = 'Y-2' AND state = 'pending'") == "close");
}

namespace {

// What an import wrote for `partner` in `run`, but the partner, the run's id
// and the stamps: the offers, their history, the outbox, rejects, warnings
// and the run's counts (offer Y-99, the seed of the staged path, left out).
std::string writtenByRun(TestStore& store, const std::string& partner, std::int64_t run) {
  const std::string p = "'" + partner + "'";
  const std::string r = std::to_string(run);
  const char* not_seed = " AND source_ref <> 'Y-99'";
  return store.scalar(
             "SELECT string_agg(concat_ws('|', source_ref, status, json, content_hash,"
             " department, siret, rome_codes, contract_type, expires, source_updated_at,"
             " first_seen = last_changed), E'\\n' ORDER BY source_ref) FROM offers"
             " WHERE partner = " +
             p + not_seed) +
         "\n--\n" +
         store.scalar(
             "SELECT string_agg(concat_ws('|', source_ref, change, old_status, new_status,"
             " old_hash, new_hash, line, replaced_json), E'\\n' ORDER BY id)"
             " FROM offer_history WHERE partner = " +
             p + " AND run_id = " + r + not_seed) +
         "\n--\n" +
         store.scalar(
             "SELECT string_agg(concat_ws('|', source_ref, destination, kind, content_hash,"
             " priority, state), E'\\n' ORDER BY source_ref, destination)"
             " FROM outbox_movements WHERE partner = " +
             p + " AND run_id = " + r + not_seed) +
         "\n--\n" +
         store.scalar(
             "SELECT string_agg(concat_ws('|', seq, line, record, source_ref, errors,"
             " warnings), E'\\n' ORDER BY seq) FROM run_rejects WHERE run_id = " +
             r) +
         "\n--\n" +
         store.scalar(
             "SELECT string_agg(concat_ws('|', seq, origin, line, record, source_ref,"
             " field, code, message, value), E'\\n' ORDER BY seq) FROM run_warnings"
             " WHERE run_id = " +
             r) +
         "\n--\n" +
         store.scalar(
             "SELECT concat_ws('|', outcome, records, offers, rejects, warnings, created,"
             " updated, unchanged, reactivated, expired) FROM import_runs WHERE id = " +
             r);
}

}  // namespace

TEST_CASE("snapshot: a partner's first load writes what the staged merge would") {
  auto rows = store_test::ymagRows(1, 12);
  rows[0].expires = "09/03/2026";     // ended the day before the tests' today: expired at once
  rows[3].email = "pas-une-adresse";  // EMAIL_INVALID: a warning, the offer is kept
  rows[7].ref = rows[6].ref;          // DUPLICATE_REF: rejected
  const std::string file = store_test::ymagFile(rows);

  // A partner with nothing stored: its first snapshot is loaded straight into offers.
  TestStore first;
  auto loaded = first.import("p", "ymag", first.writeFile("a.csv", file));
  // The same partner holding one other offer in another store: the same file
  // takes the staged merge.
  TestStore staged_store;
  staged_store.import(
      "p", "ymag",
      staged_store.writeFile("seed.csv", store_test::ymagFile(store_test::ymagRows(99, 1))));
  auto staged = staged_store.import("p", "ymag", staged_store.writeFile("a.csv", file));

  REQUIRE(std::string(toString(loaded.outcome)) == toString(RunOutcome::kImported));
  REQUIRE(std::string(toString(staged.outcome)) == toString(RunOutcome::kImported));
  CHECK(loaded.counts == daemon::MergeCounts{11, 0, 0, 0, 0, 0});
  CHECK(staged.counts == daemon::MergeCounts{11, 0, 0, 1, 0, 0});  // Y-99 withdrawn
  CHECK(loaded.rows_sent == staged.rows_sent);
  CHECK(first.scalar("SELECT status FROM offers WHERE source_ref = 'Y-1'") == "expired");
  CHECK(first.count("SELECT count(*) FROM run_rejects") == 1);
  CHECK(first.count("SELECT count(*) FROM run_warnings") >= 1);
  CHECK(writtenByRun(first, "p", loaded.run_id) == writtenByRun(staged_store, "p", staged.run_id));

  // The next snapshot compares with what was loaded.
  rows[2].title = "Vendeur (H/F)";
  auto next = first.import("p", "ymag", first.writeFile("c.csv", store_test::ymagFile(rows)));
  CHECK(next.counts == daemon::MergeCounts{0, 1, 10, 0, 0, 0});
  // The change, the expired offer (always sent), the reject, the warning's row.
  CHECK(next.rows_sent == 4);
}

TEST_CASE("snapshot: a first load of a refused file leaves nothing behind") {
  TestStore store;
  auto result = store.import("p", "ymag", fixture("YMAG_cfa-test_truncated.csv"));
  CHECK(std::string(toString(result.outcome)) == toString(RunOutcome::kRejectedFile));
  CHECK(store.count("SELECT count(*) FROM offers") == 0);
  CHECK(store.count("SELECT count(*) FROM offer_history") == 0);
  CHECK(store.count("SELECT count(*) FROM outbox_movements") == 0);
}

TEST_CASE("snapshot: rows read on several threads store what one thread stores") {
  // Enough rows for many batches of the row threads (formats/row_workers.h),
  // with warnings, rejects and repeated references scattered among them.
  auto rows = store_test::ymagRows(1, 1500);
  for (std::size_t i = 0; i < rows.size(); i += 37) rows[i].email = "pas-une-adresse";
  for (std::size_t i = 5; i < rows.size(); i += 101) rows[i].siret = "123";
  for (std::size_t i = 9; i < rows.size(); i += 211) rows[i].ref = rows[i - 1].ref;
  for (std::size_t i = 0; i < rows.size(); i += 53) rows[i].expires = "09/03/2026";
  auto day2 = rows;
  for (std::size_t i = 2; i < day2.size(); i += 29) day2[i].title = "Vendeur (H/F)";
  day2.erase(day2.begin() + 700, day2.begin() + 710);

  auto importBoth = [](TestStore& store, std::size_t threads,
                       const std::vector<store_test::YmagRow>& file, const char* name) {
    auto request = store.request("p", "ymag", store.writeFile(name, store_test::ymagFile(file)));
    request.row_threads = threads;
    return store.import(request);
  };
  TestStore one, three;
  for (const auto& [file, name] : {std::pair{&rows, "a.csv"}, std::pair{&day2, "b.csv"}}) {
    auto by_one = importBoth(one, 1, *file, name);
    auto by_three = importBoth(three, 3, *file, name);
    REQUIRE(std::string(toString(by_three.outcome)) == toString(RunOutcome::kImported));
    CHECK(by_one.counts == by_three.counts);
    CHECK(by_one.rows_sent == by_three.rows_sent);
    CHECK(by_one.summary.rejects == by_three.summary.rejects);
    CHECK(by_one.summary.warnings == by_three.summary.warnings);
    CHECK(writtenByRun(one, "p", by_one.run_id) == writtenByRun(three, "p", by_three.run_id));
  }
  const char* rejects =
      "SELECT string_agg(concat_ws('|', run_id, line, source_ref, errors::text, warnings::text), "
      "E'\\n'"
      " ORDER BY line) FROM run_rejects";
  CHECK(one.scalar(rejects) == three.scalar(rejects));
  CHECK(one.count("SELECT count(*) FROM run_rejects") > 10);
}

TEST_CASE("snapshot: each offer's search text is folded as the server folds the words searched") {
  auto rows = store_test::ymagRows(1, 3);
  rows[0].title = "Maçon VRD (H/F) — Œuvre";
  rows[1].title = "PÂTISSIER ÉCLAIR ÿÝŸ ñ";
  TestStore store;
  store.import("p", "ymag", store.writeFile("a.csv", store_test::ymagFile(rows)));
  CHECK(store.scalar("SELECT search_text FROM offers WHERE source_ref = 'Y-1'") ==
        "y-1 macon vrd (h/f) — Œuvre boulangerie du sillon 51024567800014");
  // What the client wrote is what the server's fold gives (schema 011).
  CHECK(store.count("SELECT count(*) FROM offers WHERE search_text = offer_search_fold(concat_ws("
                    "' ', source_ref, json::jsonb ->> 'title', json::jsonb -> 'employer' ->> "
                    "'name', json::jsonb -> 'employer' ->> 'siret'))") == 3);
  CHECK(store.scalar(
            "SELECT string_agg(source_ref, ',') FROM offers"
            " WHERE search_text LIKE '%' || offer_search_fold('PATISSIER éclair YYY') || '%'") ==
        "Y-2");
}

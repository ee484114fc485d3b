// Snapshot safety: too many withdrawals, or an empty snapshot, quarantine the
// file (nothing applied); approve applies it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "daemon/store/store_connection.h"
#include "tests/integration/daemon/store_test_support.h"

using namespace passerelle;
using daemon::RunOutcome;
using store_test::TestStore;

TEST_CASE("quarantine: too many withdrawals, then approve") {
  TestStore store;
  store.import("p", "ymag",
               store.writeFile("full.csv", store_test::ymagFile(store_test::ymagRows(1, 20))));
  const std::string before = store.scalar(
      "SELECT string_agg(source_ref || status || xmin::text, ',' ORDER BY source_ref) FROM offers");
  const std::string partial =
      store.writeFile("partial.csv", store_test::ymagFile(store_test::ymagRows(1, 5)));
  auto q = store.import("p", "ymag", partial);
  REQUIRE(std::string(toString(q.outcome)) == toString(RunOutcome::kQuarantined));
  CHECK(q.message.find("would withdraw 15 of 20") != std::string::npos);
  CHECK(store.scalar("SELECT string_agg(source_ref || status || xmin::text, ',' ORDER BY"
                     " source_ref) FROM offers") == before);
  const std::string kept = store.scalar("SELECT quarantine_path FROM import_runs WHERE id = " +
                                        std::to_string(q.run_id));
  CHECK(std::filesystem::exists(kept));
  CHECK(store.scalar("SELECT outcome FROM file_ledger WHERE run_id = " +
                     std::to_string(q.run_id)) == "quarantined");

  // Dropped again while waiting: a duplicate.
  CHECK(std::string(toString(store.import("p", "ymag", partial).outcome)) ==
        toString(RunOutcome::kDuplicate));

  daemon::OfferImport import(store.db(), store.clock());
  auto approved = import.approve(q.run_id, {std::nullopt, std::string("2026-03-10")});
  CHECK(std::string(toString(approved.outcome)) == toString(RunOutcome::kApproved));
  CHECK(approved.counts.withdrawn == 15);
  CHECK(store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 5);
  CHECK(store.scalar("SELECT approved_by_run FROM import_runs WHERE id = " +
                     std::to_string(q.run_id)) == std::to_string(approved.run_id));
  CHECK(store.scalar("SELECT approves_run FROM import_runs WHERE id = " +
                     std::to_string(approved.run_id)) == std::to_string(q.run_id));
  CHECK(store.scalar("SELECT outcome FROM file_ledger WHERE sha256 = (SELECT file_sha256 FROM"
                     " import_runs WHERE id = " +
                     std::to_string(q.run_id) + ") AND outcome <> 'duplicate'") == "imported");
  CHECK(store.count("SELECT count(*) FROM offer_history WHERE run_id = " +
                    std::to_string(approved.run_id)) == 15);
  CHECK_FALSE(std::filesystem::exists(kept));
  CHECK_THROWS_AS(import.approve(q.run_id, {}), daemon::ApproveRefused);
  // Now imported: the same content again is a duplicate.
  CHECK(std::string(toString(store.import("p", "ymag", partial).outcome)) ==
        toString(RunOutcome::kDuplicate));
}

TEST_CASE("quarantine: both thresholds must be passed") {
  TestStore store;
  store.import("p", "ymag",
               store.writeFile("a.csv", store_test::ymagFile(store_test::ymagRows(1, 12))));
  // 10 of 12 withdrawn: more than half, but not more than 10: applied.
  auto ten = store.import(
      "p", "ymag", store.writeFile("b.csv", store_test::ymagFile(store_test::ymagRows(1, 2))));
  CHECK(std::string(toString(ten.outcome)) == toString(RunOutcome::kImported));
  CHECK(ten.counts.withdrawn == 10);

  TestStore other;
  other.import("p", "ymag",
               other.writeFile("a.csv", store_test::ymagFile(store_test::ymagRows(1, 40))));
  // 11 of 40: more than 10 but not more than half: applied.
  auto eleven = other.import(
      "p", "ymag", other.writeFile("b.csv", store_test::ymagFile(store_test::ymagRows(1, 29))));
  CHECK(std::string(toString(eleven.outcome)) == toString(RunOutcome::kImported));
  // Per-partner limits are honoured.
  daemon::OfferImport import(other.db(), other.clock());
  auto request = other.request(
      "p", "ymag", other.writeFile("c.csv", store_test::ymagFile(store_test::ymagRows(1, 27))));
  request.limits = {0.05, 1};
  CHECK(std::string(toString(import.importFile(request).outcome)) ==
        toString(RunOutcome::kQuarantined));
}

TEST_CASE("quarantine: an empty snapshot is always quarantined when offers are active") {
  TestStore store;
  store.import("p", "ymag",
               store.writeFile("a.csv", store_test::ymagFile(store_test::ymagRows(1, 3))));
  auto empty = store.import("p", "ymag", store.writeFile("empty.csv", store_test::ymagFile({})));
  CHECK(std::string(toString(empty.outcome)) == toString(RunOutcome::kQuarantined));
  CHECK(empty.message.find("empty snapshot") != std::string::npos);
  CHECK(store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 3);

  // A later snapshot was applied: approving the old one would go back in time.
  store.import("p", "ymag",
               store.writeFile("b.csv", store_test::ymagFile(store_test::ymagRows(1, 4))));
  daemon::OfferImport import(store.db(), store.clock());
  CHECK_THROWS_AS(import.approve(empty.run_id, {}), daemon::ApproveRefused);
  CHECK(store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 4);

  // A partner with nothing active may send an empty snapshot.
  auto first = store.import("q", "ymag", store.writeFile("q.csv", store_test::ymagFile({})));
  CHECK(std::string(toString(first.outcome)) == toString(RunOutcome::kImported));
}

TEST_CASE("quarantine: a full disk during the copy leaves nothing and is retried") {
  TestStore store;
  store.import("p", "ymag",
               store.writeFile("full.csv", store_test::ymagFile(store_test::ymagRows(1, 20))));
  const std::string partial =
      store.writeFile("partial.csv", store_test::ymagFile(store_test::ymagRows(1, 5)));
  daemon::ImportRequest request = store.request("p", "ymag", partial);
  // The disk fills up half-way: a part of the file is written, then ENOSPC.
  request.copy_to_quarantine = [](const std::filesystem::path&, const std::filesystem::path& to) {
    std::ofstream(to) << "half a file";
    throw std::filesystem::filesystem_error("copy_file", to,
                                            std::make_error_code(std::errc::no_space_on_device));
  };
  daemon::OfferImport import(store.db(), store.clock());
  std::string message;
  try {
    import.importFile(request);
  } catch (const daemon::StoreError& e) {
    message = e.what();
  }
  CHECK(message.find("no space left on device while copying " + partial + " to quarantine") !=
        std::string::npos);
  // No .part left behind, nothing applied, the file not taken: the next poll
  // imports it (here, quarantines it) normally.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(request.quarantine_dir))
    CHECK_MESSAGE(entry.path().extension() != ".part", entry.path().string());
  CHECK(store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 20);
  CHECK(store.scalar("SELECT outcome FROM import_runs ORDER BY id DESC LIMIT 1") == "failed");
  CHECK(store.scalar("SELECT message FROM import_runs ORDER BY id DESC LIMIT 1")
            .find("no space left on device") != std::string::npos);
  CHECK(std::string(toString(store.import("p", "ymag", partial).outcome)) ==
        toString(RunOutcome::kQuarantined));
}

// `passerelle status` against a real PostgreSQL (status_command.h): the
// partners' last poll, last file and offers by status, and the
// destinations' queues, not-eligible reasons and pauses, after an import.
#include "daemon/cli/status_command.h"

#include <doctest/doctest.h>

#include "daemon/cli/daemons_status.h"
#include "daemon/store/partner_lease.h"
#include "daemon/store/poll_record.h"
#include "tests/integration/daemon/store_test_support.h"

using namespace passerelle;
using store_test::fixture;
using store_test::TestStore;

TEST_CASE("status: partners and destinations after an import, as one JSON object") {
  TestStore store;
  store.import("cfa-test", "ymag", fixture("YMAG_cfa-test_20260302060000.csv"));
  daemon::recordPoll(store.db(), store.clock(), "cfa-test", true, "1 file(s) imported");
  daemon::recordPoll(store.db(), store.clock(), "cfa-down", false, "connection refused");
  daemon::recordPoll(store.db(), store.clock(), "cfa-down", false, "connection refused again");
  store.scalar(
      "INSERT INTO destination_offers (partner, source_ref, destination,"
      " not_eligible_reasons) VALUES ('cfa-test', 'Y-1', 'lba', '{NO_EMAIL,NO_SIRET}'),"
      " ('cfa-test', 'Y-2', 'lba', '{NO_EMAIL}') RETURNING 1");
  store.scalar(
      "UPDATE destination_status SET paused_reason = '401: key revoked',"
      " paused_at = now() WHERE destination = 'lba' RETURNING 1");
  store.scalar(
      "UPDATE destination_status SET last_success_at = now()"
      " WHERE destination = 'france-travail' RETURNING 1");

  pqxx::read_transaction tx(store.db());
  const auto j = daemon::statusJson(daemon::collectStatus(tx, {"cfa-test", "cfa-idle"}));
  REQUIRE(j["partners"].size() == 3);  // cfa-down, cfa-idle, cfa-test (sorted)
  const auto& down = j["partners"][0];
  CHECK(down["partner"] == "cfa-down");
  CHECK(down["configured"] == false);
  CHECK(down["last_poll"]["outcome"] == "failed");
  CHECK(down["last_poll"]["message"] == "connection refused again");
  CHECK(down["last_poll"]["consecutive_failures"] == 2);
  const auto& idle = j["partners"][1];
  CHECK(idle["configured"] == true);
  CHECK(idle["last_poll"]["at"].is_null());
  CHECK(idle["last_file"]["file"].is_null());
  CHECK(idle["offers"]["active"] == 0);
  const auto& test = j["partners"][2];
  CHECK(test["last_poll"]["outcome"] == "ok");
  CHECK(test["last_poll"]["consecutive_failures"] == 0);
  CHECK(test["last_file"]["outcome"] == "imported");
  CHECK(test["last_file"]["file"] == "YMAG_cfa-test_20260302060000.csv");
  CHECK(test["offers"]["active"] == 3);  // Y-1..Y-3; Y-4 expired, Y-5 rejected
  CHECK(test["offers"]["expired"] == 1);
  CHECK(test["offers"]["withdrawn"] == 0);

  REQUIRE(j["destinations"].size() == 2);
  const auto& lba = j["destinations"][0];
  CHECK(lba["destination"] == "lba");
  CHECK(lba["pending"] == 3);
  CHECK(lba["in_flight"] == 0);
  CHECK(lba["failed"] == 0);
  CHECK(lba["not_eligible"] == 2);
  CHECK(lba["not_eligible_by_reason"]["NO_EMAIL"] == 2);
  CHECK(lba["not_eligible_by_reason"]["NO_SIRET"] == 1);
  CHECK(lba["paused"] == true);
  CHECK(lba["paused_reason"] == "401: key revoked");
  CHECK(lba["last_success_at"].is_null());
  const auto& ft = j["destinations"][1];
  CHECK(ft["destination"] == "france-travail");
  CHECK(ft["pending"] == 3);
  CHECK(ft["paused"] == false);
  CHECK_FALSE(ft["last_success_at"].is_null());
}

TEST_CASE("status: each daemon, its heartbeat, alive or gone, and the partners it holds") {
  TestStore store;
  connectors::ManualClock clock;
  daemon::DaemonRegistry a(clock, {"host-a:1:0000000a", "host-a", 1, "9.9"},
                           std::chrono::minutes(2));
  daemon::DaemonRegistry b(clock, {"host-b:2:0000000b", "host-b", 2, "9.9"},
                           std::chrono::minutes(2));
  {
    pqxx::work tx(store.db());
    daemon::PartnerLeases(b).balance(tx, {"cfa-1", "cfa-2"}, {});
    tx.commit();
  }
  clock.advance(std::chrono::minutes(3));  // b not heard from for two intervals: gone
  {
    pqxx::work tx(store.db());
    daemon::PartnerLeases(a).balance(tx, {"cfa-1", "cfa-2"}, {});
    tx.commit();
  }
  pqxx::read_transaction tx(store.db());
  const auto j = daemon::daemonsJson(daemon::collectDaemons(tx, clock.now()));
  REQUIRE(j.size() == 2);
  CHECK(j[0]["id"] == "host-a:1:0000000a");
  CHECK(j[0]["alive"] == true);
  CHECK(j[0]["partners"] == nlohmann::json::array({"cfa-1", "cfa-2"}));
  CHECK(j[0]["heartbeat_at"].get<std::string>().size() == 25);  // RFC 3339 with its offset
  CHECK(j[1]["id"] == "host-b:2:0000000b");
  CHECK(j[1]["alive"] == false);
  CHECK(j[1]["partners"].empty());
}

// The France Travail worker end to end: offers imported into a real store,
// batches sent to tests/servers/france_travail_server.py, every file it
// received inspected.
#include "daemon/destinations/france_travail/france_travail_push.h"

#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/integration/daemon/store_test_support.h"

#include "tests/support/france_travail_test_client.h"
#include "tests/support/test_server_process.h"

using namespace std::chrono_literals;
using namespace passerelle;
using Json = nlohmann::json;
using passerelle::testing::TestServer;
using store_test::TestStore;
namespace pc = passerelle::connectors;

namespace {

struct FtWorker {
  FtWorker(TestStore& store, const TestServer& server, pc::Clock& clock)
      : client(testing::ftClientSettingsFor(server), clock),
        outbox(clock, outboxSettings(), daemon::makeWorkerId("test-ft")),
        push(store.db(), client, outbox, pushSettings()) {}
  static daemon::OutboxSettings outboxSettings() {
    daemon::OutboxSettings s;
    s.backoff_base = 10s;
    s.backoff_max = 60s;
    return s;
  }
  static daemon::FtPushSettings pushSettings() {
    daemon::FtPushSettings s;
    s.feed = {"BRETAGNEALTERNANCE", "Bretagne Alternance", "", ""};
    s.feed_name = "FLUXTEST";
    return s;
  }
  pc::FranceTravailClient client;
  daemon::Outbox outbox;
  daemon::FranceTravailPush push;
};

// Par_ref_offre -> Type_mouvement of the rows of a file.
std::map<std::string, std::string> movements(const std::string& csv) {
  std::map<std::string, std::string> out;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream row(line);
    while (std::getline(row, field, '|')) fields.push_back(field);
    REQUIRE(fields.size() == pc::kFtColumnCount);
    out[fields[0]] = fields[28];
  }
  return out;
}

Json uploads(const TestServer& s) {
  return Json::parse(s.get("/__test__/uploads"));
}

long ftState(TestStore& store, const std::string& state) {
  return store.count(
      "SELECT count(*) FROM outbox_movements WHERE destination = 'france-travail' AND state = '" +
      state + "'");
}

}  // namespace

TEST_CASE("france-travail push: C, then M and S only for accepted offers; never non-shared") {
  TestStore store;
  TestServer server("france_travail_server.py");
  pc::ManualClock clock;
  FtWorker w(store, server, clock);
  store.import("cfa-test", "ymag",
               store.writeFile("day1.csv", store_test::ymagFile(store_test::ymagRows(1, 3))));
  // Y-2's employer did not agree to share it.
  store.scalar(
      "UPDATE offers SET json = replace(json, '\"share_with_france_travail\":true',"
      " '\"share_with_france_travail\":false') WHERE source_ref = 'Y-2' RETURNING 1");

  auto r = w.push.runBatch();
  CHECK(r.accepted);
  CHECK(r.rows == 2);
  CHECK(r.counts.not_eligible == 1);
  REQUIRE(uploads(server).size() == 1);
  CHECK(uploads(server)[0]["accepted"] == true);
  const auto first = movements(uploads(server)[0]["csv"].get<std::string>());
  CHECK(first == std::map<std::string, std::string>{{"cfa-test:Y-1", "C"}, {"cfa-test:Y-3", "C"}});
  CHECK(store.scalar("SELECT not_eligible_reasons::text FROM destination_offers"
                     " WHERE source_ref = 'Y-2' AND destination = 'france-travail'") ==
        "{NOT_SHARED}");
  CHECK(ftState(store, "sent") == 2);

  // Nothing pending: nothing sent.
  r = w.push.runBatch();
  CHECK(r.rows == 0);
  CHECK(uploads(server).size() == 1);

  // Day 2: Y-1 changed; Y-2 (never accepted) and Y-3 (accepted) withdrawn.
  auto rows = store_test::ymagRows(1, 1);
  rows[0].title = "Vendeur confirmé";
  store.import("cfa-test", "ymag", store.writeFile("day2.csv", store_test::ymagFile(rows)));
  r = w.push.runBatch();
  CHECK(r.accepted);
  REQUIRE(uploads(server).size() == 2);
  const auto second = movements(uploads(server)[1]["csv"].get<std::string>());
  CHECK(second == std::map<std::string, std::string>{{"cfa-test:Y-1", "M"}, {"cfa-test:Y-3", "S"}});
  CHECK(store.count("SELECT count(*) FROM destination_offers WHERE destination = 'france-travail'"
                    " AND accepted_hash IS NOT NULL") == 1);  // Y-1 only; Y-3's cleared by S

  // Re-importing the same content: nothing to send.
  store.import("cfa-test", "ymag",
               store.writeFile("day3.csv", store_test::ymagFile(rows) + "\r\n"));
  CHECK(w.push.runBatch().rows == 0);
  CHECK(uploads(server).size() == 2);
}

TEST_CASE("france-travail push: a refused file keeps its movements pending, retried later") {
  TestStore store;
  TestServer server("france_travail_server.py");
  pc::ManualClock clock;
  FtWorker w(store, server, clock);
  store.import("cfa-test", "ymag",
               store.writeFile("day1.csv", store_test::ymagFile(store_test::ymagRows(1, 2))));
  server.post("/__test__/faults", R"({"mode":"error_text","count":1})");
  auto r = w.push.runBatch();
  CHECK_FALSE(r.accepted);
  CHECK(r.rows == 2);
  CHECK(r.counts.retried == 2);
  CHECK(ftState(store, "pending") == 2);
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE destination = 'france-travail'"
                    " AND jsonb_array_length(errors) = 1 AND last_error LIKE '%refused%'") == 2);
  CHECK(w.push.runBatch().rows == 0);  // not due yet
  clock.advance(1min);
  r = w.push.runBatch();
  CHECK(r.accepted);
  CHECK(r.rows == 2);
  CHECK(ftState(store, "sent") == 2);
  CHECK(store.count("SELECT count(*) FROM push_runs WHERE destination = 'france-travail'") == 2);
}

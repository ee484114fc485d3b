// The lba worker end to end: offers imported into a real store, pushed to
// tests/servers/lba_server.py, every request the server received counted.
#include "daemon/destinations/lba/lba_push.h"

#include <doctest/doctest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/daemon/store_test_support.h"

#include "tests/support/test_server_process.h"

using namespace std::chrono_literals;
using namespace passerelle;
using Json = nlohmann::json;
using passerelle::testing::LinkedClock;
using passerelle::testing::TestServer;
using store_test::TestStore;
namespace pc = passerelle::connectors;

namespace {

// Client, limiter, outbox and worker around one connection.
struct Worker {
  Worker(TestStore& store, const TestServer& server, pc::Clock& clock,
         pc::RateLimitSettings limits = {1000, 1000, 0s}, std::string key = "test-key",
         std::unique_ptr<pqxx::connection> own = nullptr)
      : connection(std::move(own)),
        limiter(clock, limits),
        client(settings(server, std::move(key)), clock, limiter),
        outbox(clock, outboxSettings(), daemon::makeWorkerId("test")),
        push(connection ? *connection : store.db(), client, outbox, {}) {}
  static pc::LbaClientSettings settings(const TestServer& server, std::string key) {
    pc::LbaClientSettings s;
    s.base_url = server.url();
    s.api_key = std::move(key);
    s.timeout = 2s;
    return s;
  }
  static daemon::OutboxSettings outboxSettings() {
    daemon::OutboxSettings s;
    s.backoff_base = 10s;
    s.backoff_max = 60s;
    s.max_attempts = 5;
    return s;
  }
  std::unique_ptr<pqxx::connection> connection;
  pc::RateLimiter limiter;
  pc::LbaClient client;
  daemon::Outbox outbox;
  daemon::LbaPush push;
};

Json stats(const TestServer& s) {
  return Json::parse(s.get("/__test__/stats"));
}
Json requests(const TestServer& s) {
  return Json::parse(s.get("/__test__/requests"));
}

// The status the server holds for a partner_job_id ("" when it has none).
std::string offerStatus(const TestServer& s, const std::string& partner_job_id) {
  const Json offers = Json::parse(s.get("/__test__/offers"));
  for (const auto& [id, offer] : offers.items()) {
    if (offer.value("partner_job_id", "") == partner_job_id) return offer.value("status", "");
  }
  return "";
}

void importRows(TestStore& store, int first, int count, const std::string& name = "f.csv") {
  store.import("cfa-test", "ymag",
               store.writeFile(name, store_test::ymagFile(store_test::ymagRows(first, count))));
}

long lbaState(TestStore& store, const std::string& state) {
  return store.count(
      "SELECT count(*) FROM outbox_movements WHERE destination = 'lba' AND state = '" + state +
      "'");
}

void queueUpsert(TestStore& store, const std::string& ref) {
  store.scalar(
      "INSERT INTO outbox_movements (partner, source_ref, destination, kind) VALUES"
      " ('cfa-test', '" +
      ref + "', 'lba', 'upsert') RETURNING id");
}

}  // namespace

TEST_CASE("lba push: created once, unchanged never re-sent, withdrawn closed once processed") {
  TestStore store;
  TestServer server("lba_server.py");
  pc::ManualClock clock;
  Worker w(store, server, clock);
  importRows(store, 1, 3, "day1.csv");
  auto c = w.push.drain();
  CHECK(c.sent == 3);
  CHECK(stats(server)["created"] == 3);
  CHECK(stats(server)["offers"] == 3);
  CHECK(lbaState(store, "sent") == 3);
  CHECK(store.count("SELECT count(*) FROM destination_offers WHERE destination = 'lba'"
                    " AND length(service_id) = 24 AND accepted_hash IS NOT NULL") == 3);
  // Body exactly as built, partner_job_id = partner:ref.
  CHECK(requests(server)[0]["body"].get<std::string>().find(
            "\"partner_job_id\":\"cfa-test:Y-1\"") != std::string::npos);

  // A movement whose body would be the same: settled without a request.
  queueUpsert(store, "Y-1");
  c = w.push.drain();
  CHECK(c.unchanged == 1);
  CHECK(stats(server)["requests"] == 3);

  // Day 2: Y-3 withdrawn (snapshot without it), Y-2 changed.
  auto rows = store_test::ymagRows(1, 2);
  rows[1].title = "Vendeur 2 confirmé";
  store.import("cfa-test", "ymag", store.writeFile("day2.csv", store_test::ymagFile(rows)));
  c = w.push.drain();
  CHECK(c.sent == 2);  // Y-2 updated; Y-3 closed by POST, published or not (lba.md)
  CHECK(stats(server)["created"] == 3);
  CHECK(lbaState(store, "pending") == 0);
  // The close went first (closes before changes under a backlog).
  const Json all = requests(server);
  const Json closing = all[all.size() - 2];
  CHECK(closing["method"] == "POST");
  CHECK(closing["status"] == 200);
  CHECK(closing["body"].get<std::string>().find("\"status\":\"Cancelled\"") != std::string::npos);
  CHECK(closing["body"].get<std::string>().find("cfa-test:Y-3") != std::string::npos);
  CHECK(offerStatus(server, "cfa-test:Y-3") == "Cancelled");
  CHECK(store.count("SELECT count(*) FROM destination_offers WHERE source_ref = 'Y-3'"
                    " AND closed_at IS NOT NULL") == 1);
  // Closed offers are not closed again; a second snapshot changes nothing.
  store.import("cfa-test", "ymag", store.writeFile("day3.csv", store_test::ymagFile(rows) + ""));
  w.push.drain();
  CHECK(stats(server)["requests"] == 5);  // 3 POST + POST Y-2 + POST Y-3 Cancelled
  CHECK(store.count("SELECT count(*) FROM push_runs WHERE destination = 'lba'"
                    " AND finished_at IS NOT NULL") >= 4);
}

TEST_CASE("lba push: not eligible recorded locally; 400 kept and not retried") {
  TestStore store;
  TestServer server("lba_server.py");
  pc::ManualClock clock;
  Worker w(store, server, clock);
  // The fixture's descriptions are too short for the service.
  store.import("cfa-test", "ymag", store_test::fixture("YMAG_cfa-test_20260302060000.csv"));
  auto c = w.push.drain();
  CHECK(c.not_eligible == 3);
  CHECK(stats(server)["requests"] == 0);
  CHECK(store.scalar("SELECT not_eligible_reasons::text FROM destination_offers"
                     " WHERE source_ref = 'Y-1' AND destination = 'lba'") ==
        "{DESCRIPTION_TOO_SHORT}");

  importRows(store, 10, 2);
  // A value only the service refuses: a ROME code of no known shape.
  store.scalar(
      "UPDATE offers SET json = replace(json, '\"D1106\"', '\"Z9999\"')"
      " WHERE source_ref = 'Y-10' RETURNING 1");
  c = w.push.drain();
  CHECK(c.failed == 1);
  CHECK(c.sent == 1);
  CHECK(store.scalar("SELECT state FROM outbox_movements WHERE source_ref = 'Y-10'"
                     " AND destination = 'lba'") == "failed");
  CHECK(store
            .scalar("SELECT last_error FROM destination_offers WHERE source_ref = 'Y-10'"
                    " AND destination = 'lba'")
            .find("rome_codes") != std::string::npos);
  clock.advance(2h);
  w.push.drain();
  CHECK(stats(server)["bad_request"] == 1);  // never retried by itself
}

TEST_CASE("lba push: 401 pauses the destination and releases the movements untouched") {
  TestStore store;
  TestServer server("lba_server.py");
  pc::ManualClock clock;
  importRows(store, 1, 3);
  {
    Worker bad(store, server, clock, {1000, 1000, 0s}, "revoked-key");
    auto c = bad.push.drain();
    CHECK(c.paused);
    CHECK(c.released == 3);
    CHECK(stats(server)["unauthorized"] == 1);  // stopped at the first 401
  }
  CHECK(lbaState(store, "pending") == 3);
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE destination = 'lba'"
                    " AND attempts = 0") == 3);
  CHECK(store.scalar("SELECT paused_reason FROM destination_status WHERE destination = 'lba'")
            .find("401") != std::string::npos);
  Worker good(store, server, clock);
  CHECK(good.push.drain().paused);  // still paused until an operator acts
  CHECK(stats(server)["requests"] == 1);
  {
    pqxx::work tx(store.db());
    daemon::resumeDestination(tx, "lba");  // what `passerelle retry` does
    tx.commit();
  }
  CHECK(good.push.drain().sent == 3);
}

TEST_CASE("lba push: 429 honours Retry-After, the attempt is not counted, nothing is lost") {
  TestStore store;
  TestServer server("lba_server.py",
                    {"--write-quota", "2", "--manual-clock", "--retry-after", "61"});
  LinkedClock clock(server);
  Worker w(store, server, clock, {100, 1000, 0s});  // looser than the server, on purpose
  importRows(store, 1, 5);
  for (int i = 0; i < 20 && lbaState(store, "sent") < 5; ++i) {
    w.push.drain();
    clock.sleepFor(30s);
  }
  CHECK(lbaState(store, "sent") == 5);
  CHECK(stats(server)["offers"] == 5);
  CHECK(stats(server)["rate_limited"].get<int>() >= 1);
  CHECK(lbaState(store, "failed") == 0);
  // After a 429 no write came before Retry-After had passed.
  const Json reqs = requests(server);
  for (std::size_t i = 0; i + 1 < reqs.size(); ++i) {
    if (reqs[i]["status"] == 429) {
      CHECK(reqs[i + 1]["time"].get<double>() - reqs[i]["time"].get<double>() >= 61.0);
    }
  }
}

TEST_CASE("lba push: the quota is never exceeded under a backlog") {
  TestStore store;
  TestServer server("lba_server.py", {"--write-quota", "3", "--manual-clock"});
  LinkedClock clock(server);
  Worker w(store, server, clock, {3, 120, 1s});
  importRows(store, 1, 10);
  w.push.drain();
  CHECK(lbaState(store, "sent") == 10);
  CHECK(stats(server)["rate_limited"] == 0);
  CHECK(stats(server)["created"] == 10);
}

TEST_CASE("lba push: a response lost after the server acted creates no second offer") {
  TestStore store;
  TestServer server("lba_server.py");
  pc::ManualClock clock;
  Worker w(store, server, clock);
  importRows(store, 1, 2);
  server.post("/__test__/faults", R"({"mode":"drop_after","count":1,"methods":["POST"]})");
  auto c = w.push.drain();
  CHECK(c.retried == 1);
  CHECK(c.sent == 1);
  clock.advance(1min);
  c = w.push.drain();
  CHECK(c.sent == 1);
  CHECK(stats(server)["offers"] == 2);
  CHECK(stats(server)["created"] == 2);
  CHECK(lbaState(store, "sent") == 2);
  // 5xx: retried with backoff, then given up to failed with the history.
  importRows(store, 1, 3, "g.csv");
  server.post("/__test__/faults", R"({"mode":"500","count":100})");
  for (int i = 0; i < 8; ++i) {
    w.push.drain();
    clock.advance(2min);
  }
  CHECK(store.scalar("SELECT state || ':' || jsonb_array_length(errors) FROM outbox_movements"
                     " WHERE source_ref = 'Y-3' AND destination = 'lba'") == "failed:5");
  {
    pqxx::work tx(store.db());
    CHECK(w.outbox.requeueFailed(tx, "lba") == 1);
    tx.commit();
  }
  server.post("/__test__/reset", "{}");
  CHECK(w.push.drain().sent == 1);
}

TEST_CASE("lba push: two workers on two connections never send a movement twice") {
  TestStore store;
  TestServer server("lba_server.py", {"--write-quota", "10000"});
  pc::ManualClock clock;
  importRows(store, 1, 40);
  Worker a(store, server, clock, {1000, 1000, 0s}, "test-key", store.connect());
  Worker b(store, server, clock, {1000, 1000, 0s}, "test-key", store.connect());
  daemon::PushCounts ca, cb;
  std::string errors;
  std::mutex m;
  auto run = [&](Worker& w, daemon::PushCounts& out) {
    try {
      out = w.push.drain();
    } catch (const std::exception& e) {
      std::lock_guard lock(m);
      errors += e.what();
    }
  };
  std::thread ta(run, std::ref(a), std::ref(ca));
  std::thread tb(run, std::ref(b), std::ref(cb));
  ta.join();
  tb.join();
  CHECK(errors == "");
  CHECK(ca.sent + cb.sent == 40);
  CHECK(stats(server)["created"] == 40);
  CHECK(stats(server)["updated"] == 0);
  CHECK(stats(server)["writes"] == 40);
}

TEST_CASE("lba push: publishing status read 10 minutes after the write, rechecked later") {
  TestStore store;
  TestServer server("lba_server.py");
  pc::ManualClock clock;
  Worker w(store, server, clock);
  importRows(store, 1, 2);
  w.push.drain();
  CHECK(w.push.refreshPublishingStatus() == 0);  // too early
  clock.advance(10min);
  CHECK(w.push.refreshPublishingStatus() == 2);
  CHECK(store.count("SELECT count(*) FROM destination_offers"
                    " WHERE publishing_status = 'WILL_BE_PUBLISHED'") == 2);
  CHECK(w.push.refreshPublishingStatus() == 0);  // rechecked later, not at once
  server.post("/__test__/naf", R"({"siret":"51024567800014","naf":"8559A"})");
  server.post("/__test__/process", "{}");
  clock.advance(11min);
  CHECK(w.push.refreshPublishingStatus() == 2);
  CHECK(store.scalar("SELECT publishing_status || ':' || publishing_error_code FROM"
                     " destination_offers WHERE source_ref = 'Y-1'") ==
        "WILL_NOT_BE_PUBLISHED:CFA");
  clock.advance(1h);
  CHECK(w.push.refreshPublishingStatus() == 0);  // final statuses are not re-read
}

// ---- What is online mirrors the store, whatever fails (issue 10) ---------

TEST_CASE("lba push: an offer made ineligible after it was sent is closed with its last body") {
  TestStore store;
  TestServer server("lba_server.py");
  pc::ManualClock clock;
  Worker w(store, server, clock);
  importRows(store, 1, 3, "day1.csv");
  CHECK(w.push.drain().sent == 3);
  // The partner shortens Y-1's description and removes its contact: the
  // current offer can no longer be sent; its close must not be built from it.
  auto rows = store_test::ymagRows(1, 3);
  rows[0].description = "Poste pourvu.";
  rows[0].email = "";
  rows[0].phone = "";
  store.import("cfa-test", "ymag", store.writeFile("day2.csv", store_test::ymagFile(rows)));
  const auto c = w.push.drain();
  CHECK(c.sent == 1);
  CHECK(c.failed == 0);
  const Json closing = requests(server).back();
  CHECK(closing["method"] == "POST");
  CHECK(closing["status"] == 200);
  const std::string body = closing["body"].get<std::string>();
  CHECK(body.find("\"status\":\"Cancelled\"") != std::string::npos);
  CHECK(body.find("Fabrication du pain") != std::string::npos);  // the accepted body
  CHECK(body.find("contact@example.fr") != std::string::npos);
  CHECK(offerStatus(server, "cfa-test:Y-1") == "Cancelled");
  CHECK(store
            .scalar("SELECT not_eligible_reasons::text FROM destination_offers"
                    " WHERE source_ref = 'Y-1' AND destination = 'lba'")
            .find("DESCRIPTION_TOO_SHORT") != std::string::npos);
}

TEST_CASE("lba push: a close moves a passed expiration ahead; the accepted body is kept") {
  TestStore store;
  // The server's date is the manual clock's: it refuses expirations in the past.
  TestServer server("lba_server.py", {"--wall-start", "1780000000"});
  pc::ManualClock clock;  // 2026-05-28
  Worker w(store, server, clock);
  importRows(store, 1, 3, "day1.csv");
  w.push.drain();
  CHECK(store.count("SELECT count(*) FROM destination_offers WHERE destination = 'lba'"
                    " AND accepted_body LIKE '%\"partner_job_id\"%'") == 3);
  // As if the body accepted long ago carried an expiration now passed.
  store.scalar(
      "UPDATE destination_offers SET accepted_body = replace(accepted_body, '2030-12-31',"
      " '2026-05-01') WHERE source_ref = 'Y-1' RETURNING 1");
  store.import("cfa-test", "ymag",
               store.writeFile("day2.csv", store_test::ymagFile(store_test::ymagRows(2, 2))));
  CHECK(w.push.drain().sent == 1);
  const std::string body = requests(server).back()["body"].get<std::string>();
  CHECK(body.find("\"expiration\":\"2026-05-29T23:59:59+02:00\"") != std::string::npos);
  CHECK(body.find("\"status\":\"Cancelled\"") != std::string::npos);
}

TEST_CASE("lba push: a write whose answer was lost is closed although no id was stored") {
  TestStore store;
  TestServer server("lba_server.py");
  pc::ManualClock clock;
  Worker w(store, server, clock);
  // The gateway answers 504 after the service created Y-1.
  server.post("/__test__/faults", R"({"mode":"504_after","count":1,"methods":["POST"]})");
  importRows(store, 1, 4, "day1.csv");
  auto c = w.push.runBatch();
  CHECK(c.sent == 3);
  CHECK(c.retried == 1);
  CHECK(store.scalar("SELECT possibly_present::text || coalesce(service_id, '-')"
                     " FROM destination_offers WHERE source_ref = 'Y-1'"
                     " AND destination = 'lba'") == "true-");
  // Withdrawn before any retry: its close is sent all the same.
  store.import("cfa-test", "ymag",
               store.writeFile("day2.csv", store_test::ymagFile(store_test::ymagRows(2, 3))));
  clock.advance(1h);
  c = w.push.drain();
  CHECK(c.sent == 1);
  CHECK(offerStatus(server, "cfa-test:Y-1") == "Cancelled");
  CHECK(stats(server)["created"] == 4);  // never created twice
  CHECK(store.scalar("SELECT possibly_present::text FROM destination_offers"
                     " WHERE source_ref = 'Y-1' AND destination = 'lba'") == "false");
}

TEST_CASE("lba push: a later successful write settles a possibly present offer") {
  TestStore store;
  TestServer server("lba_server.py");
  pc::ManualClock clock;
  Worker w(store, server, clock);
  server.post("/__test__/faults", R"({"mode":"500","count":1,"methods":["POST"]})");
  importRows(store, 1, 1);
  CHECK(w.push.runBatch().retried == 1);
  clock.advance(1h);
  CHECK(w.push.drain().sent == 1);
  CHECK(store.scalar("SELECT possibly_present::text || (service_id IS NOT NULL)::text"
                     " FROM destination_offers WHERE source_ref = 'Y-1'") == "falsetrue");
}

TEST_CASE("lba push: an offer the service will not publish is closed without a write") {
  TestStore store;
  TestServer server("lba_server.py");
  pc::ManualClock clock;
  Worker w(store, server, clock);
  // The service knows the employer as a training body; our copy does not.
  server.post("/__test__/naf", R"({"siret":"51024567800014","naf":"8559A"})");
  importRows(store, 1, 4, "day1.csv");
  w.push.drain();
  server.post("/__test__/process", "{}");
  clock.advance(11min);
  CHECK(w.push.refreshPublishingStatus() == 4);
  const long writes = stats(server)["writes"].get<long>();
  store.import("cfa-test", "ymag",
               store.writeFile("day2.csv", store_test::ymagFile(store_test::ymagRows(2, 3))));
  const auto c = w.push.drain();
  CHECK(c.unchanged == 1);
  CHECK(c.retried == 0);
  CHECK(stats(server)["writes"].get<long>() == writes);  // no quota spent
  CHECK(store.count("SELECT count(*) FROM destination_offers WHERE source_ref = 'Y-1'"
                    " AND closed_at IS NOT NULL") == 1);
  // A second movement of it changes nothing either.
  queueUpsert(store, "Y-1");
  w.push.drain();
  CHECK(stats(server)["writes"].get<long>() == writes);
}

TEST_CASE("lba push: under a backlog closes go first, then new offers, then changes") {
  TestStore store;
  TestServer server("lba_server.py");
  pc::ManualClock clock;
  Worker w(store, server, clock);
  importRows(store, 1, 4, "day1.csv");
  w.push.drain();
  const std::size_t before = requests(server).size();
  // Day 2: Y-2 changed, Y-4 withdrawn, Y-5 new (the file's order: 1, 2, 3, 5).
  auto rows = store_test::ymagRows(1, 3);
  rows[1].title = "Vendeur 2 confirmé";
  auto added = store_test::ymagRows(5, 1);
  rows.push_back(added[0]);
  store.import("cfa-test", "ymag", store.writeFile("day2.csv", store_test::ymagFile(rows)));
  w.push.drain();
  const Json all = requests(server);
  REQUIRE(all.size() == before + 3);
  auto body = [&](std::size_t i) { return all[before + i]["body"].get<std::string>(); };
  CHECK(body(0).find("cfa-test:Y-4") != std::string::npos);  // the close
  CHECK(body(1).find("cfa-test:Y-5") != std::string::npos);  // the new offer
  CHECK(body(2).find("cfa-test:Y-2") != std::string::npos);  // the change
}

TEST_CASE("lba push: the audit reads back what the service holds and repairs drift") {
  TestStore store;
  TestServer server("lba_server.py");
  pc::ManualClock clock;
  Worker w(store, server, clock);
  importRows(store, 1, 3);
  CHECK(w.push.drain().sent == 3);
  // Drift the store cannot see by itself: the service has no offer under
  // Y-1's id; Y-3 withdrawn here and recorded closed, still active there.
  store.scalar(
      "UPDATE destination_offers SET service_id = '0123456789abcdef01234567'"
      " WHERE source_ref = 'Y-1' AND destination = 'lba' RETURNING 1");
  store.scalar("UPDATE offers SET status = 'withdrawn' WHERE source_ref = 'Y-3' RETURNING 1");
  store.scalar(
      "UPDATE destination_offers SET closed_at = now(), accepted_hash = NULL"
      " WHERE source_ref = 'Y-3' AND destination = 'lba' RETURNING 1");
  const long reads_before = stats(server)["reads"].get<long>();
  const auto a = w.push.audit(100);
  CHECK(a.audited == 3);
  CHECK(a.resent == 1);
  CHECK(a.closed == 1);
  CHECK(stats(server)["reads"].get<long>() == reads_before + 3);
  const auto c = w.push.drain();
  CHECK(c.sent == 2);
  CHECK(offerStatus(server, "cfa-test:Y-3") == "Cancelled");
  CHECK(offerStatus(server, "cfa-test:Y-1") == "Active");
  CHECK(stats(server)["created"] == 3);  // Y-1 re-sent by its partner_job_id
  // The next audit (the least recently audited first) finds nothing to repair.
  const auto again = w.push.audit(100);
  CHECK(again.closed == 0);
  CHECK(again.resent == 0);
}

TEST_CASE("lba push: a channel the service would refuse is left out and the reason recorded") {
  TestStore store;
  TestServer server("lba_server.py");
  pc::ManualClock clock;
  Worker w(store, server, clock);
  auto rows = store_test::ymagRows(1, 1);
  rows[0].email = "rené@example.fr";
  store.import("cfa-test", "ymag", store.writeFile("day1.csv", store_test::ymagFile(rows)));
  const auto c = w.push.drain();
  CHECK(c.sent == 1);
  CHECK(c.failed == 0);
  const std::string body = requests(server).back()["body"].get<std::string>();
  CHECK(body.find("rené") == std::string::npos);
  CHECK(body.find("+33299400000") != std::string::npos);  // the phone is kept
  CHECK(store.scalar("SELECT dropped_channels::text FROM destination_offers"
                     " WHERE source_ref = 'Y-1' AND destination = 'lba'") == "{EMAIL_REFUSED}");
}

// LbaClient against tests/servers/lba_server.py: outcomes of every answer the
// spec describes, idempotent retries, closing, publishing status, and a long
// backlog sustained near the quota without a single 429.
#include "connectors/lba/lba_client.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "connectors/lba/lba_offer.h"
#include "tests/support/test_server_process.h"
#include "tests/unit/connectors/sample_offers.h"

using namespace std::chrono_literals;
namespace pc = passerelle::connectors;
using Json = nlohmann::json;
using passerelle::testing::LinkedClock;
using passerelle::testing::sampleOffer;
using passerelle::testing::TestServer;

namespace {

std::string bodyFor(const std::string& ref, bool cancelled = false) {
  auto o = sampleOffer();
  o.source_ref = ref;
  pc::LbaBodyOptions options;
  options.cancelled = cancelled;
  return pc::lbaBody(o, options);
}

pc::LbaClientSettings settingsFor(const TestServer& server, std::string key = "test-key") {
  pc::LbaClientSettings s;
  s.base_url = server.url() + "";
  s.api_key = std::move(key);
  s.timeout = 2s;
  return s;
}

// The service's dates pinned at ManualClock's start (2026-05-28): the sample
// offer expires 2026-12-31, and the server refuses expirations in the past
// by its own clock, whatever the day these tests run.
std::vector<std::string> serverArgs(std::vector<std::string> args = {}) {
  args.insert(args.end(), {"--wall-start", "1780000000"});
  return args;
}

Json stats(const TestServer& server) {
  return Json::parse(server.get("/__test__/stats"));
}

}  // namespace

TEST_SUITE("lba_client") {
  TEST_CASE("upsert returns the id; the same partner_job_id updates the same offer") {
    TestServer server("lba_server.py", serverArgs());
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock);
    pc::LbaClient client(settingsFor(server), clock, limiter);
    const auto first = client.upsert(bodyFor("A-1"));
    REQUIRE(first.outcome == pc::LbaOutcome::kOk);
    CHECK(first.http_status == 200);
    CHECK(first.id.size() == 24);
    const auto again = client.upsert(bodyFor("A-1"));
    CHECK(again.outcome == pc::LbaOutcome::kOk);
    CHECK(again.id == first.id);
    CHECK(client.upsert(bodyFor("A-2")).id != first.id);
    CHECK(stats(server)["created"] == 2);
    CHECK(stats(server)["updated"] == 1);
    const auto requests = Json::parse(server.get("/__test__/requests"));
    REQUIRE(requests.size() == 3);
    CHECK(requests[0]["body"] == bodyFor("A-1"));  // exactly the bytes built
    CHECK(requests[0]["auth"] == "ok");
  }

  TEST_CASE("400 keeps the service's message; 401 is unauthorized") {
    TestServer server("lba_server.py", serverArgs());
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock);
    pc::LbaClient client(settingsFor(server), clock, limiter);
    auto o = sampleOffer();
    o.description = "court";
    const auto bad = client.upsert(pc::lbaBody(o, {}));
    CHECK(bad.outcome == pc::LbaOutcome::kBadRequest);
    CHECK(bad.http_status == 400);
    CHECK(bad.message.find("body.offer.description") == 0);

    pc::LbaClient wrong_key(settingsFor(server, "expired-key"), clock, limiter);
    const auto denied = wrong_key.upsert(bodyFor("A-1"));
    CHECK(denied.outcome == pc::LbaOutcome::kUnauthorized);
    CHECK(denied.message.find("expired-key") == std::string::npos);
    CHECK(stats(server)["offers"] == 0);
  }

  TEST_CASE("429 pauses the write limiter: 60 s by default, Retry-After when given") {
    TestServer server("lba_server.py", serverArgs({"--write-quota", "2"}));
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock, {100, 120, 0s});  // looser than the server, on purpose
    pc::LbaClient client(settingsFor(server), clock, limiter);
    CHECK(client.upsert(bodyFor("A-1")).outcome == pc::LbaOutcome::kOk);
    CHECK(client.upsert(bodyFor("A-2")).outcome == pc::LbaOutcome::kOk);
    const auto limited = client.upsert(bodyFor("A-3"));
    CHECK(limited.outcome == pc::LbaOutcome::kRateLimited);
    CHECK(limited.message.find("Quota dépassé") == 0);
    CHECK_FALSE(limited.retry_after.has_value());
    pc::Slot slot;
    CHECK(limiter.writes().tryAcquire(slot) == 60s);
    CHECK(limiter.reads().tryAcquire(slot) == 0ns);
    limiter.reads().end(slot);

    server.post("/__test__/config", R"({"retry_after": 7})");
    clock.advance(60s);
    const auto with_header = client.upsert(bodyFor("A-3"));
    CHECK(with_header.outcome == pc::LbaOutcome::kRateLimited);
    REQUIRE(with_header.retry_after.has_value());
    CHECK(*with_header.retry_after == 7s);
    pc::Slot after;
    CHECK(limiter.writes().tryAcquire(after) == 7s);
  }

  TEST_CASE("5xx, 504, dropped connections and timeouts are transient") {
    TestServer server("lba_server.py", serverArgs());
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock);
    auto settings = settingsFor(server);
    settings.timeout = 1s;
    pc::LbaClient client(settings, clock, limiter);
    for (const char* mode : {"500", "504", "drop"}) {
      server.post("/__test__/faults", Json{{"mode", mode}, {"count", 1}}.dump());
      const auto r = client.upsert(bodyFor("A-1"));
      CHECK(r.outcome == pc::LbaOutcome::kTransient);
      CHECK(r.http_status == (std::string(mode) == "drop" ? 0 : std::stol(mode)));
    }
    server.post("/__test__/faults", R"({"mode": "slow", "delay": 2.5, "count": 1})");
    const auto slow = client.upsert(bodyFor("A-1"));
    CHECK(slow.outcome == pc::LbaOutcome::kTransient);
    CHECK(slow.http_status == 0);
    CHECK(client.upsert(bodyFor("A-1")).outcome == pc::LbaOutcome::kOk);
  }

  TEST_CASE("every request ends its slot when it is over: answered late, timed out, abandoned") {
    TestServer server("lba_server.py", serverArgs());
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock, {1, 1, 1s});  // one a minute: the next wait tells the end
    pc::StopSignal stop;
    pc::LbaClient client(settingsFor(server), clock, limiter, &stop);  // timeout 2 s
    // Answered after 1 s, during which the clock moves 20 s: the slot ends
    // then, so the next one is free 61 s later (41 s had it ended at its
    // grant; a short poll had it stayed in flight).
    server.post("/__test__/faults", R"({"mode": "slow", "delay": 1.0, "count": 1})");
    std::thread mover([&] {
      std::this_thread::sleep_for(300ms);
      clock.advance(20s);
    });
    CHECK(client.upsert(bodyFor("S-1")).outcome == pc::LbaOutcome::kOk);
    mover.join();
    pc::Slot slot;
    CHECK(limiter.writes().tryAcquire(slot) == 61s);
    clock.advance(61s);
    // Timed out: ended all the same.
    server.post("/__test__/faults", R"({"mode": "slow", "delay": 3.0, "count": 1})");
    CHECK(client.upsert(bodyFor("S-1")).outcome == pc::LbaOutcome::kTransient);
    CHECK(limiter.writes().tryAcquire(slot) == 61s);
    // Abandoned in flight on stop: ended too; and a read's slot as well.
    CHECK(client.publishingStatus("0123456789abcdef01234567").response.outcome ==
          pc::LbaOutcome::kNotProcessedYet);
    CHECK(limiter.reads().tryAcquire(slot) == 61s);
    clock.advance(61s);
    server.post("/__test__/faults", R"({"mode": "slow", "delay": 3.0, "count": 1})");
    std::thread stopper([&] {
      std::this_thread::sleep_for(300ms);
      stop.request();
    });
    const auto abandoned = client.upsert(bodyFor("S-2"));
    stopper.join();
    CHECK(abandoned.outcome == pc::LbaOutcome::kStopped);
    CHECK(abandoned.abandoned);
    CHECK(limiter.writes().tryAcquire(slot) == 61s);
    CHECK_FALSE(slot);
  }

  TEST_CASE("a response lost after the server acted: the retry does not create a second offer") {
    TestServer server("lba_server.py", serverArgs());
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock);
    pc::LbaClient client(settingsFor(server), clock, limiter);
    for (const char* mode : {"drop_after", "504_after"}) {
      server.post("/__test__/faults", Json{{"mode", mode}, {"count", 1}}.dump());
      CHECK(client.upsert(bodyFor("LOST-1")).outcome == pc::LbaOutcome::kTransient);
      const auto retry = client.upsert(bodyFor("LOST-1"));
      CHECK(retry.outcome == pc::LbaOutcome::kOk);
    }
    CHECK(stats(server)["offers"] == 1);
    CHECK(stats(server)["created"] == 1);
  }

  TEST_CASE("close: 404 until processed, then 204, then already closed; POST reactivates") {
    TestServer server("lba_server.py", serverArgs());
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock);
    pc::LbaClient client(settingsFor(server), clock, limiter);
    const auto created = client.upsert(bodyFor("C-1"));
    REQUIRE(created.outcome == pc::LbaOutcome::kOk);
    const std::string cancelled = bodyFor("C-1", true);
    CHECK(client.close(created.id, cancelled).outcome == pc::LbaOutcome::kNotProcessedYet);
    server.post("/__test__/process", "{}");
    const auto closed = client.close(created.id, cancelled);
    CHECK(closed.outcome == pc::LbaOutcome::kOk);
    CHECK(closed.http_status == 204);
    CHECK(client.close(created.id, cancelled).outcome == pc::LbaOutcome::kAlreadyClosed);
    const auto offers = Json::parse(server.get("/__test__/offers"));
    CHECK(offers[created.id]["status"] == "Cancelled");
    // Re-sent after coming back: the same id, active again, closable again.
    CHECK(client.upsert(bodyFor("C-1")).id == created.id);
    CHECK(client.close(created.id, cancelled).outcome == pc::LbaOutcome::kOk);
    CHECK(client.close("not-an-id", cancelled).outcome == pc::LbaOutcome::kBadRequest);
  }

  TEST_CASE("publishing status: will be published, published, not published with code") {
    TestServer server("lba_server.py", serverArgs());
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock);
    pc::LbaClient client(settingsFor(server), clock, limiter);
    const auto ok = client.upsert(bodyFor("P-1"));
    auto cfa_offer = sampleOffer();
    cfa_offer.source_ref = "P-2";
    cfa_offer.employer.siret = "13002526500013";
    server.post("/__test__/naf", R"({"siret": "13002526500013", "naf": "8559A"})");
    const auto cfa = client.upsert(pc::lbaBody(cfa_offer, {}));
    auto before = client.publishingStatus(ok.id);
    CHECK(before.response.outcome == pc::LbaOutcome::kOk);
    CHECK(before.status == "WILL_BE_PUBLISHED");
    server.post("/__test__/process", "{}");
    CHECK(client.publishingStatus(ok.id).status == "PUBLISHED");
    const auto refused = client.publishingStatus(cfa.id);
    CHECK(refused.status == "WILL_NOT_BE_PUBLISHED");
    CHECK(refused.error_code == "CFA");
    CHECK_FALSE(refused.error_label.empty());
    CHECK(client.publishingStatus("0123456789abcdef01234567").response.outcome ==
          pc::LbaOutcome::kNotProcessedYet);
    const auto requests = Json::parse(server.get("/__test__/requests"));
    CHECK(requests.back()["method"] == "GET");
  }

  TEST_CASE("a backlog of 300 writes: no 429 and at least 95% of the quota") {
    TestServer server("lba_server.py", serverArgs({"--manual-clock"}));
    LinkedClock clock(server);
    pc::RateLimiter limiter(clock);  // defaults: 30 writes a minute, 1 s margin
    pc::LbaClient client(settingsFor(server), clock, limiter);
    const auto start = clock.steady();
    int ok = 0;
    for (int i = 0; i < 300; ++i) {
      ok += client.upsert(bodyFor("Q-" + std::to_string(i))).outcome == pc::LbaOutcome::kOk;
    }
    const auto elapsed = clock.steady() - start;
    CHECK(ok == 300);
    CHECK(stats(server)["rate_limited"] == 0);
    // 300 writes = 10 full windows; the last window is counted whole.
    const double minutes = std::chrono::duration<double>(elapsed + 61s).count() / 60.0;
    const double ratio = 300.0 / minutes / 30.0;
    MESSAGE("sustained " << 300.0 / minutes << " writes/min (" << ratio * 100 << "% of quota)");
    CHECK(ratio >= 0.95);
    CHECK(ratio <= 1.0);
  }
}

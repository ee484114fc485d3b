// tests/servers/lba_server.py plays the service's published rules (lba.md),
// including how it refuses: the e-mail expression and phone types, short
// descriptions, expirations in the past, POST closing, PUT 404 for ever on an
// offer that will never be published, one quota per API key whatever the
// client. The other tests trust the stand-in; these check it, and check that
// the connector's own e-mail and phone rules agree with it.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "connectors/lba/lba_client.h"
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

constexpr double kDay = 86400.0;

pc::LbaClientSettings settingsFor(const TestServer& server, std::string key = "test-key") {
  pc::LbaClientSettings s;
  s.base_url = server.url();
  s.api_key = std::move(key);
  s.timeout = 2s;
  return s;
}

// The sample offer's body (expiring 2026-12-31) under another partner_job_id,
// as JSON to alter what our own body builder would never send.
Json sampleBody(const std::string& ref, bool cancelled = false) {
  auto o = sampleOffer();
  o.source_ref = ref;
  pc::LbaBodyOptions options;
  options.cancelled = cancelled;
  return Json::parse(pc::lbaBody(o, options));
}

Json stats(const TestServer& server) {
  return Json::parse(server.get("/__test__/stats"));
}

Json state(const TestServer& server) {
  return Json::parse(server.get("/__test__/state"));
}

void advance(const TestServer& server, double seconds) {
  server.post("/__test__/advance", Json{{"seconds", seconds}}.dump());
}

// One client with a limiter far looser than the server: what the server
// does is what is tested.
struct Client {
  explicit Client(const TestServer& server, std::string key = "test-key")
      : limiter(clock, {10000, 10000, 0s}),
        client(settingsFor(server, std::move(key)), clock, limiter) {}
  pc::ManualClock clock;
  pc::RateLimiter limiter;
  pc::LbaClient client;
};

// The server's refusal: the documented shape, and the path of its issue.
std::string refusedPath(const pc::LbaResponse& r) {
  const Json answer = Json::parse(r.body, nullptr, false);
  if (!answer.is_object() || answer["statusCode"] != 400 || answer["error"] != "Bad Request") {
    return "(not the documented shape) " + r.body;
  }
  std::string path;
  for (const Json& part : answer["data"]["validationError"]["issues"][0]["path"]) {
    path += (path.empty() ? "" : ".") + part.get<std::string>();
  }
  return path;
}

}  // namespace

TEST_SUITE("lba_server_rules") {
  TEST_CASE("e-mails: the service's expression, and our matcher agrees with it") {
    TestServer server("lba_server.py", {"--manual-clock", "--write-quota", "10000"});
    Client c(server);
    int n = 0;
    for (const std::string email : {"contact@boulangerie-sillon.fr",
                                    "o'neil+stage@example.fr",
                                    "J_D-1@Sub-1.Example.FR",
                                    "a@b.cd",
                                    "x@a-.fr",
                                    "rené@example.fr",
                                    "jean..dupont@example.fr",
                                    "a@b.c",
                                    ".jean@example.fr",
                                    "jean.@example.fr",
                                    "jean'@example.fr",
                                    "jean@-example.fr",
                                    "jean@example.fr.",
                                    "jean@example",
                                    "jean@example.f2",
                                    "jean dupont@example.fr",
                                    "jean@example.fr\n",
                                    "jean@example.fr\xc5\xbf",
                                    "a@b@example.fr",
                                    "jean@exämple.fr",
                                    "K@example.fr",
                                    "\xe2\x84\xaa@example.fr"}) {
      CAPTURE(email);
      Json body = sampleBody("E-" + std::to_string(n++));
      body["apply"]["email"] = email;
      const auto r = c.client.upsert(body.dump());
      if (pc::isLbaAcceptedEmail(email)) {
        CHECK(r.outcome == pc::LbaOutcome::kOk);
      } else {
        CHECK(r.outcome == pc::LbaOutcome::kBadRequest);
        CHECK(refusedPath(r) == "apply.email");
        CHECK(r.message.find("body.apply.email") == 0);
      }
    }
    // The three of the issue are refused, by both.
    for (const char* email : {"rené@example.fr", "jean..dupont@example.fr", "a@b.c"}) {
      CHECK_FALSE(pc::isLbaAcceptedEmail(email));
    }
  }

  TEST_CASE("phones: premium rate and shared cost refused, ordinary numbers kept") {
    TestServer server("lba_server.py", {"--manual-clock", "--write-quota", "10000"});
    Client c(server);
    int n = 0;
    for (const std::string phone :
         {"+33899123456", "08 92 68 02 30", "+33 (0)8 97 00 00 00", "+33810123456",
          "08 20 12 34 56", "0825000000", "+33299400000", "02 99 40 00 00", "+33612345678",
          "07 81 23 45 67", "+33781234567", "0800 123 456", "+33806123456", "+33912345678",
          "+262262123456", "+4930123456", "0262 12 34 56"}) {
      CAPTURE(phone);
      Json body = sampleBody("T-" + std::to_string(n++));
      body["apply"]["phone"] = phone;
      const auto r = c.client.upsert(body.dump());
      if (pc::isLbaAcceptedPhone(phone)) {
        CHECK(r.outcome == pc::LbaOutcome::kOk);
      } else {
        CHECK(r.outcome == pc::LbaOutcome::kBadRequest);
        CHECK(refusedPath(r) == "apply.phone");
      }
    }
    CHECK(stats(server)["bad_request"] == 6);
  }

  TEST_CASE("short description, expiration in the past (server's clock), bad e-mail on a close") {
    TestServer server("lba_server.py", {"--manual-clock"});  // its dates start 2026-05-28
    Client c(server);
    Json body = sampleBody("D-1");
    body["offer"]["description"] = "<p>Poste pourvu.</p>";
    auto r = c.client.upsert(body.dump());
    CHECK(r.outcome == pc::LbaOutcome::kBadRequest);
    CHECK(r.message == "body.offer.description: Job description should be at least 30 characters");

    body = sampleBody("D-1");
    body["offer"]["publication"]["expiration"] = "2026-05-27T23:59:59+02:00";
    r = c.client.upsert(body.dump());
    CHECK(r.outcome == pc::LbaOutcome::kBadRequest);
    CHECK(r.message == "body.offer.publication.expiration: Expiration date cannot be in the past");
    body["offer"]["publication"]["expiration"] = "not a date";
    CHECK(refusedPath(c.client.upsert(body.dump())) == "offer.publication.expiration");
    body["offer"]["publication"]["expiration"] = nullptr;  // the service's two months
    CHECK(c.client.upsert(body.dump()).outcome == pc::LbaOutcome::kOk);

    // The sample expires 2026-12-31 at 23:59:59 Paris time: accepted until
    // then, refused after, by the clock the test moves; a close too.
    CHECK(c.client.upsert(sampleBody("D-2").dump()).outcome == pc::LbaOutcome::kOk);
    advance(server, 1798757999.0 - 1780000000.0 - 1.0);  // 2026-12-31T23:59:58+01:00
    CHECK(c.client.upsert(sampleBody("D-2").dump()).outcome == pc::LbaOutcome::kOk);
    advance(server, 2.0);
    r = c.client.upsert(sampleBody("D-2", true).dump());
    CHECK(r.outcome == pc::LbaOutcome::kBadRequest);
    CHECK(r.message.find("Expiration date cannot be in the past") != std::string::npos);
    // A close with its expiration moved ahead is accepted.
    body = sampleBody("D-2", true);
    body["offer"]["publication"]["expiration"] = "2027-01-02T23:59:59+01:00";
    CHECK(c.client.upsert(body.dump()).outcome == pc::LbaOutcome::kOk);
    CHECK(state(server)["cfa-cci-rennes:D-2"]["status"] == "Cancelled");
  }

  TEST_CASE("POST closes: published or not, id known or not; idempotent; never created twice") {
    TestServer server("lba_server.py", {"--manual-clock"});
    Client c(server);
    // Never written: created closed.
    auto r = c.client.upsert(sampleBody("P-0", true).dump());
    CHECK(r.outcome == pc::LbaOutcome::kOk);
    // Written, not processed yet (PUT would answer 404): POST closes it.
    const auto created = c.client.upsert(sampleBody("P-1").dump());
    REQUIRE(created.outcome == pc::LbaOutcome::kOk);
    CHECK(c.client.close(created.id, sampleBody("P-1", true).dump()).outcome ==
          pc::LbaOutcome::kNotProcessedYet);
    r = c.client.upsert(sampleBody("P-1", true).dump());
    CHECK(r.outcome == pc::LbaOutcome::kOk);
    CHECK(r.id == created.id);
    CHECK(state(server)["cfa-cci-rennes:P-1"]["status"] == "Cancelled");
    // Again: still closed, nothing else happens.
    CHECK(c.client.upsert(sampleBody("P-1", true).dump()).outcome == pc::LbaOutcome::kOk);
    // Reactivated by an active POST, processed, closed again by POST.
    CHECK(c.client.upsert(sampleBody("P-1").dump()).id == created.id);
    server.post("/__test__/process", "{}");
    CHECK(c.client.upsert(sampleBody("P-1", true).dump()).outcome == pc::LbaOutcome::kOk);
    // "Filled" closes too.
    Json filled = sampleBody("P-2");
    CHECK(c.client.upsert(filled.dump()).outcome == pc::LbaOutcome::kOk);
    filled["offer"]["status"] = "Filled";
    CHECK(c.client.upsert(filled.dump()).outcome == pc::LbaOutcome::kOk);

    const Json s = state(server);
    REQUIRE(s.size() == 3);
    CHECK(s["cfa-cci-rennes:P-0"]["status"] == "Cancelled");
    CHECK(s["cfa-cci-rennes:P-1"]["status"] == "Cancelled");
    CHECK(s["cfa-cci-rennes:P-1"]["writes"] == 5);
    CHECK(s["cfa-cci-rennes:P-1"]["body"] == sampleBody("P-1", true));  // the last body
    CHECK(s["cfa-cci-rennes:P-2"]["status"] == "Filled");
    for (const auto& [pjid, offer] : s.items()) {
      CAPTURE(pjid);
      CHECK(offer["created"] == 1);
    }
    const Json st = stats(server);
    CHECK(st["created"] == 3);
    CHECK(st["closed"] == 3);  // P-1 twice, P-2 (P-0 was never active)
    CHECK(st["reactivated"] == 1);
  }

  TEST_CASE("PUT: 404 until processed, 404 for ever when never published, 400 when not active") {
    TestServer server("lba_server.py", {"--manual-clock"});
    Client c(server);
    server.post("/__test__/naf", R"({"siret": "13002526500013", "naf": "8559A"})");
    Json cfa = sampleBody("W-1");
    cfa["workplace"]["siret"] = "13002526500013";
    const auto never = c.client.upsert(cfa.dump());
    REQUIRE(never.outcome == pc::LbaOutcome::kOk);
    const auto published = c.client.upsert(sampleBody("W-2").dump());
    cfa["offer"]["status"] = "Cancelled";
    CHECK(c.client.close(never.id, cfa.dump()).outcome == pc::LbaOutcome::kNotProcessedYet);
    server.post("/__test__/process", "{}");
    CHECK(c.client.publishingStatus(never.id).status == "WILL_NOT_BE_PUBLISHED");
    for (int i = 0; i < 3; ++i) {
      CHECK(c.client.close(never.id, cfa.dump()).outcome == pc::LbaOutcome::kNotProcessedYet);
      server.post("/__test__/process", "{}");
      advance(server, 3600);
    }
    CHECK(state(server)["cfa-cci-rennes:W-1"]["publishing"] == "WILL_NOT_BE_PUBLISHED");
    CHECK(state(server)["cfa-cci-rennes:W-1"]["publishing_error"] == "CFA");
    // A POST closes it all the same.
    CHECK(c.client.upsert(cfa.dump()).outcome == pc::LbaOutcome::kOk);
    CHECK(state(server)["cfa-cci-rennes:W-1"]["status"] == "Cancelled");

    // Published, closed by POST: a PUT is refused as not active.
    CHECK(c.client.upsert(sampleBody("W-2", true).dump()).outcome == pc::LbaOutcome::kOk);
    const auto put = c.client.close(published.id, sampleBody("W-2", true).dump());
    CHECK(put.outcome == pc::LbaOutcome::kAlreadyClosed);
    CHECK(put.message == "Job must be active in order to be modified");
  }

  TEST_CASE("the quota belongs to the key: two clients share it, 429s and window maxima counted") {
    TestServer server("lba_server.py", {"--manual-clock", "--write-quota", "5", "--read-quota", "3",
                                        "--keys", "test-key,other-key"});
    Client a(server), b(server), other(server, "other-key");
    int ok = 0, limited = 0;
    for (int i = 0; i < 4; ++i) {
      for (Client* c : {&a, &b}) {
        const auto r = c->client.upsert(sampleBody("Q-" + std::to_string(i)).dump());
        ok += r.outcome == pc::LbaOutcome::kOk;
        limited += r.outcome == pc::LbaOutcome::kRateLimited;
      }
    }
    CHECK(ok == 5);  // not 4 + 4: one window for the key, whichever client
    CHECK(limited == 3);
    // Another key has its own window.
    for (int i = 0; i < 5; ++i) {
      CHECK(other.client.upsert(sampleBody("O-" + std::to_string(i)).dump()).outcome ==
            pc::LbaOutcome::kOk);
    }
    // Reads have their own quota.
    const auto id = state(server)["cfa-cci-rennes:Q-0"]["id"].get<std::string>();
    for (int i = 0; i < 4; ++i) a.client.publishingStatus(id);
    Json st = stats(server);
    CHECK(st["rate_limited"] == 4);
    CHECK(st["rate_limited_by_key"]["test-key"] == 4);
    CHECK_FALSE(st["rate_limited_by_key"].contains("other-key"));
    CHECK(st["window_max"]["test-key"]["writes"] == 8);  // what was asked, 429s included
    CHECK(st["window_max"]["test-key"]["reads"] == 4);
    CHECK(st["window_max"]["other-key"]["writes"] == 5);
    CHECK(st["max_writes_in_window"] == 8);
    CHECK(st["max_reads_in_window"] == 4);
    // A new window: the key writes again; the maxima stay what was seen.
    advance(server, 60.0);
    CHECK(b.client.upsert(sampleBody("Q-9").dump()).outcome == pc::LbaOutcome::kOk);
    st = stats(server);
    CHECK(st["window_max"]["test-key"]["writes"] == 8);
    CHECK(st["writes"] == 11);
  }

  TEST_CASE("the service's jobs: publishing decided, expired offers cancelled; the final state") {
    TestServer server("lba_server.py", {"--manual-clock"});
    LinkedClock clock(server);
    pc::RateLimiter limiter(clock);
    pc::LbaClient client(settingsFor(server), clock, limiter);
    Json rolling = sampleBody("X-1");
    rolling["offer"]["publication"]["expiration"] = nullptr;  // two months after creation
    REQUIRE(client.upsert(rolling.dump()).outcome == pc::LbaOutcome::kOk);
    REQUIRE(client.upsert(sampleBody("X-2").dump()).outcome == pc::LbaOutcome::kOk);
    server.post("/__test__/process", "{}");
    Json s = state(server);
    CHECK(s["cfa-cci-rennes:X-1"]["publishing"] == "PUBLISHED");
    CHECK(s["cfa-cci-rennes:X-1"]["status"] == "Active");
    clock.sleepFor(std::chrono::seconds(static_cast<long>(61 * kDay)));
    server.post("/__test__/process", "{}");
    s = state(server);
    CHECK(s["cfa-cci-rennes:X-1"]["status"] == "Cancelled");
    CHECK(s["cfa-cci-rennes:X-1"]["expired_by_service"] == true);
    CHECK(s["cfa-cci-rennes:X-2"]["status"] == "Active");  // until 2026-12-31
    clock.sleepFor(std::chrono::seconds(static_cast<long>(200 * kDay)));
    server.post("/__test__/process", "{}");
    s = state(server);
    CHECK(s["cfa-cci-rennes:X-2"]["status"] == "Cancelled");
    CHECK(stats(server)["expired"] == 2);
    // /__test__/offers: the same offers by id.
    const Json offers = Json::parse(server.get("/__test__/offers"));
    CHECK(offers.size() == 2);
    CHECK(offers[s["cfa-cci-rennes:X-2"]["id"].get<std::string>()]["status"] == "Cancelled");
  }
}

// lba eligibility, plan, HTML and the exact bytes of the body.
#include "connectors/lba/lba_offer.h"

#include <doctest/doctest.h>

#include "tests/unit/connectors/sample_offers.h"

namespace pc = passerelle::connectors;
using passerelle::formats::CivilDate;
using passerelle::testing::sampleOffer;

namespace {
const CivilDate kToday{2026, 3, 10};
}  // namespace

TEST_SUITE("lba_offer") {
  TEST_CASE("the sample offer gives exactly the spec's example body") {
    const std::string body = pc::lbaBody(sampleOffer(), {});
    CHECK(
        body ==
        R"J({"identifier":{"partner_job_id":"cfa-cci-rennes:Y-1001"},)J"
        R"J("workplace":{"siret":"51024567800014","name":"BOULANGERIE DU SILLON",)J"
        R"J("location":{"address":"2 rue du Sillon, 35400 Saint-Malo"}},)J"
        R"J("apply":{"email":"contact@boulangerie-sillon.fr","phone":"+33299400000","url":null},)J"
        R"J("contract":{"start":"2026-09-01T00:00:00+02:00","duration":24,"type":["Apprentissage"],"remote":null},)J"
        R"J("offer":{"title":"Apprenti(e) boulanger(ère)",)J"
        R"J("description":"<p>Fabrication du pain ; viennoiseries.<br>Horaires : 4h-11h.</p>",)J"
        R"J("rome_codes":["D1102"],"target_diploma":{"european":"3"},)J"
        R"J("publication":{"creation":null,"expiration":"2026-12-31T23:59:59+01:00"},)J"
        R"J("opening_count":1,"multicast":true,"status":"Active"}})J");
    CHECK(pc::lbaBodyHash(body) == pc::sha256Hex(body));
    CHECK(pc::lbaBodyHash(body).size() == 64);
    CHECK(pc::lbaBody(sampleOffer(), {}) == body);  // stable
  }

  TEST_CASE("offsets follow Europe/Paris summer and winter time") {
    auto o = sampleOffer();
    o.contract.start = "2027-01-15";
    o.publication.expires = "2027-07-31";
    const std::string body = pc::lbaBody(o, {});
    CHECK(body.find(R"J("start":"2027-01-15T00:00:00+01:00")J") != std::string::npos);
    CHECK(body.find(R"J("expiration":"2027-07-31T23:59:59+02:00")J") != std::string::npos);
    // The day of the switch: 00:00 is still winter, 23:59:59 already summer.
    CHECK(pc::parisTimestamp({2026, 3, 29}, 0, 0, 0) == "2026-03-29T00:00:00+01:00");
    CHECK(pc::parisTimestamp({2026, 3, 29}, 23, 59, 59) == "2026-03-29T23:59:59+02:00");
    CHECK(pc::parisTimestamp({2026, 10, 25}, 23, 59, 59) == "2026-10-25T23:59:59+01:00");
  }

  TEST_CASE("cancelled body, defaults, rolling expiration, nulls") {
    auto o = sampleOffer();
    o.publication.expires.reset();
    o.contact = {std::nullopt, std::nullopt, std::nullopt};
    o.diploma.level.reset();
    o.contract.type = "professionnalisation";
    o.contract.duration_months.reset();
    o.positions.reset();
    o.rome_codes = {"K2202", "D1106"};  // the blocked code is left out
    o.workplace.address.reset();
    pc::LbaBodyOptions options;
    options.apply_defaults = {"alternance@cfa.fr", std::nullopt, "https://cfa.fr/postuler"};
    options.rolling_expiration = CivilDate{2026, 5, 9};
    options.cancelled = true;
    const std::string body = pc::lbaBody(o, options);
    CHECK(body.find(R"J("location":{"address":"35400 Saint-Malo"})J") != std::string::npos);
    CHECK(
        body.find(
            R"J("apply":{"email":"alternance@cfa.fr","phone":null,"url":"https://cfa.fr/postuler"})J") !=
        std::string::npos);
    CHECK(body.find(R"J("duration":null,"type":["Professionnalisation"])J") != std::string::npos);
    CHECK(body.find(R"J("rome_codes":["D1106"],"target_diploma":{"european":null})J") !=
          std::string::npos);
    CHECK(
        body.find(
            R"J("expiration":"2026-05-09T23:59:59+02:00"},"opening_count":1,"multicast":true,"status":"Cancelled"})J") !=
        std::string::npos);
  }

  TEST_CASE("rolling expiration moves only when it is about to run out") {
    CHECK(pc::rollingExpiration(std::nullopt, kToday) == CivilDate{2026, 5, 9});
    CHECK(pc::rollingExpiration(CivilDate{2026, 4, 1}, kToday) == CivilDate{2026, 4, 1});
    CHECK(pc::rollingExpiration(CivilDate{2026, 3, 20}, kToday) == CivilDate{2026, 5, 9});
    CHECK(pc::rollingExpiration(CivilDate{2026, 3, 21}, kToday) == CivilDate{2026, 3, 21});
  }

  TEST_CASE("descriptions become the HTML the service keeps") {
    CHECK(pc::descriptionToHtml("Un") == "<p>Un</p>");
    CHECK(pc::descriptionToHtml("a & b < c > d") == "<p>a &amp; b &lt; c &gt; d</p>");
    CHECK(pc::descriptionToHtml("l1\nl2\n\np2 l1\np2 l2") ==
          "<p>l1<br>l2</p><p>p2 l1<br>p2 l2</p>");
    CHECK(pc::descriptionToHtml("  indent\n\n\nlast") == "<p>  indent</p><p>last</p>");
    CHECK(pc::descriptionToHtml("<b>gras</b>") == "<p>&lt;b&gt;gras&lt;/b&gt;</p>");
    CHECK(pc::descriptionToHtml("") == "");
    const std::string body = pc::lbaBody(
        [] {
          auto o = sampleOffer();
          o.description = "Guillemets \"ici\" et \\ barre\n\nFin é";
          return o;
        }(),
        {});
    CHECK(body.find(R"J("description":"<p>Guillemets \"ici\" et \\ barre</p><p>Fin é</p>")J") !=
          std::string::npos);
  }

  TEST_CASE("eligibility reasons, in the table's order") {
    const pc::ApplyDefaults none;
    CHECK(pc::lbaIneligibility(sampleOffer(), kToday, none).empty());
    auto o = sampleOffer();
    o.employer.naf = "8559A";
    o.title = "Ab";
    o.description = "Trop court";
    o.contact = {};
    o.rome_codes = {"K2202", "N4104"};
    o.publication.expires = "2026-03-09";
    CHECK(pc::lbaIneligibility(o, kToday, none) ==
          std::vector<std::string>{"TRAINING_EMPLOYER", "TITLE_TOO_SHORT", "DESCRIPTION_TOO_SHORT",
                                   "NO_APPLY_CHANNEL", "ROME_BLOCKED", "EXPIRED"});
    // Partner defaults are an apply channel; today is not "in the past".
    o = sampleOffer();
    o.contact = {};
    o.publication.expires = "2026-03-10";
    CHECK(pc::lbaIneligibility(o, kToday, {std::nullopt, std::nullopt, "https://x.fr"}).empty());
    // Title length counts characters, not bytes: "Éé" is 2.
    o = sampleOffer();
    o.title = "Éé";
    CHECK(pc::lbaIneligibility(o, kToday, none) == std::vector<std::string>{"TITLE_TOO_SHORT"});
    o.title = "Éée";
    CHECK(pc::lbaIneligibility(o, kToday, none).empty());
  }

  TEST_CASE("plan: upsert, close, not eligible, nothing") {
    const pc::ApplyDefaults none;
    auto o = sampleOffer();
    CHECK(pc::planLba(o, pc::OfferStatus::kActive, kToday, none, false).action ==
          pc::LbaAction::kUpsert);
    CHECK(pc::planLba(o, pc::OfferStatus::kWithdrawn, kToday, none, true).action ==
          pc::LbaAction::kClose);
    CHECK(pc::planLba(o, pc::OfferStatus::kExpired, kToday, none, false).action ==
          pc::LbaAction::kNothing);
    o.employer.naf = "8510Z";
    const auto not_eligible = pc::planLba(o, pc::OfferStatus::kActive, kToday, none, false);
    CHECK(not_eligible.action == pc::LbaAction::kNotEligible);
    CHECK(not_eligible.reasons == std::vector<std::string>{"TRAINING_EMPLOYER"});
    CHECK(pc::planLba(o, pc::OfferStatus::kActive, kToday, none, true).action ==
          pc::LbaAction::kClose);
  }
}

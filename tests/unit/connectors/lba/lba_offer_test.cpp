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

  TEST_CASE("e-mail: exactly the service's expression, case-insensitive, ASCII only") {
    for (const char* good : {"contact@boulangerie-sillon.fr", "jean.dupont+alternance@example.fr",
                             "o'neil@example.co.uk", "J_D-1@Sub-1.Example.FR", "a@b.cd", "x@a-.fr",
                             "_@9.io", "x'y@example.fr", "+@example.fr", "a.b.c@d-e.f-g.hij"}) {
      CAPTURE(good);
      CHECK(pc::isLbaAcceptedEmail(good));
    }
    for (const char* bad : {"rené@example.fr",          // accented letter
                            "jean..dupont@example.fr",  // doubled dot
                            "a@b.c",                    // one-letter top-level domain
                            ".jean@example.fr",         // leading dot
                            "jean.@example.fr",         // the local part ends with a dot
                            "jean'@example.fr",         // ... or an apostrophe
                            "jean@example..fr",         // doubled dot in the domain
                            "jean@-example.fr",         // a label starts with '-'
                            "jean@.example.fr",
                            "jean@example.fr.",
                            "jean@example",
                            "jean@example.f2",
                            "@example.fr",
                            "jean@",
                            "a@b@example.fr",
                            "jean dupont@example.fr",
                            "jean@exa mple.fr",
                            " jean@example.fr",
                            "jean@example.fr ",
                            "jean@example.fr\n",
                            "jean@exämple.fr",
                            "jean@example.fr\xc5\xbf",
                            "",
                            "@",
                            "a@.fr"}) {
      CAPTURE(bad);
      CHECK_FALSE(pc::isLbaAcceptedEmail(bad));
    }
    // Linear on long input (no backtracking): a long local part of dots and
    // letters, then a bad end, is answered at once.
    std::string long_local(100001, 'a');  // "a.a.….a"
    for (std::size_t i = 1; i < long_local.size(); i += 2) long_local[i] = '.';
    CHECK_FALSE(pc::isLbaAcceptedEmail(long_local + ".@example.fr"));
    CHECK(pc::isLbaAcceptedEmail(long_local + "@example.fr"));
  }

  TEST_CASE("phone: premium-rate and shared-cost numbers refused, others kept") {
    using T = pc::LbaPhoneType;
    CHECK(pc::lbaPhoneType("+33899123456") == T::kPremiumRate);
    CHECK(pc::lbaPhoneType("08 92 68 02 30") == T::kPremiumRate);
    CHECK(pc::lbaPhoneType("+33 (0)8 99 12 34 56") == T::kPremiumRate);
    CHECK(pc::lbaPhoneType("0033 8 97 00 00 00") == T::kPremiumRate);
    CHECK(pc::lbaPhoneType("+33810123456") == T::kSharedCost);
    CHECK(pc::lbaPhoneType("08.20.12.34.56") == T::kSharedCost);
    CHECK(pc::lbaPhoneType("0825 000 000") == T::kSharedCost);
    // Kept: landlines, mobiles (06 and 07), free and normal-rate 080x,
    // overseas, foreign, and what cannot be read (not ours to refuse).
    for (const char* kept :
         {"+33299400000", "02 99 40 00 00", "+33612345678", "07 81 23 45 67", "0800 123 456",
          "0806 123 456", "+33912345678", "+262262123456", "0262 12 34 56", "+4930123456",
          "+44 20 7946 0000", "3179", "not a number"}) {
      CAPTURE(kept);
      CHECK(pc::isLbaAcceptedPhone(kept));
    }
  }

  TEST_CASE("refused channels are left out of the body with their reason, the others kept") {
    const pc::ApplyDefaults none;
    auto o = sampleOffer();
    // rené@…: the e-mail goes, the phone stays.
    o.contact.email = "rené@example.fr";
    auto plan = pc::planLba(o, pc::OfferStatus::kActive, kToday, none, false);
    CHECK(plan.action == pc::LbaAction::kUpsert);
    CHECK(plan.dropped_channels == std::vector<std::string>{"EMAIL_REFUSED"});
    std::string body = pc::lbaBody(o, {});
    CHECK(body.find(R"J("apply":{"email":null,"phone":"+33299400000","url":null})J") !=
          std::string::npos);
    CHECK(pc::lbaBodyHash(body) != pc::lbaBodyHash(pc::lbaBody(sampleOffer(), {})));

    o.contact.email = "jean..dupont@example.fr";
    CHECK(pc::planLba(o, pc::OfferStatus::kActive, kToday, none, false).dropped_channels ==
          std::vector<std::string>{"EMAIL_REFUSED"});
    o.contact.email = "a@b.c";
    CHECK(pc::planLba(o, pc::OfferStatus::kActive, kToday, none, false).dropped_channels ==
          std::vector<std::string>{"EMAIL_REFUSED"});
    CHECK(pc::lbaBody(o, {}).find(R"J("email":null,"phone":"+33299400000")J") != std::string::npos);

    // A good address with '+' and '\'', a premium-rate phone: the phone goes.
    o.contact.email = "o'neil+stage@example.fr";
    o.contact.phone = "+33892680230";
    plan = pc::planLba(o, pc::OfferStatus::kActive, kToday, none, false);
    CHECK(plan.action == pc::LbaAction::kUpsert);
    CHECK(plan.dropped_channels == std::vector<std::string>{"PHONE_REFUSED"});
    CHECK(pc::lbaBody(o, {}).find(
              R"J("apply":{"email":"o'neil+stage@example.fr","phone":null,"url":null})J") !=
          std::string::npos);
    // Shared cost likewise.
    o.contact.phone = "+33820123456";
    CHECK(pc::planLba(o, pc::OfferStatus::kActive, kToday, none, false).dropped_channels ==
          std::vector<std::string>{"PHONE_REFUSED"});

    // A landline and a mobile are kept, nothing dropped.
    for (const char* phone : {"+33299400000", "+33612345678", "+33781234567"}) {
      o.contact.phone = phone;
      plan = pc::planLba(o, pc::OfferStatus::kActive, kToday, none, false);
      CHECK(plan.dropped_channels.empty());
      CHECK(pc::lbaBody(o, {}).find(std::string("\"phone\":\"") + phone + "\"") !=
            std::string::npos);
    }
  }

  TEST_CASE("all the offer's channels refused: the defaults apply, checked the same way") {
    auto o = sampleOffer();
    o.contact.email = "rené@example.fr";
    o.contact.phone = "+33899123456";
    // No defaults: nothing left, not eligible, and why.
    auto plan = pc::planLba(o, pc::OfferStatus::kActive, kToday, {}, false);
    CHECK(plan.action == pc::LbaAction::kNotEligible);
    CHECK(plan.reasons == std::vector<std::string>{"NO_APPLY_CHANNEL"});
    CHECK(plan.dropped_channels == std::vector<std::string>{"EMAIL_REFUSED", "PHONE_REFUSED"});
    // Sent before: closed, with the same reasons.
    plan = pc::planLba(o, pc::OfferStatus::kActive, kToday, {}, true);
    CHECK(plan.action == pc::LbaAction::kClose);
    CHECK(plan.dropped_channels == std::vector<std::string>{"EMAIL_REFUSED", "PHONE_REFUSED"});

    // The partner's defaults take over, as a whole.
    const pc::ApplyDefaults defaults{"alternance@cfa.fr", "02 99 00 00 00", "https://cfa.fr/p"};
    plan = pc::planLba(o, pc::OfferStatus::kActive, kToday, defaults, false);
    CHECK(plan.action == pc::LbaAction::kUpsert);
    CHECK(plan.dropped_channels == std::vector<std::string>{"EMAIL_REFUSED", "PHONE_REFUSED"});
    pc::LbaBodyOptions options;
    options.apply_defaults = defaults;
    CHECK(
        pc::lbaBody(o, options)
            .find(
                R"J("apply":{"email":"alternance@cfa.fr","phone":"02 99 00 00 00","url":"https://cfa.fr/p"})J") !=
        std::string::npos);

    // Defaults refused too: only what is left of them (here the url) is sent.
    const pc::ApplyDefaults bad_defaults{"contact@cfa", "0899 00 00 00", "https://cfa.fr/p"};
    plan = pc::planLba(o, pc::OfferStatus::kActive, kToday, bad_defaults, false);
    CHECK(plan.action == pc::LbaAction::kUpsert);
    CHECK(plan.dropped_channels == std::vector<std::string>{"EMAIL_REFUSED", "PHONE_REFUSED"});
    options.apply_defaults = bad_defaults;
    CHECK(pc::lbaBody(o, options)
              .find(R"J("apply":{"email":null,"phone":null,"url":"https://cfa.fr/p"})J") !=
          std::string::npos);
    // ... and with no url either: NO_APPLY_CHANNEL.
    const pc::ApplyDefaults refused_only{"contact@cfa", "0899 00 00 00", std::nullopt};
    plan = pc::planLba(o, pc::OfferStatus::kActive, kToday, refused_only, false);
    CHECK(plan.action == pc::LbaAction::kNotEligible);
    CHECK(plan.reasons == std::vector<std::string>{"NO_APPLY_CHANNEL"});
    CHECK(pc::lbaIneligibility(o, kToday, refused_only) ==
          std::vector<std::string>{"NO_APPLY_CHANNEL"});

    // One of the offer's channels left: the defaults are not used, nor mixed in.
    o.contact.phone = "+33299400000";
    plan = pc::planLba(o, pc::OfferStatus::kActive, kToday, defaults, false);
    CHECK(plan.dropped_channels == std::vector<std::string>{"EMAIL_REFUSED"});
    options.apply_defaults = defaults;
    CHECK(pc::lbaBody(o, options)
              .find(R"J("apply":{"email":null,"phone":"+33299400000","url":null})J") !=
          std::string::npos);
    // Closing a withdrawn offer judges no channel.
    CHECK(pc::planLba(o, pc::OfferStatus::kWithdrawn, kToday, defaults, true)
              .dropped_channels.empty());
  }
}

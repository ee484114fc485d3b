// The France Travail feed file: exact bytes, cuts, quoting, references,
// movements C/M/S, and the zip container.
#include "connectors/france_travail/france_travail_file.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "connectors/france_travail/france_travail_client.h"
#include "connectors/france_travail/zip_writer.h"
#include "formats/text_fold.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/connectors/sample_offers.h"

namespace pc = passerelle::connectors;
using passerelle::formats::CivilDate;
using passerelle::testing::sampleOffer;

namespace {

pc::FtFeedSettings settings() {
  return {"BRETAGNEALTERNANCE", "Bretagne Alternance", "https://portail.example/offres/{ref}", ""};
}

pc::FtRowInput input(const passerelle::formats::Offer& o, char movement = 'C') {
  return {&o, movement, {2026, 3, 2}, {2026, 3, 5}, std::nullopt};
}

std::size_t countOf(const std::string& s, char c) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), c));
}

}  // namespace

TEST_SUITE("france_travail_file") {
  TEST_CASE("header and the sample row, byte for byte") {
    const auto o = sampleOffer();
    pc::FtFileBuilder file(settings());
    file.add(input(o));
    CHECK(file.rows() == 1);
    CHECK(file.bytes() ==
          "Par_ref_offre|Par_cle|Par_nom|Par_URL_offre|Code_rome|Code_OGR|Libelle_metier_OGR|"
          "Description|Exp_cle|Qua_cle|Tfm_cle_1|Off_travail_hebdo_nb_hh|Off_travail_hebdo_nb_mi|"
          "THO_cle|NTC_cle|TCO_cle|Off_contrat_duree_MO|CPO_cle|COM_cle|COM_libelle|DEP_cle|"
          "Off_date_creation|Off_date_modification|Off_date_fin_publication|OST_poste_restant_nb|"
          "Off_client_final_siret|Off_client_final_nom|Off_etab_siret|Type_mouvement|"
          "Date_debut_contrat|Nom_correspondant|Tel_correspondant|Mail_correspondant|"
          "Mode_diffusion|Mode_presentation\n"
          "cfa-cci-rennes:Y-1001|BRETAGNEALTERNANCE|Bretagne Alternance|"
          "https://portail.example/offres/cfa-cci-rennes:Y-1001|D1102||Apprenti(e) boulanger(ère)|"
          "Fabrication du pain ; viennoiseries. Horaires : 4h-11h.|D|6|NV5|35|0|HAN|E2|CDD|24|"
          "35400||Saint-Malo|35|02/03/2026|05/03/2026|31/12/2026|1|51024567800014|"
          "BOULANGERIE DU SILLON||C|01/09/2026|Jean Dupont|0299400000|"
          "contact@boulangerie-sillon.fr|O|MEL\n");
    CHECK(countOf(pc::ftHeader(), '|') == pc::kFtColumnCount - 1);
  }

  TEST_CASE("mappings: levels, contract type, appellation, presentation mode") {
    auto o = sampleOffer();
    const struct {
      std::optional<int> level;
      const char* qua;
      const char* tfm;
    } cases[] = {{3, "6", "NV5"}, {4, "6", "NV4"}, {5, "7", "NV3"},
                 {6, "8", "NV2"}, {7, "9", "NV1"}, {std::nullopt, "6", ""}};
    for (const auto& c : cases) {
      o.diploma.level = c.level;
      const auto f = pc::ftRowFields(input(o), settings());
      CHECK(f[9] == c.qua);
      CHECK(f[10] == c.tfm);
    }
    o.contract.type = "professionnalisation";
    o.contact.email.reset();
    pc::FtRowInput in = input(o, 'M');
    in.appellation = pc::FtAppellation{"11573", "Boulanger / Boulangère"};
    auto f = pc::ftRowFields(in, settings());
    CHECK(f[14] == "FS");
    CHECK(f[5] == "11573");
    CHECK(f[6] == "Boulanger / Boulangère");
    CHECK(f[28] == "M");
    CHECK(f[34] == "TEL");
    o.contact.phone.reset();
    CHECK(pc::ftRowFields(input(o), settings())[34] == "URL");
  }

  TEST_CASE("phones: national form for France and overseas, E.164 otherwise") {
    CHECK(pc::ftPhone("+33299400000") == "0299400000");
    CHECK(pc::ftPhone("+262262123456") == "0262123456");
    CHECK(pc::ftPhone("+590690123456") == "0690123456");
    CHECK(pc::ftPhone("+594594123456") == "0594123456");
    CHECK(pc::ftPhone("+596696123456") == "0696123456");
    CHECK(pc::ftPhone("+32475123456") == "+32475123456");
    CHECK(pc::ftPhone("+4915112345678") == "+4915112345678");
  }

  TEST_CASE("text: breaks, tabs, controls and tags become one space; limits cut on characters") {
    CHECK(pc::ftCleanText("a\r\n\tb") == "a b");
    CHECK(pc::ftCleanText("a \n b") == "a b");
    CHECK(pc::ftCleanText("a  b") == "a  b");  // plain spaces are not a break
    CHECK(pc::ftCleanText("a\xC2\x85"
                          "b\xE2\x80\xA8"
                          "c") == "a b c");
    CHECK(pc::ftCleanText("<p>Un</p><p>Deux<br/>trois</p>") == " Un Deux trois ");
    CHECK(pc::ftCleanText("a < b et 3 > 2, <3") == "a < b et 3 > 2, <3");
    auto o = sampleOffer();
    o.description = std::string(3999, 'a') + "é" + "b";
    std::string city;
    for (int i = 0; i < 60; ++i) city += "é";
    o.workplace.city = city;
    std::string name;
    for (int i = 0; i < 60; ++i) name += "😀";
    o.employer.name = name;
    const auto f = pc::ftRowFields(input(o), settings());
    CHECK(f[7] == std::string(3999, 'a') + "é");
    CHECK(passerelle::formats::codePointCount(f[19]) == 50);
    CHECK(f[19].size() == 100);
    CHECK(passerelle::formats::codePointCount(f[26]) == 52);
    CHECK(f[26].size() == 52 * 4);
  }

  TEST_CASE("only real HTML tags are stripped; text written with angle brackets is kept") {
    // Real tags: known elements, closing, self-closing, with attributes (any
    // case, quoted values holding '>'), comments, Word's o:p.
    CHECK(pc::ftCleanText("<p>Un</p><p>Deux<br/>trois</p>") == " Un Deux trois ");
    CHECK(pc::ftCleanText("a<br>b<BR />c<br\n/>d") == "a b c d");
    CHECK(pc::ftCleanText("<b>gras</b> <I>it</I> <strong>s</strong>") ==
          " gras it s ");  // spaces next to a tag join its break
    CHECK(pc::ftCleanText(R"(<a href="https://x.fr/?a=1&b=2" target=_blank>lien</a>)") == " lien ");
    CHECK(pc::ftCleanText(R"(<p class=MsoNormal style='margin:0 > 1'>x<o:p></o:p></p>)") == " x ");
    CHECK(pc::ftCleanText("<ul><li data-id=\"3\" aria-hidden>un</li></ul>") == " un ");
    CHECK(pc::ftCleanText("<td colspan = \"2\" nowrap>x</td >") == " x ");
    CHECK(pc::ftCleanText("a<!-- commentaire <b> -->b") == "a b");
    CHECK(pc::ftCleanText("<font face=\"Arial\" size=2>x</font>") == " x ");
    CHECK(pc::ftHtmlTagLength("x<br/>y", 1) == 5);
    CHECK(pc::ftHtmlTagLength("</b>", 0) == 4);
    CHECK(pc::ftHtmlTagLength("<a href=\"…\">", 0) == std::string("<a href=\"…\">").size());

    // Plain text: not an element, no space before an attribute, unknown
    // attributes, nothing closed, spaces after '<'.
    for (const char* text : {"<bac+2 minimum>",
                             "a < b > c",
                             "<3",
                             "a < b et 3 > 2",
                             "<Bac pro> souhaité",
                             "<a partir de 2 ans>",
                             "<b+2>",
                             "<p2>",
                             "< p >",
                             "</ b>",
                             "<br",
                             "<p class=\"x>",
                             "<i am here>",
                             "<li>>",
                             "<!- pas un commentaire ->",
                             "<!-- non fermé",
                             "<span class=>",
                             "<p/ >",
                             "<div =x>",
                             "<niveau 4>",
                             "</bac>",
                             "<o:q>"}) {
      CAPTURE(text);
      const std::string t(text);
      if (t == "<li>>") {
        CHECK(pc::ftCleanText(text) == " >");  // "<li>" is a tag, then a '>' of text
      } else {
        CHECK(pc::ftCleanText(text) == text);
      }
    }
    // Linear: many unclosed comments or quotes cost one scan, not one each.
    // No clock here (speed is the benchmarks' business): a quadratic scan
    // of these 480 KB would not end within the test's timeout.
    std::string hostile;
    for (int i = 0; i < 20000; ++i) hostile += "<!--<p title=\"<i lang='";
    CHECK(pc::ftCleanText(hostile).size() > 0);

    CHECK(pc::ftCleanText("Profil : <bac+2 minimum>,<br>motivé") ==
          "Profil : <bac+2 minimum>, motivé");

    // In a row: the description keeps its plain-text brackets.
    auto o = sampleOffer();
    o.description = "<p>Niveau <bac+2 minimum> requis</p>";
    CHECK(pc::ftRowFields(input(o), settings())[7] == " Niveau <bac+2 minimum> requis ");
  }

  TEST_CASE("an e-mail longer than its column is left empty, never cut, with a warning") {
    auto o = sampleOffer();
    const std::string fits = std::string(55 - 11, 'x') + "@example.fr";  // 55 characters
    const std::string too_long = std::string(56 - 11, 'x') + "@example.fr";
    REQUIRE(fits.size() == 55);
    CHECK(pc::ftEmail(fits) == fits);
    CHECK_FALSE(pc::ftEmail(too_long).has_value());
    CHECK_FALSE(pc::ftEmail(std::nullopt).has_value());
    CHECK_FALSE(pc::ftEmail(std::string()).has_value());

    o.contact.email = fits;
    std::vector<std::string> warnings;
    auto f = pc::ftRowFields(input(o), settings(), &warnings);
    CHECK(f[32] == fits);
    CHECK(f[34] == "MEL");
    CHECK(warnings.empty());
    auto d = pc::decideFt(input(o), pc::OfferStatus::kActive, std::nullopt, settings());
    CHECK(d.warnings.empty());

    o.contact.email = too_long;
    f = pc::ftRowFields(input(o), settings(), &warnings);
    CHECK(f[32] == "");
    CHECK(f[34] == "TEL");  // the phone is the way to apply now
    CHECK(warnings == std::vector<std::string>{"EMAIL_TOO_LONG"});
    CHECK(pc::ftRowFields(input(o), settings()) == f);  // the warnings are optional
    d = pc::decideFt(input(o), pc::OfferStatus::kActive, std::nullopt, settings());
    CHECK(d.movement == pc::FtMovement::kCreate);
    CHECK(d.warnings == std::vector<std::string>{"EMAIL_TOO_LONG"});
    CHECK(d.fields[32] == "");

    // Characters, not bytes: 55 accented characters fit.
    std::string accented;
    for (int i = 0; i < 44; ++i) accented += "é";
    accented += "@example.fr";
    CHECK(pc::ftEmail(accented) == accented);

    // The e-mail was the only channel: not eligible without a URL template.
    o.contact.phone.reset();
    auto no_url = settings();
    no_url.url_template.clear();
    d = pc::decideFt(input(o), pc::OfferStatus::kActive, std::nullopt, no_url);
    CHECK(d.movement == pc::FtMovement::kNotEligible);
    CHECK(d.reasons == std::vector<std::string>{"NO_APPLY_CHANNEL"});
    CHECK(d.warnings == std::vector<std::string>{"EMAIL_TOO_LONG"});
    // With one, the row goes with Mode_presentation URL.
    d = pc::decideFt(input(o), pc::OfferStatus::kActive, std::nullopt, settings());
    CHECK(d.movement == pc::FtMovement::kCreate);
    CHECK(d.fields[34] == "URL");
  }

  TEST_CASE("quoting only for |, \" or a leading space") {
    CHECK(pc::ftQuote("simple") == "simple");
    CHECK(pc::ftQuote("a|b") == "\"a|b\"");
    CHECK(pc::ftQuote("dit \"oui\"") == "\"dit \"\"oui\"\"\"");
    CHECK(pc::ftQuote(" devant") == "\" devant\"");
    CHECK(pc::ftQuote("derrière ") == "derrière ");
    auto o = sampleOffer();
    o.title = "Vendeur | caissier";
    o.description.reset();  // Description falls back to the title
    const std::string row = pc::ftJoinRow(pc::ftRowFields(input(o), settings()));
    CHECK(row.find("|\"Vendeur | caissier\"|\"Vendeur | caissier\"|D|") != std::string::npos);
  }

  TEST_CASE("Par_ref_offre: shortened with a hash when longer than 50") {
    auto o = sampleOffer();
    o.source_ref = "REF-" + std::string("0123456789") + "0123456789" + "0123456789" + "0123456789" +
                   "0123456789";
    CHECK(pc::ftReference(o) == "cfa-cci-rennes:REF-012345678901234567-52a2997607fd");
    o.partner = "partenaire-é";
    std::string ref;
    for (int i = 0; i < 45; ++i) ref += "é";
    o.source_ref = ref;
    const std::string shortened = pc::ftReference(o);
    CHECK(shortened == "partenaire-é:" + ref.substr(0, 24 * 2) + "-044afc6a3fb2");
    CHECK(passerelle::formats::codePointCount(shortened) == 50);
    o.partner = "p";
    o.source_ref = std::string(48, 'r');  // exactly 50: kept
    CHECK(pc::ftReference(o) == "p:" + std::string(48, 'r'));
  }

  TEST_CASE("movements: C, M only if the row differs, S only if accepted before") {
    const auto s = settings();
    auto o = sampleOffer();
    auto c = pc::decideFt(input(o), pc::OfferStatus::kActive, std::nullopt, s);
    CHECK(c.movement == pc::FtMovement::kCreate);
    CHECK(c.row_hash.size() == 64);
    const std::string accepted = c.row_hash;
    // Same content, later modification date, different movement letter: nothing.
    pc::FtRowInput later = input(o, 'M');
    later.modified = {2026, 4, 1};
    CHECK(pc::decideFt(later, pc::OfferStatus::kActive, accepted, s).movement ==
          pc::FtMovement::kNone);
    o.title = "Apprenti boulanger";
    const auto m = pc::decideFt(input(o), pc::OfferStatus::kActive, accepted, s);
    CHECK(m.movement == pc::FtMovement::kModify);
    CHECK(m.row_hash != accepted);
    CHECK(pc::decideFt(input(o), pc::OfferStatus::kWithdrawn, accepted, s).movement ==
          pc::FtMovement::kSuppress);
    CHECK(pc::decideFt(input(o), pc::OfferStatus::kExpired, std::nullopt, s).movement ==
          pc::FtMovement::kNone);
    o.share_with_france_travail = false;
    const auto not_shared = pc::decideFt(input(o), pc::OfferStatus::kActive, std::nullopt, s);
    CHECK(not_shared.movement == pc::FtMovement::kNotEligible);
    CHECK(not_shared.reasons == std::vector<std::string>{"NOT_SHARED"});
    CHECK(pc::decideFt(input(o), pc::OfferStatus::kActive, accepted, s).movement ==
          pc::FtMovement::kSuppress);
    o.share_with_france_travail.reset();  // unknown consent is no consent
    CHECK(pc::decideFt(input(o), pc::OfferStatus::kActive, std::nullopt, s).movement ==
          pc::FtMovement::kNotEligible);
    o = sampleOffer();
    o.contact = {};
    auto no_url = s;
    no_url.url_template.clear();
    CHECK(pc::decideFt(input(o), pc::OfferStatus::kActive, std::nullopt, no_url).reasons ==
          std::vector<std::string>{"NO_APPLY_CHANNEL"});
    CHECK(pc::decideFt(input(o), pc::OfferStatus::kActive, std::nullopt, s).movement ==
          pc::FtMovement::kCreate);
  }

  TEST_CASE("the zip holds the csv and unzip reads it") {
    const std::string csv = pc::ftHeader() + "ligne é|x\n";
    const auto zip = pc::zipSingleFile("flux_20260310_053000.csv", csv, {{2026, 3, 10}, 5, 30, 0});
    REQUIRE(zip.has_value());
    CHECK(zip->substr(0, 4) == std::string("PK\x03\x04", 4));
    const passerelle::testing::TempDir tmp("passerelle-zip-test");
    const auto& dir = tmp.path();
    const auto path = dir / "f.zip";
    std::ofstream(path, std::ios::binary) << *zip;
    if (std::system("command -v unzip >/dev/null 2>&1") == 0) {
      CHECK(std::system(("unzip -tq " + path.string() + " >/dev/null").c_str()) == 0);
      const std::string out = (dir / "out.csv").string();
      CHECK(std::system(("unzip -p " + path.string() + " > " + out).c_str()) == 0);
      std::ifstream in(out, std::ios::binary);
      const std::string back((std::istreambuf_iterator<char>(in)), {});
      CHECK(back == csv);
    } else {
      const std::string cmd =
          "python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); "
          "assert z.testzip() is None\" " +
          path.string();
      CHECK(std::system(cmd.c_str()) == 0);
    }
    std::filesystem::remove_all(dir);
  }

  TEST_CASE("payload names and zip wrapping") {
    pc::ManualClock clock(
        pc::Clock::WallTime(std::chrono::seconds(1'773'120'600)));  // 2026-03-10 05:30 UTC
    const auto plain = pc::ftPayload("a\n", "FLUX", false, clock);
    CHECK(plain.file_name == "FLUX_20260310_063000.csv");
    CHECK(plain.bytes == "a\n");
    const auto zipped = pc::ftPayload("a\n", "FLUX", true, clock);
    CHECK(zipped.file_name == "FLUX_20260310_063000.zip");
    CHECK(zipped.bytes.substr(0, 2) == "PK");
  }
}

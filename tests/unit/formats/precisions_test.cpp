// offer.md "Precisions (December 2026)": one test per precision the reader
// did not already meet.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "formats/field_rules.h"
#include "reader_test_support.h"

using namespace passerelle::formats;
using namespace passerelle::formats::testing;

namespace {

std::string ymagFile(const std::vector<RowValues>& rows, DialectFixture f = ymag()) {
  std::string s = f.headerLine();
  for (const auto& r : rows) s += f.row(r);
  return s;
}

std::vector<std::string> codes(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.code);
  return out;
}

std::string fileError(const Collected& c) {
  return c.summary.file_error ? c.summary.file_error->code : std::string();
}

// The ymag fixture with its reference column moved to the end of the row.
DialectFixture ymagRefLast() {
  DialectFixture f = ymag();
  f.header.erase(f.header.begin());
  f.header.push_back("N° offre");
  return f;
}

}  // namespace

TEST_CASE("ENCODING keeps the reference even when the bad byte stands before it") {
  // UTF-8 file (the header's "°"); 0xFF is never UTF-8.
  Collected c =
      readBytes("ymag", ymagFile({{{"Raison sociale", "BOULANGERIE \xFF"}}, {}}, ymagRefLast()));
  REQUIRE(c.rejects.size() == 2);
  CHECK(codes(c.rejects[0].errors) == std::vector<std::string>{"ENCODING"});
  CHECK(c.rejects[0].errors[0].value == "0xFF");
  CHECK(c.rejects[0].source_ref == "Y-1");
  // ...and claims it: the next row with that reference is a DUPLICATE_REF.
  CHECK(codes(c.rejects[1].errors) == std::vector<std::string>{"DUPLICATE_REF"});
}

TEST_CASE("ENCODING in the reference column itself: no reference, nothing claimed") {
  Collected c = readBytes("ymag", ymagFile({{{"N° offre", "Y-1\xFF"}}, {}}, ymagRefLast()));
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.rejects[0].source_ref == std::nullopt);
  CHECK(c.offers.size() == 1);
}

TEST_CASE("phones: (0) after any country code, bracketed country codes, +33 kept") {
  using rules::phoneToE164;
  CHECK(phoneToE164("+44 (0)20 7946 0958") == std::optional<std::string>("+442079460958"));
  CHECK(phoneToE164("0044 (0)20 7946 0958") == std::optional<std::string>("+442079460958"));
  CHECK(phoneToE164("+33 (0)2 99 00 00 00") == std::optional<std::string>("+33299000000"));
  CHECK(phoneToE164("(+33) 2 99 00 00 00") == std::optional<std::string>("+33299000000"));
  CHECK(phoneToE164("(+44) (0)20 7946 0958") == std::optional<std::string>("+442079460958"));
  CHECK(phoneToE164("+33 6 92 12 34 56") == std::optional<std::string>("+33692123456"));
  CHECK(phoneToE164("06 92 12 34 56") == std::optional<std::string>("+262692123456"));
}

TEST_CASE("e-mail: one @, a local part, a domain of two non-empty labels") {
  using rules::isPlausibleEmail;
  for (const char* ok : {"a@b.fr", "jean.dupont@cfa.bzh", "x@a.b.c"}) {
    CAPTURE(ok);
    CHECK(isPlausibleEmail(ok));
  }
  for (const char* bad :
       {"a@.fr", "a@b.", "a@b.fr.", "@b.fr", "a@b", "a@@b.fr", "a@b..fr", "a b@c.fr", "a@b@c.fr"}) {
    CAPTURE(bad);
    CHECK_FALSE(isPlausibleEmail(bad));
  }
}

TEST_CASE("NAF: spaces and dots removed before the format is checked") {
  CHECK(rules::normaliseNaf("56 .10 a") == std::optional<std::string>("5610A"));
}

TEST_CASE("code values ignore case, accents, spaces, and read ‘ ’ as '") {
  Collected c = readBytes(
      "ymag",
      ymagFile({{{"Type de contrat", "CONTRAT D’ APPRENTISSAGE"},
                 {"Niveau", "Bac + 2"},
                 {"Diffusion Pôle emploi", "O u i"}},
                {{"N° offre", "Y-2"}, {"Type de contrat", "contrat de professionnalisation"}},
                {{"N° offre", "Y-3"}, {"Type de contrat", "Contrat d‘apprentissage"}}}));
  REQUIRE(c.offers.size() == 3);
  CHECK(c.offers[0].contract.type == "apprentissage");
  CHECK(c.offers[0].diploma.level == 5);
  CHECK(c.offers[0].share_with_france_travail == true);
  CHECK(c.offers[0].warnings.empty());
  CHECK(c.offers[1].contract.type == "professionnalisation");
  CHECK(c.offers[2].contract.type == "apprentissage");
}

TEST_CASE("code values ignore any accent: precomposed letters and marks beyond Latin-1") {
  // Ạ (U+1EA0), A + U+1DC0 (a combining mark outside U+0300-U+036F), Ọ
  // (U+1ECC), Ṗ (U+1E56): found by the differential reading of the specs.
  Collected c = readBytes(
      "ymag", ymagFile({{{"Type de contrat", "CONTRAT D\xE2\x80\x99\xE1\xBA\xA0PPRENTISSAGE"},
                         {"Diffusion Pôle emploi", "\xE1\xBB\x8Cui"}},
                        {{"N° offre", "Y-2"},
                         {"Type de contrat", "Contrat de professionnalisation"},
                         {"Niveau", "CA\xE1\xB9\x96"}},
                        {{"N° offre", "Y-3"},
                         {"Type de contrat", "contrat d'a\xE1\xB7\x80pprentissage"}}}));
  REQUIRE(c.offers.size() == 3);
  CHECK(c.offers[0].contract.type == "apprentissage");
  CHECK(c.offers[0].share_with_france_travail == true);
  CHECK(c.offers[0].warnings.empty());
  CHECK(c.offers[1].diploma.level == 3);
  CHECK(c.offers[1].warnings.empty());
  CHECK(c.offers[2].contract.type == "apprentissage");
}

TEST_CASE("a ROME column may hold codes separated by commas, spaces or pipes, any dialect") {
  auto g = gil();
  std::string gil_file = g.headerLine() + g.row({{"CODES_ROME", "I1304, I1310 D1102|D1101"}});
  Collected c = readBytes("gil", gil_file);
  REQUIRE(c.offers.size() == 1);
  CHECK(c.offers[0].rome_codes == std::vector<std::string>{"I1304", "I1310", "D1102", "D1101"});
  auto s = sigma();
  Collected d = readBytes("sigma", sigmaFile({s.row({{"ROME1", "D1202 D1201|D1203"}})}));
  REQUIRE(d.offers.size() == 1);
  CHECK(d.offers[0].rome_codes == std::vector<std::string>{"D1202", "D1201", "D1203"});
}

TEST_CASE("times with a one-digit hour; years 1900 to 2099; offsets up to 14:00") {
  CHECK(rules::parseDateTimeDayFirst("02/03/2026 9:05", false));
  CHECK_FALSE(rules::parseDateDayFirst("01/01/1899"));
  CHECK_FALSE(rules::parseDateIso("2100-01-01"));
  CHECK(rules::parseDateTimeIso("2026-03-02T09:00:00+14:00"));
  CHECK_FALSE(rules::parseDateTimeIso("2026-03-02T09:00:00+14:01"));
}

TEST_CASE("a delete lists only warnings about its MAJ") {
  auto g = gil();
  std::string file = g.headerLine() + g.row({{"ACTION", "S"},
                                             {"CONTACT_MAIL", "not an address"},
                                             {"CODE_NAF", "??"},
                                             {"MAJ", "yesterday"}});
  Collected c = readBytes("gil", file);
  REQUIRE(c.offers.size() == 1);
  CHECK(codes(c.offers[0].warnings) == std::vector<std::string>{"UPDATED_AT"});
}

TEST_CASE("unknown header columns are named once each, in header order") {
  auto f = ymag();
  f.header.push_back("Extra");
  f.header.push_back("Autre");
  f.header.push_back("Extra");
  f.valid["Extra"] = "";
  f.valid["Autre"] = "";
  Collected c = readBytes("ymag", ymagFile({{}}, f));
  REQUIRE(c.file_warnings.size() == 1);
  CHECK(c.file_warnings[0].code == "HEADER_UNKNOWN_COLUMNS");
  CHECK(c.file_warnings[0].value == "Extra, Autre");
  CHECK(c.offers.size() == 1);
}

TEST_CASE("sigma trailer: a no-break space before #FIN is white space in every encoding") {
  auto s = sigma();
  std::string utf8 =
      "#SIGMA;2;CMA29;02/03/2026 06:00\r\n" + s.headerLine() + s.row() + "\xC2\xA0#FIN;1\r\n";
  Collected a = readBytes("sigma", utf8);
  CHECK(fileError(a).empty());
  CHECK(a.offers.size() == 1);
  // ISO-8859-15: the no-break space is the single byte 0xA0.
  std::string latin = "#SIGMA;2;CMA29;02/03/2026 06:00\r\n" + s.headerLine() +
                      s.row({{"ENTREPRISE", "CAF\xC9"}}) + "\xA0#FIN;1\r\n";
  Collected b = readBytes("sigma", latin);
  CHECK(fileError(b).empty());
  REQUIRE(b.offers.size() == 1);
  CHECK(b.offers[0].employer.name == "CAFÉ");
}

TEST_CASE("sigma trailer count: any length, leading zeros; else mismatch or missing") {
  auto s = sigma();
  auto file = [&](const std::string& count) {
    return "#SIGMA;2;CMA29;02/03/2026 06:00\r\n" + s.headerLine() + s.row() + "#FIN;" + count +
           "\r\n";
  };
  CHECK(fileError(readBytes("sigma", file("0000000000001"))).empty());
  CHECK(fileError(readBytes("sigma", file("1"))).empty());
  CHECK(fileError(readBytes("sigma", file("12345678901234567890123"))) == "TRAILER_COUNT_MISMATCH");
  CHECK(fileError(readBytes("sigma", file("0"))) == "TRAILER_COUNT_MISMATCH");
  CHECK(fileError(readBytes("sigma", file("abc"))) == "TRAILER_MISSING");
  CHECK(fileError(readBytes("sigma", file(""))) == "TRAILER_MISSING");
  CHECK(fileError(readBytes("sigma", file("-1"))) == "TRAILER_MISSING");
}

TEST_CASE("sigma: an envelope followed by the trailer is HEADER_MISSING_COLUMNS") {
  Collected c = readBytes("sigma", "#SIGMA;2;CMA29;02/03/2026 06:00\r\n#FIN;0\r\n");
  CHECK(fileError(c) == "HEADER_MISSING_COLUMNS");
}

TEST_CASE("sigma: the envelope's partner code is compared ignoring case") {
  Collected c = readBytes("sigma", sigmaFile({sigma().row()}, "cma29"), {"p", "CMA29"});
  CHECK(fileError(c).empty());
  Collected d = readBytes("sigma", sigmaFile({sigma().row()}, "CMA22"), {"p", "CMA29"});
  CHECK(fileError(d) == "PARTNER_MISMATCH");
}

TEST_CASE("row-level faults: CSV_QUOTE before FIELD_COUNT before ENCODING") {
  std::string file = ymag().headerLine() + "\"Y-1\"x;\xFF\r\n" + "Y-2;\xFF\r\n";
  Collected c = readBytes("ymag", file);
  REQUIRE(c.rejects.size() == 2);
  CHECK(codes(c.rejects[0].errors) == std::vector<std::string>{"CSV_QUOTE"});
  CHECK(c.rejects[0].errors[0].value == std::nullopt);
  CHECK(c.rejects[0].source_ref == std::nullopt);
  CHECK(codes(c.rejects[1].errors) == std::vector<std::string>{"FIELD_COUNT"});
  CHECK(c.rejects[1].errors[0].value == "2");
  CHECK(c.rejects[1].errors[0].field == std::nullopt);
}

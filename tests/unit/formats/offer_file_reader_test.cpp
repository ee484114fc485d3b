// OfferFileReader and the three dialects: every row and file code of
// shared/specs/offer.md and formats/, through the whole pipeline.
#include "formats/offer_file_reader.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "formats/text_fold.h"
#include "reader_test_support.h"

using namespace passerelle::formats;
using namespace passerelle::formats::testing;

namespace {

std::string ymagFile(const std::vector<RowValues>& rows) {
  auto f = ymag();
  std::string s = f.headerLine();
  for (const auto& r : rows) s += f.row(r);
  return s;
}

std::string gilFile(const std::vector<RowValues>& rows) {
  auto f = gil();
  std::string s = f.headerLine();
  for (const auto& r : rows) s += f.row(r);
  return s;
}

// The codes of the first reject's errors.
std::vector<std::string> errorCodes(const Collected& c) {
  std::vector<std::string> codes;
  if (!c.rejects.empty())
    for (const auto& e : c.rejects[0].errors) codes.push_back(e.code);
  return codes;
}

std::vector<std::string> warningCodes(const std::vector<FieldError>& ws) {
  std::vector<std::string> codes;
  for (const auto& w : ws) codes.push_back(w.code);
  return codes;
}

std::string fileError(const Collected& c) {
  return c.summary.file_error ? c.summary.file_error->code : std::string();
}

}  // namespace

TEST_CASE("a valid ymag row becomes the normalised offer") {
  Collected c = readBytes("ymag", ymagFile({{}}), {"cfa-rennes", std::nullopt});
  REQUIRE(c.offers.size() == 1);
  const Offer& o = c.offers[0];
  CHECK(o.line == 2);
  CHECK(o.partner == "cfa-rennes");
  CHECK(o.format == "ymag");
  CHECK(o.source_ref == "Y-1");
  CHECK(o.employer.siret == "73282932000074");
  CHECK(o.employer.naf == "1071C");
  CHECK(o.rome_codes == std::vector<std::string>{"D1102"});
  CHECK(o.contract.type == "apprentissage");
  CHECK(o.contract.start == "2026-09-01");
  CHECK(o.diploma.level == 3);
  CHECK(o.workplace.department == "35");
  CHECK(o.workplace.insee == std::nullopt);
  CHECK(o.contact.phone == "+33299400000");
  CHECK(o.publication.expires == "2026-12-31");
  CHECK(o.share_with_france_travail == true);
  CHECK(o.source_updated_at == "2026-03-02T14:05:00");
  CHECK(o.warnings.empty());
  CHECK(c.summary.records == 1);
  CHECK(c.summary.offers == 1);
}

TEST_CASE("each reject rule of offer.md rejects the row with its code") {
  struct Case {
    const char* column;
    const char* value;
    const char* code;
    const char* field;
  };
  const Case cases[] = {
      {"N° offre", "", "REF_MISSING", "source_ref"},
      {"N° offre", "   ", "REF_MISSING", "source_ref"},
      {"N° offre",
       "X-\x01"
       "1",
       "REF_INVALID", "source_ref"},
      {"SIRET", "1234", "SIRET_FORMAT", "employer.siret"},
      {"SIRET", "", "SIRET_FORMAT", "employer.siret"},
      {"SIRET", "00000000000000", "SIRET_FORMAT", "employer.siret"},
      {"SIRET", "73282932000075", "SIRET_CHECKSUM", "employer.siret"},
      {"Raison sociale", "", "EMPLOYER_NAME_MISSING", "employer.name"},
      {"Intitulé du poste", " \t ", "TITLE_MISSING", "title"},
      {"Codes ROME", "", "ROME_MISSING", "rome_codes"},
      {"Codes ROME", "Z1234, D12", "ROME_INVALID", "rome_codes"},
      {"Type de contrat", "CDI", "CONTRACT_TYPE", "contract.type"},
      {"Type de contrat", "", "CONTRACT_TYPE", "contract.type"},
      {"Date de début", "31/02/2026", "START_DATE", "contract.start"},
      {"Date de début", "01/09/26", "START_DATE", "contract.start"},
      {"Date de début", "01/09/2100", "START_DATE", "contract.start"},
      {"Date de début", "", "START_DATE", "contract.start"},
      {"Durée (mois)", "49", "DURATION", "contract.duration_months"},
      {"Durée (mois)", "0", "DURATION", "contract.duration_months"},
      {"Durée (mois)", "douze", "DURATION", "contract.duration_months"},
      {"Nombre de postes", "1000", "POSITIONS", "positions"},
      {"Nombre de postes", "-1", "POSITIONS", "positions"},
      {"Code postal", "350", "POSTAL_CODE", "workplace.postal_code"},
      {"Code postal", "", "POSTAL_CODE", "workplace.postal_code"},
      {"Ville", "", "CITY_MISSING", "workplace.city"},
  };
  for (const auto& k : cases) {
    CAPTURE(k.column);
    CAPTURE(k.value);
    Collected c = readBytes("ymag", ymagFile({{{k.column, k.value}}}));
    REQUIRE(c.rejects.size() == 1);
    CHECK(c.offers.empty());
    REQUIRE(c.firstError() != nullptr);
    CHECK(c.firstError()->code == k.code);
    CHECK(c.firstError()->field == k.field);
    CHECK_FALSE(c.firstError()->message.empty());
    CHECK(c.summary.rejects == 1);
  }
}

TEST_CASE("source_ref: 64 characters allowed, 65 refused; only trimmed; case kept") {
  std::string ref64(64, 'r');
  Collected ok = readBytes("ymag", ymagFile({{{"N° offre", "  " + ref64 + " "}}}));
  REQUIRE(ok.offers.size() == 1);
  CHECK(ok.offers[0].source_ref == ref64);
  Collected bad = readBytes("ymag", ymagFile({{{"N° offre", ref64 + "é"}}}));
  CHECK(errorCodes(bad) == std::vector<std::string>{"REF_INVALID"});
  CHECK(bad.rejects[0].source_ref == std::nullopt);
  Collected inner = readBytes("ymag", ymagFile({{{"N° offre", "Ab  c"}}}));
  REQUIRE(inner.offers.size() == 1);
  CHECK(inner.offers[0].source_ref == "Ab  c");
}

TEST_CASE("a rejected row lists all its errors at once, and keeps its warnings") {
  Collected c = readBytes("ymag", ymagFile({{{"SIRET", "73282932000075"},
                                             {"Ville", ""},
                                             {"Code NAF", "ABC"},
                                             {"Durée (mois)", "99"}}}));
  CHECK(errorCodes(c) == std::vector<std::string>{"SIRET_CHECKSUM", "DURATION", "CITY_MISSING"});
  REQUIRE(c.rejects.size() == 1);
  CHECK(warningCodes(c.rejects[0].warnings) == std::vector<std::string>{"NAF_INVALID"});
  CHECK(c.rejects[0].source_ref == "Y-1");
  CHECK(c.summary.warnings == 1);
  CHECK(c.rejects[0].errors[0].value == "73282932000075");
}

TEST_CASE("each warning rule sets its field to null and keeps the offer") {
  struct Case {
    const char* column;
    const char* value;
    const char* code;
  };
  const Case cases[] = {
      {"Code NAF", "56.1", "NAF_INVALID"},
      {"Niveau", "Doctorat", "DIPLOMA_LEVEL"},
      {"Code RNCP", "RS1234", "RNCP_INVALID"},
      {"Email du contact", "contact(at)example.fr", "EMAIL_INVALID"},
      {"Email du contact", "a b@example.fr", "EMAIL_INVALID"},
      {"Téléphone du contact", "12", "PHONE_INVALID"},
      {"Fin de publication", "30/02/2027", "EXPIRES_DATE"},
      {"Diffusion Pôle emploi", "peut-être", "CONSENT_VALUE"},
      {"Date de modification", "02/03/2026", "UPDATED_AT"},
      {"Date de modification", "02/03/2026 25:00", "UPDATED_AT"},
  };
  for (const auto& k : cases) {
    CAPTURE(k.column);
    Collected c = readBytes("ymag", ymagFile({{{k.column, k.value}}}));
    REQUIRE(c.offers.size() == 1);
    REQUIRE(c.offers[0].warnings.size() == 1);
    CHECK(c.offers[0].warnings[0].code == k.code);
    CHECK(c.offers[0].warnings[0].value == std::string(k.value));
    CHECK(c.summary.warnings == 1);
    CHECK(c.summary.rejects == 0);
  }
  Collected consent = readBytes("ymag", ymagFile({{{"Diffusion Pôle emploi", "peut-être"}}}));
  CHECK(consent.offers[0].share_with_france_travail == false);
}

TEST_CASE("title and description are cut on character boundaries, with a warning") {
  std::string title;
  for (int i = 0; i < 300; ++i) title += "é";
  std::string description(10005, 'd');
  description.replace(9999, 2, "€");
  Collected c = readBytes(
      "ymag", ymagFile({{{"Intitulé du poste", title}, {"Descriptif du poste", description}}}));
  REQUIRE(c.offers.size() == 1);
  const Offer& o = c.offers[0];
  CHECK(codePointCount(*o.title) == 255);
  CHECK(o.title->size() == 510);
  CHECK(codePointCount(*o.description) == 10000);
  CHECK(o.description->substr(o.description->size() - 3) == "€");
  CHECK(warningCodes(o.warnings) ==
        std::vector<std::string>{"TITLE_TRUNCATED", "DESCRIPTION_TRUNCATED"});
}

TEST_CASE("ROME lists: separators, case, duplicates, invalid codes among valid ones") {
  Collected c = readBytes("ymag", ymagFile({{{"Codes ROME", "d1106, D1105/D1106 X9999 D1101"}}}));
  REQUIRE(c.offers.size() == 1);
  CHECK(c.offers[0].rome_codes == std::vector<std::string>{"D1106", "D1105", "D1101"});
  CHECK(warningCodes(c.offers[0].warnings) == std::vector<std::string>{"ROME_INVALID"});
}

TEST_CASE("ymag code tables: contract types, levels and yes/no, folded") {
  struct Case {
    const char* type;
    const char* expected;
  };
  for (auto [type, expected] :
       {Case{"APPRENTISSAGE", "apprentissage"}, Case{"Contrat d’apprentissage", "apprentissage"},
        Case{"contrat de  professionnalisation", "professionnalisation"},
        Case{"Professionnalisation", "professionnalisation"}}) {
    Collected c = readBytes("ymag", ymagFile({{{"Type de contrat", type}}}));
    REQUIRE(c.offers.size() == 1);
    CHECK(c.offers[0].contract.type == expected);
  }
  struct Level {
    const char* text;
    int level;
  };
  for (auto [text, level] :
       {Level{"3", 3}, Level{"Niveau 7", 7}, Level{"bep", 3}, Level{"Bac Pro", 4}, Level{"BP", 4},
        Level{"DUT", 5}, Level{"Bac+2", 5}, Level{"Licence pro", 6}, Level{"BUT", 6},
        Level{"Bac+4", 6}, Level{"Ingénieur", 7}, Level{"MASTER", 7}, Level{"Bac + 5", 7}}) {
    CAPTURE(text);
    Collected c = readBytes("ymag", ymagFile({{{"Niveau", text}}}));
    REQUIRE(c.offers.size() == 1);
    CHECK(c.offers[0].diploma.level == level);
  }
  for (auto [text, yes] : {std::pair{"O", true}, std::pair{"non", false}, std::pair{"1", true},
                           std::pair{"0", false}, std::pair{"", false}}) {
    Collected c = readBytes("ymag", ymagFile({{{"Diffusion Pôle emploi", text}}}));
    REQUIRE(c.offers.size() == 1);
    CHECK(c.offers[0].share_with_france_travail == yes);
    CHECK(c.offers[0].warnings.empty());
  }
}

TEST_CASE("optional values: empty positions mean 1, empty texts are null") {
  Collected c = readBytes("ymag", ymagFile({{{"Nombre de postes", ""},
                                             {"Durée (mois)", ""},
                                             {"Descriptif du poste", " \r\n "},
                                             {"Nom du contact", ""}}}));
  REQUIRE(c.offers.size() == 1);
  CHECK(c.offers[0].positions == 1);
  CHECK(c.offers[0].contract.duration_months == std::nullopt);
  CHECK(c.offers[0].description == std::nullopt);
  CHECK(c.offers[0].contact.name == std::nullopt);
}

TEST_CASE("postal code with a lost leading zero; Corsica and overseas departments") {
  struct Case {
    const char* cp;
    const char* postal;
    const char* dept;
  };
  for (auto [cp, postal, dept] :
       {Case{"1000", "01000", "01"}, Case{"20000", "20000", "2A"}, Case{"20200", "20200", "2B"},
        Case{"97400", "97400", "974"}, Case{"98800", "98800", "988"}}) {
    Collected c = readBytes("ymag", ymagFile({{{"Code postal", cp}}}));
    REQUIRE(c.offers.size() == 1);
    CHECK(c.offers[0].workplace.postal_code == postal);
    CHECK(c.offers[0].workplace.department == dept);
  }
}

TEST_CASE("DUPLICATE_REF: in a snapshot the first row wins") {
  Collected c = readBytes("ymag", ymagFile({{}, {{"Ville", "Dinan"}}, {{"N° offre", "Y-2"}}}));
  CHECK(c.offers.size() == 2);
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.rejects[0].line == 3);
  CHECK(errorCodes(c) == std::vector<std::string>{"DUPLICATE_REF"});
  CHECK(c.rejects[0].source_ref == "Y-1");
}

TEST_CASE("FIELD_COUNT rejects the row alone and the file goes on") {
  std::string f = ymagFile({{}}) + "Y-2;too;few\r\n" + ymag().row({{"N° offre", "Y-3"}});
  Collected c = readBytes("ymag", f);
  CHECK(c.offers.size() == 2);
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.rejects[0].line == 3);
  REQUIRE(c.rejects[0].errors.size() == 1);
  CHECK(c.rejects[0].errors[0].code == "FIELD_COUNT");
  CHECK(c.rejects[0].errors[0].field == std::nullopt);
  CHECK(c.rejects[0].errors[0].value == "3");
  CHECK(c.rejects[0].source_ref == std::nullopt);
}

TEST_CASE("CSV_QUOTE rejects the row alone and reading goes on") {
  std::string bad = ymag().row({{"N° offre", "Y-2"}});
  bad.replace(bad.find("Apprenti boulanger"), 18, "\"Apprenti\"boulanger");
  Collected c = readBytes("ymag", ymagFile({{}}) + bad + ymag().row({{"N° offre", "Y-3"}}));
  CHECK(c.offers.size() == 2);
  REQUIRE(c.rejects.size() == 1);
  CHECK(errorCodes(c) == std::vector<std::string>{"CSV_QUOTE"});
  CHECK(c.rejects[0].line == 3);
}

TEST_CASE("blank lines and rows of empty fields are skipped and not counted") {
  std::string f = ymag().headerLine() + "\r\n;;;;;;;;;;;;;;;;;;;;;;\r\n" + ymag().row() + "\r\n";
  Collected c = readBytes("ymag", f);
  CHECK(c.summary.records == 1);
  REQUIRE(c.offers.size() == 1);
  CHECK(c.offers[0].line == 4);
}

TEST_CASE("headers: case, accents and spaces ignored, order free, empty names ignored") {
  std::string f =
      "ville;CODE POSTAL;;raison  SOCIALE;siret;n° OFFRE;intitule du poste;codes rome;type de "
      "contrat;date de debut\r\n"
      "Rennes;35000;ignored;ACME;73282932000074;R-1;Vendeur;D1106;Apprentissage;01/09/2026\r\n";
  Collected c = readBytes("ymag", f);
  REQUIRE(c.offers.size() == 1);
  CHECK(c.offers[0].workplace.city == "Rennes");
  CHECK(c.offers[0].employer.name == "ACME");
  CHECK(c.file_warnings.empty());
}

TEST_CASE("unknown columns: one file warning right after the header, counted") {
  std::string f = "Commentaire interne;" + ymag().headerLine() + "x;" + ymag().row();
  Collected c = readBytes("ymag", f);
  REQUIRE(c.file_warnings.size() == 1);
  CHECK(c.file_warnings[0].code == "HEADER_UNKNOWN_COLUMNS");
  CHECK(c.file_warnings[0].value == "Commentaire interne");
  CHECK(c.file_warnings[0].line == 1);
  CHECK(c.lines[0].find("file_warning") != std::string::npos);
  CHECK(c.summary.warnings == 1);
  CHECK(c.offers.size() == 1);
}

TEST_CASE("header file errors: missing columns named, duplicate known column") {
  Collected missing = readBytes("ymag", "N° offre;SIRET\r\nY-1;73282932000074\r\n");
  CHECK(fileError(missing) == "HEADER_MISSING_COLUMNS");
  CHECK(missing.summary.file_error->message.find("Raison sociale") != std::string::npos);
  CHECK(missing.summary.file_error->message.find("Ville") != std::string::npos);
  CHECK(missing.summary.file_error->line == 1);
  Collected dup = readBytes("ymag", "SIRET;" + ymag().headerLine() + "1;" + ymag().row());
  CHECK(fileError(dup) == "HEADER_DUPLICATE_COLUMN");
  CHECK(dup.summary.records == 0);
}

TEST_CASE("EMPTY_FILE, BINARY_CONTENT, CSV_UNTERMINATED_QUOTE") {
  CHECK(fileError(readBytes("ymag", "")) == "EMPTY_FILE");
  CHECK(fileError(readBytes("ymag", "\r\n\r\n")) == "EMPTY_FILE");
  CHECK(fileError(readBytes("gil", "\xEF\xBB\xBF")) == "EMPTY_FILE");
  std::string nul = ymagFile({{}});
  nul.insert(nul.size() - 4, 1, '\0');
  CHECK(fileError(readBytes("ymag", nul)) == "BINARY_CONTENT");
  Collected open = readBytes("ymag", ymagFile({{}}) + "Y-2;\"never closed\r\n");
  CHECK(fileError(open) == "CSV_UNTERMINATED_QUOTE");
  CHECK(open.summary.file_error->line == 3);
  CHECK(open.summary.records == 0);
  CHECK(open.summary.offers == 0);
}

TEST_CASE("the first file error of offer.md's list wins") {
  // A NUL byte beats the unterminated quote found later.
  std::string f = ymagFile({{}}) + std::string("Y-2;\0;\"open", 11);
  CHECK(fileError(readBytes("ymag", f)) == "BINARY_CONTENT");
  // Missing columns beat an unterminated quote.
  CHECK(fileError(readBytes("ymag", "N° offre\r\n\"open")) == "HEADER_MISSING_COLUMNS");
  // Sigma: the envelope beats the trailer.
  CHECK(fileError(readBytes("sigma", sigma().headerLine() + sigma().row())) == "ENVELOPE_MISSING");
}

TEST_CASE("encodings: declared Windows-1252, UTF-8 by BOM or by its first non-ASCII byte") {
  auto f = ymag();
  // Windows-1252: ° is B0, é is E9, ô is F4, ’ is 92, € is 80.
  auto toCp1252 = [](std::string s) {
    const std::pair<const char*, const char*> map[] = {
        {"°", "\xB0"}, {"é", "\xE9"}, {"ô", "\xF4"}, {"’", "\x92"}, {"€", "\x80"}};
    for (auto [from, to] : map)
      for (std::size_t p; (p = s.find(from)) != std::string::npos;)
        s.replace(p, std::strlen(from), to);
    return s;
  };
  std::string row = f.row({{"Intitulé du poste", "Prime 50 € l’été"}});
  Collected w = readBytes("ymag", toCp1252(f.headerLine() + row));
  REQUIRE(w.offers.size() == 1);
  CHECK(w.summary.encoding == Encoding::kWindows1252);
  CHECK(w.offers[0].title == "Prime 50 € l’été");

  Collected u = readBytes("ymag", f.headerLine() + row);
  CHECK(u.summary.encoding == Encoding::kUtf8);
  CHECK(u.offers[0].title == "Prime 50 € l’été");

  Collected bom =
      readBytes("sigma", "\xEF\xBB\xBF" + sigmaFile({sigma().row({{"POSTE", "Œuvre"}})}));
  CHECK(bom.summary.encoding == Encoding::kUtf8);
  REQUIRE(bom.offers.size() == 1);
  CHECK(bom.offers[0].title == "Œuvre");
}

TEST_CASE("ENCODING: an undefined byte rejects its row only") {
  // An ASCII header; the first non-ASCII byte (E9, not UTF-8) keeps Windows-1252.
  std::string ascii_header =
      "N offre;Raison sociale;SIRET;Intitule du poste;Codes ROME;Type de contrat;Date de debut;"
      "Code postal;Ville\r\n";
  std::string ok_row =
      "Y-1;ACME;73282932000074;Vendeur \xE9t\xE9;D1106;Apprentissage;01/09/2026;35000;Rennes\r\n";
  std::string bad_row =
      "Y-2;ACME;73282932000074;Vendeur;D1106;Apprentissage;01/09/2026;35000;Renn\x81s\r\n";
  Collected c =
      readBytes("ymag", "N\xB0 offre" + ascii_header.substr(7) + ok_row + bad_row + ok_row);
  CHECK(c.summary.encoding == Encoding::kWindows1252);
  CHECK(c.offers.size() == 1);  // the third row is a DUPLICATE_REF of the first
  REQUIRE(c.rejects.size() == 2);
  CHECK(c.rejects[0].line == 3);
  REQUIRE(c.rejects[0].errors.size() == 1);
  CHECK(c.rejects[0].errors[0].code == "ENCODING");
  CHECK(c.rejects[0].errors[0].field == std::nullopt);
  CHECK(c.rejects[0].errors[0].value == "0x81");
  CHECK(c.rejects[0].source_ref == "Y-2");

  // ISO-8859-15: 0x92 (a Windows-1252 apostrophe) is a control code, refused.
  std::string s = sigmaFile({sigma().row({{"POSTE",
                                           "Apprenti l\x92"
                                           "app"}}),
                             sigma().row({{"REF", "S-2"}, {"POSTE", "Chef p\xE2tissier \xA4"}})});
  Collected latin9 = readBytes("sigma", s);
  CHECK(latin9.summary.encoding == Encoding::kIso8859_15);
  REQUIRE(latin9.rejects.size() == 1);
  CHECK(latin9.rejects[0].errors[0].code == "ENCODING");
  REQUIRE(latin9.offers.size() == 1);
  CHECK(latin9.offers[0].title == "Chef pâtissier €");

  // UTF-8: an ill-formed sequence after the file was recognised as UTF-8.
  std::string g =
      gilFile({{{"LIBELLE_POSTE", "Mécanicien"}}, {{"ID_OFFRE", "G-2"}, {"COMMUNE", "Br\xC3st"}}});
  Collected utf = readBytes("gil", g);
  REQUIRE(utf.rejects.size() == 1);
  CHECK(utf.rejects[0].errors[0].code == "ENCODING");
  CHECK(utf.offers.size() == 1);
}

TEST_CASE("gil: movements C/M/S, delete rows, ACTION_INVALID, every row printed") {
  std::string f = gilFile({{},
                           {{"ACTION", "m"}},
                           {{"ACTION", "S"},
                            {"SIRET", ""},
                            {"RAISON_SOCIALE", ""},
                            {"LIBELLE_POSTE", ""},
                            {"CODES_ROME", ""},
                            {"NATURE_CONTRAT", ""},
                            {"DATE_DEBUT", ""},
                            {"CODE_POSTAL", ""},
                            {"COMMUNE", ""},
                            {"MAJ", "2026-03-03T10:00:00+01:00"}},
                           {{"ACTION", "X"}}});
  Collected c = readBytes("gil", f);
  REQUIRE(c.offers.size() == 3);
  CHECK(c.offers[0].movement == 'C');
  CHECK(c.offers[0].action == OfferAction::kUpsert);
  CHECK(c.offers[1].movement == 'M');
  const Offer& del = c.offers[2];
  CHECK(del.action == OfferAction::kDelete);
  CHECK(del.movement == 'S');
  CHECK(del.source_ref == "G-1");
  CHECK(del.source_updated_at == "2026-03-03T10:00:00");
  CHECK(del.employer.siret == std::nullopt);
  CHECK(del.positions == std::nullopt);
  CHECK(del.share_with_france_travail == std::nullopt);
  CHECK(del.rome_codes.empty());
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.rejects[0].errors[0].code == "ACTION_INVALID");
  CHECK(c.rejects[0].errors[0].field == "movement");
  CHECK(c.summary.deletes == 1);
  CHECK(c.summary.offers == 2);
  CHECK(c.summary.records == 4);
}

TEST_CASE("gil: an S row needs only its reference; no DUPLICATE_REF in a delta") {
  std::string f = gilFile({{{"ACTION", "S"}, {"ID_OFFRE", ""}}, {}, {{"ACTION", "M"}}});
  Collected c = readBytes("gil", f);
  REQUIRE(c.rejects.size() == 1);
  CHECK(errorCodes(c) == std::vector<std::string>{"REF_MISSING"});
  CHECK(c.offers.size() == 2);
}

TEST_CASE("gil: MAJ with fraction and offsets, ISO dates, pipes, levels") {
  Collected c = readBytes(
      "gil",
      gilFile({{{"MAJ", "2026-07-01T10:00:00.250Z"}, {"CODES_ROME", "i1304||h2913|I1304"}}}));
  REQUIRE(c.offers.size() == 1);
  CHECK(c.offers[0].source_updated_at == "2026-07-01T12:00:00");
  CHECK(c.offers[0].rome_codes == std::vector<std::string>{"I1304", "H2913"});
  CHECK(c.offers[0].contract.type == "professionnalisation");
  CHECK(c.offers[0].diploma.level == 5);
  CHECK(c.offers[0].workplace.insee == "56036");
  Collected bad = readBytes("gil", gilFile({{{"DATE_DEBUT", "01/10/2026"}, {"NIVEAU_EU", "V"}}}));
  CHECK(errorCodes(bad) == std::vector<std::string>{"START_DATE"});
  CHECK(warningCodes(bad.rejects[0].warnings) == std::vector<std::string>{"DIPLOMA_LEVEL"});
}

TEST_CASE("sigma: envelope, \\n escapes, split address and ROME columns, roman levels") {
  std::string row = sigma().row({{"DESCRIPTIF", "Ligne 1\\nLigne 2 C:\\\\dossier \\t"},
                                 {"ROME2", "d1201"},
                                 {"ROME3", "D1202"},
                                 {"ADR2", "Bâtiment B"},
                                 {"NIVEAU", "iii"},
                                 {"CONTRAT", "2"}});
  Collected c = readBytes("sigma", sigmaFile({row}));
  REQUIRE(c.offers.size() == 1);
  const Offer& o = c.offers[0];
  CHECK(o.line == 3);
  CHECK(o.description == "Ligne 1\nLigne 2 C:\\dossier \\t");
  CHECK(o.rome_codes == std::vector<std::string>{"D1202", "D1201"});
  CHECK(o.workplace.address == "3 place Saint-Corentin, Bâtiment B");
  CHECK(o.diploma.level == 5);
  CHECK(o.contract.type == "professionnalisation");
  CHECK(o.source_updated_at == "2026-03-01T18:30:00");
}

TEST_CASE("sigma file errors: envelope, version, partner, trailer") {
  std::string rows = sigma().row();
  CHECK(fileError(readBytes("sigma", sigma().headerLine() + rows + "#FIN;1\r\n")) ==
        "ENVELOPE_MISSING");
  std::string v3 = sigmaFile({rows});
  v3.replace(v3.find(";2;"), 3, ";3;");
  Collected version = readBytes("sigma", v3);
  CHECK(fileError(version) == "VERSION_UNSUPPORTED");
  CHECK(version.summary.file_error->line == 1);
  ReadOptions expect{"cma29", std::string("CMA29")};
  CHECK(fileError(readBytes("sigma", sigmaFile({rows}, "CMA35"), expect)) == "PARTNER_MISMATCH");
  CHECK(fileError(readBytes("sigma", sigmaFile({rows}, "CMA29"), expect)).empty());
  CHECK(fileError(readBytes("sigma", sigmaFile({rows}, "CMA35"))).empty());  // nothing configured
  std::string cut = sigmaFile({rows, rows});
  cut.erase(cut.find("#FIN"));
  CHECK(fileError(readBytes("sigma", cut)) == "TRAILER_MISSING");
  CHECK(fileError(readBytes("sigma", sigmaFile({rows}, "CMA29", 2))) == "TRAILER_COUNT_MISMATCH");
  std::string nan = sigmaFile({rows});
  nan.replace(nan.find("#FIN;1"), 6, "#FIN;x");
  CHECK(fileError(readBytes("sigma", nan)) == "TRAILER_MISSING");
  // The count includes rejected rows; blank lines are not records.
  std::string with_reject =
      sigmaFile({rows, "\r\n", sigma().row({{"REF", "S-2"}, {"SIRET", "1"}})}, "CMA29", 2);
  Collected counted = readBytes("sigma", with_reject);
  CHECK(fileError(counted).empty());
  CHECK(counted.summary.rejects == 1);
}

TEST_CASE("readFile: a refused file gives its sink nothing, even when found at the end") {
  std::string path = "/tmp/passerelle_reader_test_" + std::to_string(::getpid()) + ".csv";
  {
    std::ofstream out(path, std::ios::binary);
    std::string cut = sigmaFile({sigma().row(), sigma().row({{"REF", "S-2"}})});
    cut.erase(cut.find("#FIN"));
    out << cut;
  }
  auto dialect = DialectRegistry::instance().create("sigma");
  Collected c;
  CollectingSink sink(c);
  ReadSummary s = OfferFileReader(*dialect, {}).readFile(path, sink);
  std::remove(path.c_str());
  REQUIRE(s.file_error);
  CHECK(s.file_error->code == "TRAILER_MISSING");
  CHECK(c.lines.empty());
  CHECK(s.records == 0);
}

TEST_CASE("readFile refuses what is not a regular file") {
  auto dialect = DialectRegistry::instance().create("ymag");
  Collected c;
  CollectingSink sink(c);
  CHECK_THROWS_AS(OfferFileReader(*dialect, {}).readFile("/dev/null", sink), std::system_error);
  CHECK_THROWS_AS(OfferFileReader(*dialect, {}).readFile("/nonexistent/file.csv", sink),
                  std::system_error);
}

TEST_CASE("the registry creates dialects by name") {
  auto names = DialectRegistry::instance().names();
  CHECK(names == std::vector<std::string>{"gil", "sigma", "ymag"});
  CHECK(DialectRegistry::instance().create("nope") == nullptr);
}

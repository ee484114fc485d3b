// The bytes of reports/<file>.report.csv (drop-folders.md "Reports back").
#include "connectors/drop/partner_report.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "connectors/drop/report_csv.h"
#include "connectors/drop/report_messages.h"

using namespace passerelle::connectors;
using passerelle::formats::FieldError;
using passerelle::formats::FileIssue;

namespace {

const std::string kHeader =
    "\xEF\xBB\xBF"
    "ligne;enregistrement;reference;gravite;colonne;code;message;valeur\r\n";

// Words a partner must never read in a report: ours, or English left over.
bool hasForeignWord(const std::string& text) {
  static const char* kWords[] = {"run",     "snapshot", "movement", "ledger",  "the",
                                 "is",      "not",      "file",     "row",     "line",
                                 "invalid", "missing",  "value",    "field",   "offer",
                                 "error",   "warning",  "import",   "partner", "quarantin"};
  std::string lower;
  for (unsigned char c : text) lower += static_cast<char>(std::tolower(c));
  auto is_letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || (c & 0x80); };
  for (const char* w : kWords) {
    const std::string word = w;
    for (auto at = lower.find(word); at != std::string::npos; at = lower.find(word, at + 1)) {
      const bool starts = at == 0 || !is_letter(lower[at - 1]);
      const bool ends = at + word.size() == lower.size() || !is_letter(lower[at + word.size()]);
      if (starts && (ends || word == "quarantin")) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("report: BOM, header, summary, rows in line order, colonne as the partner wrote it") {
  PartnerReportInput in;
  in.format = "ymag";
  in.records = 4;
  in.accepted = 2;
  in.rejected = 1;
  in.withdrawn = 1;
  in.columns = {{"employer.siret", "siret"}, {"contact.phone", "Téléphone du contact"}};
  in.records_with_problems.push_back({7,
                                      5,
                                      "REF-7",
                                      {},
                                      {FieldError{"contact.phone", "PHONE_INVALID",
                                                  "Téléphone 02 99 invalide : ignoré", "02 99"}}});
  in.records_with_problems.push_back(
      {3,
       2,
       "REF;3",
       {FieldError{"employer.siret", "SIRET_CHECKSUM", "SIRET invalide", "=1+2"},
        FieldError{std::nullopt, "FIELD_COUNT", "Nombre de champs \"incorrect\"", std::nullopt}},
       {FieldError{"title", "TITLE_TRUNCATED", "Intitulé coupé", "-5"}}});
  const std::string expected =
      kHeader +
      ";;;synthese;;FICHIER_PRIS;Fichier pris en compte : 4 enregistrements lus, 2 offres "
      "prises, 1 ligne refusée, 1 offre retirée car absente du fichier.;"
      "enregistrements=4 prises=2 refusees=1 retirees=1\r\n"
      "3;2;\"REF;3\";erreur;siret;SIRET_CHECKSUM;SIRET invalide. " +
      std::string(*adviceFor("SIRET_CHECKSUM")) +
      ";'=1+2\r\n"
      "3;2;\"REF;3\";erreur;;FIELD_COUNT;\"Nombre de champs \"\"incorrect\"\". " +
      std::string(*adviceFor("FIELD_COUNT")) +
      "\";\r\n"
      // No header spelling known for `title`: the dialect's name.
      "3;2;\"REF;3\";avertissement;Intitulé du poste;TITLE_TRUNCATED;Intitulé coupé. " +
      std::string(*adviceFor("TITLE_TRUNCATED")) +
      ";'-5\r\n"
      "7;5;REF-7;avertissement;Téléphone du contact;PHONE_INVALID;Téléphone 02 99 invalide : "
      "ignoré. " +
      std::string(*adviceFor("PHONE_INVALID")) + ";02 99\r\n";
  CHECK(renderPartnerReport(in) == expected);
}

TEST_CASE("report: a field built from several columns is named by all of them") {
  PartnerReportInput in;
  in.format = "sigma";
  in.records_with_problems.push_back(
      {4, 1, "S-1", {FieldError{"rome_codes", "ROME_INVALID", "Codes ROME invalides", "X,Y"}}, {}});
  const std::string report = renderPartnerReport(in);
  CHECK(report.find(";erreur;ROME1, ROME2, ROME3;ROME_INVALID;") != std::string::npos);
  in.columns = {{"rome_codes", "rome1, Rome2"}};  // the header as written
  CHECK(renderPartnerReport(in).find(";erreur;rome1, Rome2;ROME_INVALID;") != std::string::npos);
}

TEST_CASE("report: a refused file is one row with empty ligne and enregistrement") {
  PartnerReportInput in;
  in.outcome = ReportOutcome::kRefused;
  in.format = "ymag";
  in.file_error =
      FileIssue{"HEADER_MISSING_COLUMNS",
                "Colonnes obligatoires absentes de l'en-tête : SIRET, Ville", "SIRET, Ville", 1};
  const std::string expected =
      kHeader +
      ";;;synthese;;FICHIER_REFUSE;Fichier refusé : aucune offre n'a été prise ni retirée. "
      "Corrigez le problème décrit ci-dessous, puis déposez à nouveau le fichier.;"
      "enregistrements=0 prises=0 refusees=0 retirees=0\r\n"
      ";;;erreur;SIRET, Ville;HEADER_MISSING_COLUMNS;Colonnes obligatoires absentes de "
      "l'en-tête : SIRET, Ville (ligne 1). " +
      std::string(*adviceFor("HEADER_MISSING_COLUMNS")) + ";SIRET, Ville\r\n";
  CHECK(renderPartnerReport(in) == expected);
  CHECK(reportFileName("YMAG_A_20260101120000.csv") == "YMAG_A_20260101120000.csv.report.csv");
}

TEST_CASE("report summaries: on hold, applied, set aside, already received, delta") {
  PartnerReportInput in;
  in.format = "ymag";
  in.outcome = ReportOutcome::kOnHold;
  in.records = 20;
  in.rejected = 2;
  in.withdraw_forecast = 80;
  in.active_before = 100;
  CHECK(reportSummary(in) ==
        "Fichier mis en attente : il retirerait 80 de vos 100 offres en ligne. L'équipe du "
        "portail va le vérifier avant de l'appliquer ; d'ici là rien n'a changé et vos offres "
        "restent en ligne (20 enregistrements lus, 2 lignes refusées).");
  in.records = 0;
  in.rejected = 0;
  CHECK(reportSummary(in).rfind("Fichier mis en attente : il ne contient aucune offre et "
                                "retirerait vos 100 offres en ligne.",
                                0) == 0);
  CHECK(renderPartnerReport(in).find(";synthese;;FICHIER_EN_ATTENTE;") != std::string::npos);

  in.outcome = ReportOutcome::kSetAside;
  in.decided_on = "03/12/2026";
  CHECK(reportSummary(in).rfind("Fichier écarté par l'équipe du portail le 03/12/2026 : il ne "
                                "contient aucune offre et aurait retiré vos 100 offres en "
                                "ligne. Il n'a pas été appliqué",
                                0) == 0);

  in.outcome = ReportOutcome::kApplied;
  in.records = 20;
  in.accepted = 18;
  in.rejected = 2;
  in.withdrawn = 80;
  CHECK(reportSummary(in) ==
        "Fichier mis en attente puis vérifié et appliqué par l'équipe du portail le 03/12/2026 : "
        "20 enregistrements lus, 18 offres prises, 2 lignes refusées, 80 offres retirées car "
        "absentes du fichier.");

  in.outcome = ReportOutcome::kAlreadyReceived;
  in.decided_on = "01/12/2026";
  CHECK(reportSummary(in) ==
        "Fichier déjà reçu le 01/12/2026 avec un contenu identique : rien n'a changé.");

  PartnerReportInput delta;
  delta.format = "gil";
  delta.snapshot = false;
  delta.records = 3;
  delta.accepted = 2;
  delta.withdrawn = 1;
  CHECK(reportSummary(delta) ==
        "Fichier pris en compte : 3 enregistrements lus, 2 offres prises, 0 ligne refusée, "
        "1 offre retirée par une ligne de suppression.");
}

TEST_CASE("every code has French advice, with no word of ours and no English") {
  // Every code of offer.md's rules, the file-level issues, the store's
  // remarks on GIL rows and FILE_TOO_LARGE.
  const std::vector<std::string_view> codes = {"REF_MISSING",
                                               "REF_INVALID",
                                               "DUPLICATE_REF",
                                               "SIRET_FORMAT",
                                               "SIRET_CHECKSUM",
                                               "EMPLOYER_NAME_MISSING",
                                               "NAF_INVALID",
                                               "TITLE_MISSING",
                                               "TITLE_TRUNCATED",
                                               "DESCRIPTION_TRUNCATED",
                                               "ROME_MISSING",
                                               "ROME_INVALID",
                                               "CONTRACT_TYPE",
                                               "START_DATE",
                                               "DURATION",
                                               "POSITIONS",
                                               "DIPLOMA_LEVEL",
                                               "RNCP_INVALID",
                                               "POSTAL_CODE",
                                               "CITY_MISSING",
                                               "INSEE_INVALID",
                                               "EMAIL_INVALID",
                                               "PHONE_INVALID",
                                               "EXPIRES_DATE",
                                               "CONSENT_VALUE",
                                               "UPDATED_AT",
                                               "ACTION_INVALID",
                                               "FIELD_COUNT",
                                               "ENCODING",
                                               "CSV_QUOTE",
                                               "ALREADY_EXISTS",
                                               "UNKNOWN_OFFER",
                                               "STALE_MOVEMENT",
                                               "BINARY_CONTENT",
                                               "EMPTY_FILE",
                                               "ENVELOPE_MISSING",
                                               "VERSION_UNSUPPORTED",
                                               "PARTNER_MISMATCH",
                                               "HEADER_DUPLICATE_COLUMN",
                                               "HEADER_MISSING_COLUMNS",
                                               "CSV_UNTERMINATED_QUOTE",
                                               "TRAILER_MISSING",
                                               "TRAILER_COUNT_MISMATCH",
                                               "HEADER_UNKNOWN_COLUMNS",
                                               "FILE_TOO_LARGE"};
  for (std::string_view code : codes) {
    CAPTURE(code);
    const auto advice = adviceFor(code);
    REQUIRE(advice.has_value());
    CHECK(advice->size() > 20);
    CHECK_FALSE(hasForeignWord(std::string(*advice)));
    CHECK(reportMessage(code, "").find(*advice) == 0);
  }
  // And nothing in the catalogue that is not a code a report carries.
  CHECK(reportAdvices().size() == codes.size());
  // Every summary, in every outcome.
  for (auto outcome :
       {ReportOutcome::kTaken, ReportOutcome::kRefused, ReportOutcome::kOnHold,
        ReportOutcome::kApplied, ReportOutcome::kSetAside, ReportOutcome::kAlreadyReceived}) {
    PartnerReportInput in;
    in.outcome = outcome;
    in.records = 5;
    in.active_before = 12;
    in.withdraw_forecast = 11;
    in.decided_on = "02/12/2026";
    CAPTURE(static_cast<int>(outcome));
    CHECK_FALSE(hasForeignWord(reportSummary(in)));
  }
  CHECK(hasForeignWord("empty snapshot while the partner has 8 active offers"));
  CHECK(hasForeignWord("same content as run 1"));
}

TEST_CASE("report messages: the reader's sentence, then the advice") {
  CHECK(reportMessage("CITY_MISSING", "La ville est absente") ==
        "La ville est absente. Renseignez la ville du lieu de travail.");
  CHECK(reportMessage("CITY_MISSING", "La ville est absente.") ==
        "La ville est absente. Renseignez la ville du lieu de travail.");
  CHECK(reportMessage("SOMETHING_ELSE", "Détail") == "Détail");
}

TEST_CASE("report cells: formula guard and quoting") {
  CHECK(reportCell("plain") == "plain");
  CHECK(reportCell("") == "");
  CHECK(reportCell("=SUM(A1)") == "'=SUM(A1)");
  CHECK(reportCell("+33 2 99") == "'+33 2 99");
  CHECK(reportCell("-1") == "'-1");
  CHECK(reportCell("@cmd") == "'@cmd");
  CHECK(reportCell("\tx") == "'\tx");
  CHECK(reportCell("\rx") == "\"'\rx\"");
  CHECK(reportCell("a;b") == "\"a;b\"");
  CHECK(reportCell("a\nb") == "\"a\nb\"");
  CHECK(reportCell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(reportCell("=a;b") == "\"'=a;b\"");
  CHECK(reportCell("1-2") == "1-2");
}

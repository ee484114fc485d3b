// The bytes of reports/<file>.report.csv (drop-folders.md "Reports back").
#include "connectors/drop/partner_report.h"

#include <doctest/doctest.h>

using namespace passerelle::connectors;
using passerelle::formats::FieldError;
using passerelle::formats::FileIssue;

TEST_CASE("report: BOM, header, summary, rows in line order, CRLF") {
  PartnerReportInput in;
  in.records = 4;
  in.accepted = 2;
  in.rejected = 1;
  in.withdrawn = 1;
  in.records_with_problems.push_back(
      {7,
       "REF-7",
       {},
       {FieldError{"contact.phone", "PHONE_FORMAT", "Téléphone mal formé", "02 99"}}});
  in.records_with_problems.push_back(
      {3,
       "REF;3",
       {FieldError{"employer.siret", "SIRET_CHECKSUM", "SIRET invalide", "=1+2"},
        FieldError{std::nullopt, "FIELD_COUNT", "Nombre de champs \"incorrect\"", std::nullopt}},
       {FieldError{"title", "TITLE_LONG", "Intitulé tronqué", "-5"}}});
  const std::string expected =
      "\xEF\xBB\xBF"
      "ligne;reference;gravite;champ;code;message;valeur\r\n"
      ";;info;;RESUME;4 enregistrements lus : 2 offres acceptées, 1 rejetée, 1 retirée.;"
      "enregistrements=4 acceptees=2 rejetees=1 retirees=1\r\n"
      "3;\"REF;3\";erreur;employer.siret;SIRET_CHECKSUM;SIRET invalide;'=1+2\r\n"
      "3;\"REF;3\";erreur;;FIELD_COUNT;\"Nombre de champs \"\"incorrect\"\"\";\r\n"
      "3;\"REF;3\";avertissement;title;TITLE_LONG;Intitulé tronqué;'-5\r\n"
      "7;REF-7;avertissement;contact.phone;PHONE_FORMAT;Téléphone mal formé;02 99\r\n";
  CHECK(renderPartnerReport(in) == expected);
}

TEST_CASE("report: a file-level error is one row with an empty ligne") {
  PartnerReportInput in;
  in.file_error =
      FileIssue{"FILE_TRUNCATED", "Fichier tronqué : la ligne de fin manque", std::nullopt, 120};
  const std::string expected =
      "\xEF\xBB\xBF"
      "ligne;reference;gravite;champ;code;message;valeur\r\n"
      ";;info;;RESUME;Fichier refusé : aucune offre importée.;"
      "enregistrements=0 acceptees=0 rejetees=0 retirees=0\r\n"
      ";;erreur;;FILE_TRUNCATED;Fichier tronqué : la ligne de fin manque (ligne 120);\r\n";
  CHECK(renderPartnerReport(in) == expected);
  CHECK(reportFileName("YMAG_A_20260101120000.csv") == "YMAG_A_20260101120000.csv.report.csv");
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

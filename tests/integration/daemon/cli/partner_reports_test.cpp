// The partners' reports as a partner's back office reads them (issue 13,
// drop-folders.md "Reports back to the partner" and "The state of the
// partner's offers"): the real program (`passerelle daemon --once`,
// `approve`, `set-aside`) against a real store, two partners' file://
// folders, the lba stand-in and a France Travail spool; every report is
// parsed as CSV and checked row by row.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/integration/daemon/store_test_support.h"
#include "tests/support/test_server_process.h"

using passerelle::store_test::TestStore;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeText(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

std::string toml(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A report as a spreadsheet reads it: BOM, `;`, quoted cells, CRLF rows.
using Row = std::map<std::string, std::string>;
std::vector<Row> parseReport(const std::string& bytes) {
  REQUIRE(bytes.rfind("\xEF\xBB\xBF", 0) == 0);
  std::vector<std::vector<std::string>> records(1);
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 3; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (quoted) {
      if (c == '"' && i + 1 < bytes.size() && bytes[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ';') {
      records.back().push_back(cell);
      cell.clear();
    } else if (c == '\r') {
      REQUIRE(i + 1 < bytes.size());
      REQUIRE(bytes[i + 1] == '\n');  // CRLF only
      records.back().push_back(cell);
      cell.clear();
      records.emplace_back();
      ++i;
    } else {
      REQUIRE(c != '\n');
      cell += c;
    }
  }
  REQUIRE(records.back().empty());
  records.pop_back();
  std::vector<Row> rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    REQUIRE(records[r].size() == records[0].size());
    Row row;
    for (std::size_t i = 0; i < records[0].size(); ++i) row[records[0][i]] = records[r][i];
    rows.push_back(row);
  }
  return rows;
}

std::vector<std::string> headerOf(const std::string& bytes) {
  std::vector<std::string> names;
  const std::string line = bytes.substr(3, bytes.find("\r\n") - 3);
  std::size_t start = 0;
  for (std::size_t at; (at = line.find(';', start)) != std::string::npos; start = at + 1)
    names.push_back(line.substr(start, at - start));
  names.push_back(line.substr(start));
  return names;
}

const Row* findRow(const std::vector<Row>& rows, const std::string& key, const std::string& value,
                   const std::string& key2 = "", const std::string& value2 = "") {
  for (const Row& r : rows)
    if (r.at(key) == value && (key2.empty() || r.at(key2) == value2)) return &r;
  return nullptr;
}

// Our own Ymag export: the header as a partner's software may write it
// ("Siret", "code postal"), descriptions on several lines.
std::string ymagRow(const std::string& ref, const std::string& siret = "510 245 678 00014",
                    const std::string& naf = "10.71C", const std::string& email = "rh@example.fr",
                    const std::string& share = "Oui") {
  return ref + ";BOULANGERIE DU SILLON;" + siret + ";" + naf + ";Apprenti boulanger " + ref +
         ";\"Fabrication du pain ; viennoiseries.\r\nHoraires : 4h-11h.\r\nDébutants acceptés.\""
         ";D1102;Contrat d'apprentissage;01/09/2026;24;1;CAP;CAP Boulanger;RNCP37861;"
         "2 rue du Sillon;35400;Saint-Malo;Anne Le Gall;" +
         email + ";02 99 40 00 00;31/12/2030;" + share + ";02/03/2026 14:05:00\r\n";
}

std::string ymagFile(const std::vector<std::string>& rows) {
  std::string out =
      "N° offre;Raison sociale;Siret;Code NAF;Intitulé du poste;Descriptif du poste;Codes ROME;"
      "Type de contrat;Date de début;Durée (mois);Nombre de postes;Niveau;Diplôme préparé;"
      "Code RNCP;Adresse;code postal;Ville;Nom du contact;Email du contact;"
      "Téléphone du contact;Fin de publication;Diffusion Pôle emploi;Date de modification\r\n";
  for (const auto& r : rows) out += r;
  return out;
}

std::string sigmaRow(const std::string& ref, const std::string& rome1 = "D1202") {
  return ref +
         ";COIFFURE FABRICE;73282932000074;9602A;Apprenti coiffeur;"
         "Salon mixte au centre-ville.\\nPrime d'intéressement.;" +
         rome1 +
         ";;;1;01/09/2026;24;1;V;CAP Coiffure;RNCP37455;3 place Saint-Corentin;;29000;Quimper;"
         "29232;Fabrice;fabrice@example.fr;02 98 00 00 00;;O;01/03/2026 18:30\r\n";
}

std::string sigmaFile(const std::vector<std::string>& rows) {
  std::string s =
      "#SIGMA;2;CMA29;02/03/2026 06:00\r\n"
      "REF;ENTREPRISE;SIRET;APE;POSTE;DESCRIPTIF;ROME1;ROME2;ROME3;CONTRAT;DEBUT;DUREE;POSTES;"
      "NIVEAU;DIPLOME;RNCP;ADR1;ADR2;CP;VILLE;INSEE;CONTACT;MAIL;TEL;FIN_PUBLI;PE;MAJ\r\n";
  for (const auto& r : rows) s += r;
  return s + "#FIN;" + std::to_string(rows.size()) + "\r\n";
}

// Runs the program; its output goes to `log`. Returns its exit status.
int runProgram(const std::string& args, const fs::path& log) {
  const std::string command = std::string("env -u JOURNAL_STREAM -u NOTIFY_SOCKET -u ") +
                              "PASSERELLE_CONFIG " + PASSERELLE_BINARY + " " + args + " >>" +
                              log.string() + " 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct TwoPartners {
  TestStore store;
  passerelle::testing::TestServer lba{"lba_server.py"};
  fs::path ymag = store.dir() / "ymag";
  fs::path sigma = store.dir() / "sigma";
  fs::path ft_spool = store.dir() / "ft-spool";
  fs::path config = store.dir() / "passerelle.toml";
  fs::path log = store.dir() / "passerelle.log";

  TwoPartners() {
    fs::create_directories(ymag);
    fs::create_directories(sigma);
    const fs::path key = store.dir() / "lba.key";
    writeText(key, "test-key\n");
    fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
    std::string text = "[store]\nurl = " + toml(store.url()) +
                       "\n\n[daemon]\nstate_dir = " + toml((store.dir() / "state").string()) +
                       "\n\n";
    text += "[[partner]]\nid = \"cfa-ymag\"\nformat = \"ymag\"\nurl = " +
            toml("file://" + ymag.string() + "/") + "\nstable_for = \"1s\"\n\n";
    text += "[[partner]]\nid = \"cma29\"\nformat = \"sigma\"\nsigma_code = \"CMA29\"\nurl = " +
            toml("file://" + sigma.string() + "/") + "\nstable_for = \"1s\"\n\n";
    text += "[destination.lba]\nenabled = true\nurl = " + toml(lba.url()) +
            "\napi_key_file = " + toml(key.string()) + "\n\n";
    text += "[destination.france_travail]\nenabled = true\nmode = \"spool\"\nspool_dir = " +
            toml(ft_spool.string()) +
            "\npartner_key = \"BRETAGNEALTERNANCE\"\npartner_name = \"Bretagne Alternance\"\n";
    writeText(config, text);
  }

  int once() { return runProgram("daemon --once --config " + config.string(), log); }
  std::string lastRun(const std::string& partner) {
    return store.scalar("SELECT max(id) FROM import_runs WHERE partner = '" + partner + "'");
  }
};

}  // namespace

TEST_CASE("reports: two partners, their files' reports and the state of their offers") {
  TwoPartners t;
  // cfa-ymag: 12 offers (one from a training body, one not shared with
  // France Travail, one with an e-mail that is ignored), a refused row.
  std::vector<std::string> rows;
  for (int i = 1; i <= 9; ++i) rows.push_back(ymagRow("Y-" + std::to_string(i)));
  rows.push_back(ymagRow("Y-10", "510 245 678 00014", "85.32Z"));
  rows.push_back(ymagRow("Y-11", "510 245 678 00014", "10.71C", "rh@example.fr", "Non"));
  rows.push_back(ymagRow("Y-12", "510 245 678 00014", "10.71C", "pas-une-adresse"));
  rows.push_back(ymagRow("Y-13", "510 245 678 00015"));  // Luhn fails: refused
  const std::string ymag_name = "YMAG_cfa-ymag_20261201060000.csv";
  writeText(t.ymag / ymag_name, ymagFile(rows));
  // cma29: two offers and a row whose only ROME code is invalid.
  const std::string sigma_name = "SIGMA_CMA29_20261201.csv";
  writeText(t.sigma / sigma_name,
            sigmaFile({sigmaRow("S-1"), sigmaRow("S-2"), sigmaRow("S-3", "XX")}));

  REQUIRE(t.once() == 0);

  // --- cfa-ymag's file report.
  const std::string ymag_report = slurp(t.ymag / "reports" / (ymag_name + ".report.csv"));
  CHECK(headerOf(ymag_report) == std::vector<std::string>{"ligne", "enregistrement", "reference",
                                                          "gravite", "colonne", "code", "message",
                                                          "valeur"});
  auto report = parseReport(ymag_report);
  REQUIRE(report.size() == 3);
  CHECK(report[0].at("gravite") == "synthese");
  CHECK(report[0].at("code") == "FICHIER_PRIS");
  CHECK(report[0].at("message") ==
        "Fichier pris en compte : 13 enregistrements lus, 12 offres prises, 1 ligne refusée, "
        "0 offre retirée car absente du fichier.");
  // Y-12, the 12th record, starts on line 1 + 11 * 3 + 1: descriptions span 3 lines.
  const Row* email = findRow(report, "reference", "Y-12");
  REQUIRE(email != nullptr);
  CHECK(email->at("ligne") == "35");
  CHECK(email->at("enregistrement") == "12");
  CHECK(email->at("gravite") == "avertissement");
  CHECK(email->at("colonne") == "Email du contact");
  CHECK(email->at("code") == "EMAIL_INVALID");
  const Row* siret = findRow(report, "reference", "Y-13");
  REQUIRE(siret != nullptr);
  CHECK(siret->at("ligne") == "38");
  CHECK(siret->at("enregistrement") == "13");
  CHECK(siret->at("gravite") == "erreur");
  CHECK(siret->at("colonne") == "Siret");  // as the partner's header writes it
  CHECK(siret->at("message").find("Vérifiez le SIRET") != std::string::npos);
  for (const Row& r : report) CHECK(r.at("gravite") != "info");

  // --- cma29's file report: ROME1..3 feed one field.
  auto sigma_report = parseReport(slurp(t.sigma / "reports" / (sigma_name + ".report.csv")));
  REQUIRE(sigma_report.size() == 2);
  CHECK(sigma_report[0].at("message").find("3 enregistrements lus, 2 offres prises, 1 ligne "
                                           "refusée") != std::string::npos);
  CHECK(sigma_report[1].at("reference") == "S-3");
  CHECK(sigma_report[1].at("ligne") == "5");
  CHECK(sigma_report[1].at("enregistrement") == "3");
  CHECK(sigma_report[1].at("colonne") == "ROME1, ROME2, ROME3");
  CHECK(sigma_report[1].at("code") == "ROME_INVALID");

  // --- The state of each partner's offers, after the pushes.
  const std::string ymag_state = slurp(t.ymag / "reports" / "etat-des-offres.csv");
  CHECK(headerOf(ymag_state) == std::vector<std::string>{"reference", "intitule", "statut",
                                                         "la_bonne_alternance", "france_travail",
                                                         "mise_a_jour"});
  auto state = parseReport(ymag_state);
  REQUIRE(state.size() == 12);  // the refused row is no offer
  const Row* y1 = findRow(state, "reference", "Y-1");
  REQUIRE(y1 != nullptr);
  CHECK(y1->at("intitule") == "Apprenti boulanger Y-1");
  CHECK(y1->at("statut") == "en ligne");
  CHECK(y1->at("la_bonne_alternance") == "en attente de publication");  // not processed yet
  CHECK(y1->at("france_travail").rfind("transmise le ", 0) == 0);
  CHECK(y1->at("france_travail").size() == std::string("transmise le JJ/MM/AAAA").size());
  CHECK(y1->at("mise_a_jour").size() == std::string("JJ/MM/AAAA HH:MM").size());
  CHECK(findRow(state, "reference", "Y-10")->at("la_bonne_alternance") ==
        "non envoyée : l'employeur est un organisme de formation (code NAF 85)");
  CHECK(findRow(state, "reference", "Y-11")->at("france_travail") ==
        "non diffusée (pas d'accord du partenaire)");
  auto sigma_state = parseReport(slurp(t.sigma / "reports" / "etat-des-offres.csv"));
  CHECK(sigma_state.size() == 2);

  // The service's processing refused Y-3 (its answer, as the lba connector
  // records it); the next push writes the state again with the reason.
  t.store.scalar(
      "UPDATE destination_offers SET publishing_status = 'WILL_NOT_BE_PUBLISHED',"
      " publishing_error_code = 'CFA', publishing_error_label = 'Organisme de formation',"
      " updated_at = now() WHERE partner = 'cfa-ymag' AND source_ref = 'Y-3'"
      " AND destination = 'lba' RETURNING 1");
  const auto sigma_written = fs::last_write_time(t.sigma / "reports" / "etat-des-offres.csv");
  REQUIRE(t.once() == 0);
  state = parseReport(slurp(t.ymag / "reports" / "etat-des-offres.csv"));
  CHECK(findRow(state, "reference", "Y-3")->at("la_bonne_alternance") ==
        "refusée : l'employeur est un organisme de formation");
  // cma29's state did not change: its report is not written again.
  CHECK(fs::last_write_time(t.sigma / "reports" / "etat-des-offres.csv") == sigma_written);

  // --- A file that would withdraw 11 of the 12 offers online: on hold.
  const std::string second = "YMAG_cfa-ymag_20261202060000.csv";
  writeText(t.ymag / second, ymagFile({ymagRow("Y-1")}));
  CHECK(t.once() == 0);
  const std::string held_run = t.lastRun("cfa-ymag");
  CHECK(t.store.scalar("SELECT outcome FROM import_runs WHERE id = " + held_run) == "quarantined");
  // The partner's file is out of the way, and its report says it is on hold.
  CHECK(fs::exists(t.ymag / "done" / second));
  auto held = parseReport(slurp(t.ymag / "reports" / (second + ".report.csv")));
  REQUIRE(!held.empty());
  CHECK(held[0].at("code") == "FICHIER_EN_ATTENTE");
  CHECK(held[0].at("message") ==
        "Fichier mis en attente : il retirerait 11 de vos 12 offres en ligne. L'équipe du "
        "portail va le vérifier avant de l'appliquer ; d'ici là rien n'a changé et vos offres "
        "restent en ligne (1 enregistrement lu, 0 ligne refusée).");
  CHECK(t.store.count("SELECT count(*) FROM offers WHERE partner = 'cfa-ymag' AND status = "
                      "'active'") == 12);

  // --- The portal's team approves it: the report says so, with the outcome.
  REQUIRE(runProgram("approve --run " + held_run + " --yes --config " + t.config.string(), t.log) ==
          0);
  auto applied = parseReport(slurp(t.ymag / "reports" / (second + ".report.csv")));
  REQUIRE(!applied.empty());
  CHECK(applied[0].at("code") == "FICHIER_APPLIQUE");
  CHECK(applied[0].at("message").rfind("Fichier mis en attente puis vérifié et appliqué par "
                                       "l'équipe du portail le ",
                                       0) == 0);
  CHECK(applied[0].at("message").find(": 1 enregistrement lu, 1 offre prise, 0 ligne refusée, "
                                      "11 offres retirées car absentes du fichier.") !=
        std::string::npos);

  // The closes are pushed; the state shows the withdrawn offers.
  REQUIRE(t.once() == 0);
  state = parseReport(slurp(t.ymag / "reports" / "etat-des-offres.csv"));
  CHECK(state.size() == 12);  // withdrawn today: still listed for 30 days
  const Row* y2 = findRow(state, "reference", "Y-2");
  REQUIRE(y2 != nullptr);
  CHECK(y2->at("statut") == "retirée");
  CHECK(y2->at("la_bonne_alternance") == "fermée");
  CHECK(y2->at("france_travail").rfind("retirée le ", 0) == 0);
  CHECK(findRow(state, "reference", "Y-1")->at("statut") == "en ligne");

  // --- cma29 drops an empty export: on hold, then set aside.
  const std::string empty = "SIGMA_CMA29_20261202.csv";
  writeText(t.sigma / empty, sigmaFile({}));
  CHECK(t.once() == 0);
  const std::string empty_run = t.lastRun("cma29");
  auto empty_report = parseReport(slurp(t.sigma / "reports" / (empty + ".report.csv")));
  CHECK(empty_report[0].at("message").rfind(
            "Fichier mis en attente : il ne contient aucune offre et retirerait vos 2 offres en "
            "ligne.",
            0) == 0);
  REQUIRE(runProgram("set-aside --run " + empty_run + " --yes --config " + t.config.string(),
                     t.log) == 0);
  auto set_aside = parseReport(slurp(t.sigma / "reports" / (empty + ".report.csv")));
  CHECK(set_aside[0].at("code") == "FICHIER_ECARTE");
  CHECK(set_aside[0].at("message").find("Il n'a pas été appliqué") != std::string::npos);
  // Approving it afterwards is refused; nothing was withdrawn.
  CHECK(runProgram("approve --run " + empty_run + " --yes --config " + t.config.string(), t.log) ==
        2);
  CHECK(t.store.count("SELECT count(*) FROM offers WHERE partner = 'cma29' AND status = "
                      "'active'") == 2);
}

TEST_CASE("reports: a decision the partner's folder cannot take now is written by the next poll") {
  TwoPartners t;
  std::vector<std::string> rows;
  for (int i = 1; i <= 12; ++i) rows.push_back(ymagRow("Y-" + std::to_string(i)));
  writeText(t.ymag / "YMAG_cfa-ymag_20261201060000.csv", ymagFile(rows));
  REQUIRE(t.once() == 0);
  const std::string second = "YMAG_cfa-ymag_20261202060000.csv";
  writeText(t.ymag / second, ymagFile({ymagRow("Y-1")}));
  CHECK(t.once() == 0);
  const std::string held_run = t.lastRun("cfa-ymag");

  // The reports folder cannot be written when the operator decides (a file
  // stands where it should be: root could write through any permission).
  CHECK(parseReport(slurp(t.ymag / "reports" / (second + ".report.csv")))[0].at("code") ==
        "FICHIER_EN_ATTENTE");
  fs::remove_all(t.ymag / "reports");
  writeText(t.ymag / "reports", "");
  REQUIRE(runProgram("set-aside --run " + held_run + " --yes --config " + t.config.string(),
                     t.log) == 0);
  CHECK(t.store.scalar("SELECT report_due FROM import_runs WHERE id = " + held_run) == "t");
  CHECK(slurp(t.log).find("the next poll writes the report") != std::string::npos);
  fs::remove(t.ymag / "reports");
  REQUIRE(t.once() == 0);
  CHECK(t.store.scalar("SELECT report_due FROM import_runs WHERE id = " + held_run) == "f");
  CHECK(parseReport(slurp(t.ymag / "reports" / (second + ".report.csv")))[0].at("code") ==
        "FICHIER_ECARTE");
}

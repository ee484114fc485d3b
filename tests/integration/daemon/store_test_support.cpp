#include "tests/integration/daemon/store_test_support.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>

#include <doctest/doctest.h>

#include "daemon/store/store_connection.h"
#include "daemon/store/store_migrations.h"

namespace passerelle::store_test {
namespace {

std::string adminUrl() {
  const char* url = std::getenv("PASSERELLE_TEST_DATABASE_URL");
  if (url == nullptr || *url == '\0') {
    FAIL(
        "PASSERELLE_TEST_DATABASE_URL is not set: the store tests need a PostgreSQL server. "
        "Run tests/run-all, or `source tests/support/start-postgres` first.");
  }
  return url;
}

// The same URI with another database name (the path after the authority).
std::string withDatabase(const std::string& url, const std::string& database) {
  const std::size_t scheme = url.find("://");
  const std::size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const std::size_t query = url.find('?');
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  return url.substr(0, path == std::string::npos ? url.size() : path) + "/" + database + tail;
}

}  // namespace

TestStore::TestStore() : admin_url_(adminUrl()) {
  static std::atomic<int> counter{0};
  name_ = "pt_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_);
    tx.exec("CREATE DATABASE " + name_);
  }
  url_ = withDatabase(admin_url_, name_);
  connection_ = connect();
  daemon::migrate(*connection_);
  dir_ = std::filesystem::temp_directory_path() / ("passerelle-store-test-" + name_);
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

TestStore::~TestStore() {
  connection_.reset();
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // Left behind on a throwaway server: harmless.
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::unique_ptr<pqxx::connection> TestStore::connect() const {
  return daemon::openStore(url_);
}

std::string TestStore::writeFile(const std::string& name, const std::string& content) const {
  const std::filesystem::path path = dir_ / name;
  std::ofstream out(path, std::ios::binary);
  out << content;
  return path.string();
}

daemon::ImportRequest TestStore::request(const std::string& partner, const std::string& format,
                                         const std::string& path) const {
  daemon::ImportRequest request;
  request.partner = partner;
  request.format = format;
  request.path = path;
  request.quarantine_dir = (dir_ / "quarantine").string();
  request.today = "2026-03-10";
  return request;
}

daemon::ImportResult TestStore::import(const std::string& partner, const std::string& format,
                                       const std::string& path) {
  return import(request(partner, format, path));
}

daemon::ImportResult TestStore::import(const daemon::ImportRequest& request) {
  daemon::OfferImport import(*connection_, clock_);
  return import.importFile(request);
}

std::string TestStore::scalar(const std::string& sql) {
  pqxx::nontransaction tx(*connection_);
  pqxx::result r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].c_str();
}

std::string TestStore::storeFingerprint() {
  return scalar(
      "SELECT concat_ws('|',"
      " (SELECT md5(coalesce(string_agg(partner || source_ref || status || content_hash ||"
      "   last_changed::text || xmin::text, ',' ORDER BY partner, source_ref), '')) FROM offers),"
      " (SELECT count(*) FROM offer_history), (SELECT count(*) FROM import_runs),"
      " (SELECT count(*) FROM file_ledger), (SELECT count(*) FROM outbox_movements),"
      " (SELECT count(*) FROM run_rejects), (SELECT count(*) FROM run_warnings))");
}

std::string ymagFile(const std::vector<YmagRow>& rows) {
  std::string out =
      "N° offre;Raison sociale;SIRET;Code NAF;Intitulé du poste;Descriptif du poste;Codes ROME;"
      "Type de contrat;Date de début;Durée (mois);Nombre de postes;Niveau;Diplôme préparé;"
      "Code RNCP;Adresse;Code postal;Ville;Nom du contact;Email du contact;"
      "Téléphone du contact;Fin de publication;Diffusion Pôle emploi;Date de modification\r\n";
  for (const YmagRow& r : rows) {
    out += r.ref + ";BOULANGERIE DU SILLON;" + r.siret + ";10.71C;" + r.title + ";" +
           r.description + ";" + r.rome +
           ";Contrat d'apprentissage;01/09/2026;24;1;CAP;CAP Boulanger;RNCP37861;"
           "2 rue du Sillon;" +
           r.postal_code + ";Saint-Malo;Anne Le Gall;" + r.email + ";" + r.phone + ";" + r.expires +
           ";Oui;" + r.updated + "\r\n";
  }
  return out;
}

std::vector<YmagRow> ymagRows(int first, int count, const std::string& title) {
  std::vector<YmagRow> rows;
  for (int i = first; i < first + count; ++i) {
    YmagRow row;
    row.ref = "Y-" + std::to_string(i);
    row.title = title + " " + std::to_string(i);
    rows.push_back(row);
  }
  return rows;
}

std::string gilFile(const std::vector<GilRow>& rows) {
  std::string out =
      "\"ACTION\",\"ID_OFFRE\",\"SIRET\",\"RAISON_SOCIALE\",\"CODE_NAF\",\"LIBELLE_POSTE\","
      "\"DESCRIPTION\",\"CODES_ROME\",\"NATURE_CONTRAT\",\"DATE_DEBUT\",\"DUREE_MOIS\","
      "\"NB_POSTES\",\"NIVEAU_EU\",\"LIBELLE_DIPLOME\",\"RNCP\",\"ADRESSE\",\"CODE_POSTAL\","
      "\"COMMUNE\",\"CODE_INSEE\",\"CONTACT_NOM\",\"CONTACT_MAIL\",\"CONTACT_TEL\","
      "\"DATE_FIN_DIFFUSION\",\"DIFFUSION_FT\",\"MAJ\"\n";
  for (const GilRow& r : rows) {
    if (r.action == "S") {
      out += "\"S\",\"" + r.ref + "\",";
      for (int i = 0; i < 22; ++i) out += "\"\",";
      out += "\"" + r.updated + "\"\n";
      continue;
    }
    out += "\"" + r.action + "\",\"" + r.ref +
           "\",\"32601234500020\",\"SOCAH HYDRAULIQUE\","
           "\"2812Z\",\"" +
           r.title +
           "\",\"Maintenance préventive\",\"I1304|I1310\",\"PRO\","
           "\"2026-10-01\",\"12\",\"2\",\"5\",\"BTS Maintenance\",\"RNCP35323\",\"ZI de Kerpont\","
           "\"56850\",\"Caudan\",\"56036\",\"\",\"rh@socah.example\",\"0297000000\","
           "\"2027-01-15\",\"1\",\"" +
           r.updated + "\"\n";
  }
  return out;
}

std::string fixture(const std::string& name) {
  return std::string(PASSERELLE_STORE_FIXTURES_DIR) + "/" + name;
}

}  // namespace passerelle::store_test

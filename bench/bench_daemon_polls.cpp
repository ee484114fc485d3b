// bench_daemon_polls: the daemon's memory over many polls (issue 4: "memory
// flat over 10,000 polls").
//
// Runs DropFolderPoller::poll N times (default 10,000) against a file://
// folder holding a few Ymag files already taken (after = "keep", so every
// poll lists the folder, reads the ledger and skips them all), with a real
// store: a database of its own, created and migrated on the server of the URL
// given (argv[1] or $PASSERELLE_TEST_DATABASE_URL) and dropped at the end.
// Each poll opens its store connection and its folder as the daemon does. A
// ManualClock stands for time. Prints the resident set size (from
// /proc/self/statm) every 1,000 polls and the time per poll.
//
//   build/bench/bench_daemon_polls [DATABASE_URL] [POLLS]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/log/event_log.h"
#include "daemon/service/drop_folder_poller.h"
#include "daemon/store/store_connection.h"
#include "daemon/store/store_migrations.h"

using namespace passerelle;
namespace fs = std::filesystem;

namespace {

long rssKiB() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

std::string withDatabase(const std::string& url, const std::string& database) {
  const std::size_t scheme = url.find("://");
  const std::size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const std::size_t query = url.find('?');
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  return url.substr(0, path == std::string::npos ? url.size() : path) + "/" + database + tail;
}

std::string ymagFile(int first, int count) {
  std::string out =
      "N° offre;Raison sociale;SIRET;Code NAF;Intitulé du poste;Descriptif du poste;Codes ROME;"
      "Type de contrat;Date de début;Durée (mois);Nombre de postes;Niveau;Diplôme préparé;"
      "Code RNCP;Adresse;Code postal;Ville;Nom du contact;Email du contact;"
      "Téléphone du contact;Fin de publication;Diffusion Pôle emploi;Date de modification\r\n";
  for (int i = first; i < first + count; ++i) {
    out += "B-" + std::to_string(i) + ";BOULANGERIE DU SILLON;510 245 678 00014;10.71C;Vendeur " +
           std::to_string(i) +
           ";Fabrication du pain.;D1106;Contrat d'apprentissage;01/09/2026;24;1;CAP;"
           "CAP Boulanger;RNCP37861;2 rue du Sillon;35000;Saint-Malo;Anne Le Gall;"
           "contact@example.fr;02 99 40 00 00;31/12/2030;Oui;02/03/2026 14:05:00\r\n";
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const char* env_url = std::getenv("PASSERELLE_TEST_DATABASE_URL");
  const std::string admin_url = argc > 1 ? argv[1] : (env_url != nullptr ? env_url : "");
  const long polls = argc > 2 ? std::atol(argv[2]) : 10'000;
  if (admin_url.empty()) {
    std::fprintf(stderr,
                 "usage: bench_daemon_polls DATABASE_URL [POLLS]\n"
                 "(or set PASSERELLE_TEST_DATABASE_URL)\n");
    return 64;
  }
  daemon::EventLog::configure(daemon::LogOutput::kText, daemon::LogLevel::kWarning);

  const std::string db = "bench_polls_" + std::to_string(::getpid());
  {
    pqxx::connection admin(admin_url);
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + db);
  }
  const std::string url = withDatabase(admin_url, db);
  const fs::path dir = fs::temp_directory_path() / db;
  int rc = 0;
  try {
    daemon::migrate(*daemon::openStore(url));
    const fs::path drop = dir / "drop";
    fs::create_directories(drop);
    for (int i = 0; i < 4; ++i) {
      std::ofstream(drop / ("YMAG_bench_2026030" + std::to_string(i + 1) + "060000.csv"),
                    std::ios::binary)
          << ymagFile(1, 20 + i);
    }

    daemon::Config config;
    config.daemon.state_dir = (dir / "state").string();
    config.daemon.spool_dir = (dir / "state" / "spool").string();
    daemon::PartnerConfig p;
    p.id = "bench";
    p.format = "ymag";
    p.url = "file://" + drop.string() + "/";
    p.tls = connectors::DropTls::kNone;
    p.after = daemon::AfterImport::kKeep;
    config.partners.push_back(p);

    connectors::ManualClock clock;
    const connectors::FakeHost host;  // no password file, no environment
    daemon::DropFolderPoller poller(std::make_shared<const daemon::Config>(config),
                                    config.partners[0], url, host, clock);
    const passerelle::connectors::StopSignal running;
    // The files are taken by the first polls (two listings stable_for apart).
    poller.run(running, true);
    {
      auto store = daemon::openStore(url);
      pqxx::read_transaction tx(*store);
      std::printf("files taken before the loop: %ld (import_runs)\n",
                  tx.exec1("SELECT count(*) FROM import_runs")[0].as<long>());
    }
    std::printf("%8s %10s %12s\n", "polls", "RSS KiB", "ms/poll");
    std::printf("%8d %10ld %12s\n", 0, rssKiB(), "-");
    auto lap = std::chrono::steady_clock::now();
    const auto start = lap;
    for (long i = 1; i <= polls; ++i) {
      clock.advance(std::chrono::seconds(60));
      auto outcome = poller.run(running, false);
      if (!outcome.ok) {
        std::fprintf(stderr, "poll %ld failed: %s\n", i, outcome.summary.c_str());
        rc = 2;
        break;
      }
      if (i % 1000 == 0) {
        auto now = std::chrono::steady_clock::now();
        std::printf("%8ld %10ld %12.3f\n", i, rssKiB(),
                    std::chrono::duration<double, std::milli>(now - lap).count() / 1000.0);
        std::fflush(stdout);
        lap = now;
      }
    }
    auto store = daemon::openStore(url);
    pqxx::read_transaction tx(*store);
    std::printf("total %.1f s; import_runs after the loop: %ld\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                tx.exec1("SELECT count(*) FROM import_runs")[0].as<long>());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_daemon_polls: %s\n", e.what());
    rc = 2;
  }
  try {
    pqxx::connection admin(admin_url);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
  } catch (const std::exception&) {
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return rc;
}

// bench_lba_backlog: how long withdrawn offers stay online under a backlog
// (issue 10, lba.md "Order under backlog"): the write quota (30 a minute) is
// the portal's bottleneck, so closes must not wait behind thousands of
// changes.
//
// One day's snapshot changes every offer of a partner and withdraws some:
// a backlog of changes and closes. It is drained through the real LbaPush
// against tests/servers/lba_server.py (no server quota: the client's own
// 30-a-minute limiter holds, on a ManualClock, so simulated time is the
// quota's time and the run takes seconds). Measured, in simulated minutes:
// the time until the last close was sent, and until the backlog was empty;
// twice in one run, with the claims' priority (closes first) and with every
// movement at one priority (the claims' old order, by id) as the baseline.
//
//   build/bench/bench_lba_backlog [DATABASE_URL] [OFFERS] [WITHDRAWN]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"
#include "connectors/http/rate_limiter.h"
#include "connectors/lba/lba_client.h"
#include "daemon/destinations/lba/lba_push.h"
#include "daemon/log/event_log.h"
#include "daemon/store/offer_import.h"
#include "daemon/store/outbox.h"
#include "daemon/store/store_migrations.h"

using namespace passerelle;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string ymagFile(int offers, int skip_first, const std::string& title_suffix) {
  std::string out =
      "N° offre;Raison sociale;SIRET;Code NAF;Intitulé du poste;Descriptif du poste;Codes ROME;"
      "Type de contrat;Date de début;Durée (mois);Nombre de postes;Niveau;Diplôme préparé;"
      "Code RNCP;Adresse;Code postal;Ville;Nom du contact;Email du contact;"
      "Téléphone du contact;Fin de publication;Diffusion Pôle emploi;Date de modification\r\n";
  for (int i = skip_first + 1; i <= offers; ++i) {
    out += "B-" + std::to_string(i) + ";BOULANGERIE DU SILLON;510 245 678 00014;10.71C;Vendeur " +
           std::to_string(i) + title_suffix +
           ";\"Fabrication du pain ; viennoiseries, horaires 4h-11h.\";D1106;"
           "Contrat d'apprentissage;01/09/2027;24;1;CAP;CAP Boulanger;RNCP37861;2 rue du Sillon;"
           "35000;Saint-Malo;Anne Le Gall;contact@example.fr;02 99 40 00 00;31/12/2030;Oui;"
           "02/03/2026 14:05:00\r\n";
  }
  return out;
}

void import(pqxx::connection& db, connectors::Clock& clock, const fs::path& dir,
            const std::string& name, const std::string& content) {
  const fs::path path = dir / name;
  std::ofstream(path, std::ios::binary) << content;
  daemon::ImportRequest request;
  request.partner = "cfa-bench";
  request.format = "ymag";
  request.path = path.string();
  request.quarantine_dir = (dir / "quarantine").string();
  daemon::OfferImport(db, clock).importFile(request);
}

struct Result {
  double last_close_minutes = 0;
  double drained_minutes = 0;
  long requests = 0;
};

// One scenario on a database of its own.
Result run(const std::string& admin_url, const std::string& server_url, int offers, int withdrawn,
           bool priority) {
  const std::string db_name =
      std::string("bench_backlog_") + (priority ? "p" : "f") + "_" + std::to_string(::getpid());
  {
    pqxx::connection admin(admin_url);
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + db_name);
  }
  const std::string url = admin_url.substr(0, admin_url.rfind('/') + 1) + db_name;
  Result result;
  {
    pqxx::connection db(url);
    daemon::migrate(db);
    connectors::ManualClock clock;
    const fs::path dir = fs::temp_directory_path() / db_name;
    fs::create_directories(dir);
    connectors::RateLimiter limiter(clock);  // 30 writes a minute, 1 s margin
    connectors::LbaClientSettings settings;
    settings.base_url = server_url;
    settings.api_key = "test-key";
    connectors::LbaClient client(settings, clock, limiter);
    daemon::Outbox outbox(clock, daemon::OutboxSettings{}, "bench");
    daemon::LbaPush push(db, client, outbox, {});
    // Day 1 as if long sent: every offer accepted by the service.
    import(db, clock, dir, "YMAG_cfa-bench_20260301060000.csv", ymagFile(offers, 0, ""));
    {
      pqxx::work tx(db);
      tx.exec(
          "INSERT INTO destination_offers (partner, source_ref, destination, service_id,"
          " accepted_hash) SELECT partner, source_ref, 'lba',"
          " substr(md5(source_ref), 1, 24), 'day-1' FROM offers");
      tx.exec("UPDATE outbox_movements SET state = 'sent'");
      tx.commit();
    }
    // Day 2: every offer changed, the first `withdrawn` gone.
    import(db, clock, dir, "YMAG_cfa-bench_20260302060000.csv",
           ymagFile(offers, withdrawn, " confirmé"));
    if (!priority) {
      pqxx::work tx(db);
      tx.exec("UPDATE outbox_movements SET priority = 2");
      // The old order by id: changes were queued before withdrawals.
      tx.exec("UPDATE outbox_movements SET id = id + 10000000 WHERE kind = 'close'");
      tx.commit();
    }
    const auto start = clock.now();
    for (;;) {
      const daemon::PushCounts c = push.runBatch();
      result.requests += c.sent + c.retried + c.failed;
      pqxx::read_transaction tx(db);
      const long closes_left =
          tx.exec1(
                "SELECT count(*) FROM outbox_movements WHERE destination = 'lba'"
                " AND kind = 'close' AND state IN ('pending', 'in_flight')")[0]
              .as<long>();
      const double minutes = std::chrono::duration<double>(clock.now() - start).count() / 60;
      if (closes_left == 0 && result.last_close_minutes == 0) result.last_close_minutes = minutes;
      if (c.claimed == 0) {
        result.drained_minutes = minutes;
        break;
      }
    }
    fs::remove_all(dir);
  }
  pqxx::connection admin(admin_url);
  pqxx::nontransaction tx(admin);
  tx.exec("DROP DATABASE IF EXISTS " + db_name + " WITH (FORCE)");
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  const char* env_url = std::getenv("PASSERELLE_TEST_DATABASE_URL");
  const std::string admin_url = argc > 1 ? argv[1] : (env_url != nullptr ? env_url : "");
  const int offers = argc > 2 ? std::atoi(argv[2]) : 2000;
  const int withdrawn = argc > 3 ? std::atoi(argv[3]) : 200;
  const char* server_url = std::getenv("PASSERELLE_BENCH_LBA_URL");
  if (admin_url.empty() || server_url == nullptr) {
    std::fprintf(stderr,
                 "usage: PASSERELLE_BENCH_LBA_URL=http://127.0.0.1:PORT bench_lba_backlog "
                 "DATABASE_URL [OFFERS] [WITHDRAWN]\n(lba_server.py started with a high "
                 "--write-quota; see bench/README.md)\n");
    return 64;
  }
  daemon::EventLog::configure(daemon::LogOutput::kText, daemon::LogLevel::kError);
  const Result fifo = run(admin_url, server_url, offers, withdrawn, false);
  const Result prio = run(admin_url, server_url, offers, withdrawn, true);
  std::printf(
      "backlog: %d changes and %d closes at 30 writes a minute (simulated time)\n"
      "  by id (baseline): last close after %.1f min, drained after %.1f min, %ld requests\n"
      "  closes first:     last close after %.1f min, drained after %.1f min, %ld requests\n",
      offers - withdrawn, withdrawn, fifo.last_close_minutes, fifo.drained_minutes, fifo.requests,
      prio.last_close_minutes, prio.drained_minutes, prio.requests);
  return 0;
}

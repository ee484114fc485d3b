#include "daemon/cli/reconcile_command.h"

#include "daemon/service/destination_jobs.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "connectors/http/rate_limiter.h"
#include "connectors/lba/lba_client.h"
#include "daemon/cli/store_commands.h"
#include "daemon/destinations/france_travail/france_travail_push.h"
#include "daemon/destinations/lba/lba_push.h"
#include "daemon/log/event_log.h"
#include "daemon/store/outbox.h"
#include "daemon/store/reconciliation.h"
#include "daemon/store/store_connection.h"

namespace passerelle::daemon {
namespace {

namespace pc = passerelle::connectors;

struct ReconcileCommandOptions {
  std::optional<std::string> config_path;
  bool dry_run = false;
  bool full_stock = false;
};

// lba's state, refreshed as runLbaPush() does (destination_jobs.cpp), without
// draining the queue: that is the daemon's (or `passerelle push`'s) work.
void refreshLba(pqxx::connection& store, const Config& config, const pc::Host& host,
                pc::Clock& clock, ReconcileCounts& counts) {
  {
    pqxx::read_transaction tx(store);
    const pqxx::result paused = tx.exec_params(
        "SELECT 1 FROM destination_status WHERE destination = $1 AND paused_reason IS NOT NULL",
        std::string(kLbaDestination));
    if (!paused.empty()) {
      logWarning("reconcile: lba is paused, its state was not refreshed",
                 {{"destination", kLbaDestination}});
      return;
    }
  }
  LbaWorker worker(store, config, host, clock, "reconcile-lba");
  LbaPush& push = worker.push();
  counts.rolling_queued = push.queueRollingRefresh();
  counts.publishing_read = push.refreshPublishingStatus();
}

int runReconcile(const ReconcileCommandOptions& o, const pc::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  pc::SystemClock clock;
  ReconcileOptions options;
  options.dry_run = o.dry_run;
  if (o.full_stock) options.full_stock_destinations = {kFranceTravailDestination};
  if (o.full_stock && !session.config.france_travail.enabled)
    logWarning("reconcile: france-travail is not enabled; the full stock waits in its queue",
               {{"destination", kFranceTravailDestination}});
  DestinationRefresh refresh;
  if (session.config.lba.enabled) {
    refresh = [&](pqxx::connection& store, ReconcileCounts& counts) {
      refreshLba(store, session.config, host, clock, counts);
    };
  }
  const ReconcileResult r = reconcile(*session.connection, clock, options, refresh);
  if (!r.ran) {
    logInfo("reconcile skipped: another reconciliation is running");
    return kExitOk;
  }
  const ReconcileCounts& c = r.counts;
  logInfo(o.dry_run ? "reconcile done (dry run, nothing changed)" : "reconcile done",
          {{"reconcile_run", static_cast<long long>(r.run_id)},
           {"drift", r.drift() ? "yes" : "no"},
           {"expired", c.expired},
           {"stuck_requeued", c.stuck_requeued},
           {"stuck_superseded", c.stuck_superseded},
           {"failed_requeued", c.failed_requeued},
           {"failed_superseded", c.failed_superseded},
           {"rolling_queued", c.rolling_queued},
           {"publishing_read", c.publishing_read},
           {"full_stock_queued", c.full_stock_queued},
           {"lba_refresh", o.dry_run || !session.config.lba.enabled ? "skipped" : "done"}});
  return r.drift() ? kExitRejects : kExitOk;
}

}  // namespace

void addReconcileCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host) {
  auto options = std::make_shared<ReconcileCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "reconcile", "Expire due offers, re-queue stuck movements, refresh destination state");
  command->add_option("--config", options->config_path, "Configuration file");
  command->add_flag("--dry-run", options->dry_run, "Report what would be fixed; change nothing");
  command->add_flag("--full-stock", options->full_stock,
                    "Queue the complete stock for France Travail");
  command->callback([options, &status, &host] {
    status.code = runGuarded("reconcile", {}, [&] { return runReconcile(*options, host); });
  });
}

}  // namespace passerelle::daemon

#include "daemon/cli/reconcile_command.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "daemon/cli/store_commands.h"
#include "daemon/destinations/registry.h"
#include "daemon/log/event_log.h"
#include "daemon/store/destination_state.h"
#include "daemon/store/job_lease.h"
#include "daemon/store/outbox.h"
#include "daemon/store/reconciliation.h"
#include "formats/paris_time.h"

namespace passerelle::daemon {
namespace {

namespace pc = passerelle::connectors;

struct ReconcileCommandOptions {
  std::optional<std::string> config_path;
  bool dry_run = false;
  bool full_stock = false;
  bool json = false;
  bool nightly = false;
};

// The night's slot: the Europe/Paris calendar day, at its midnight. The
// timers of two servers sharing a store fire the same night, at random
// minutes (RandomizedDelaySec): both name this slot, and the first takes it.
connectors::Clock::WallTime nightlySlot(const pc::Clock& clock) {
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  formats::CivilDateTime midnight;
  midnight.date = formats::parisLocalFromUnix(now).date;
  return connectors::Clock::WallTime(std::chrono::seconds(formats::unixFromParisLocal(midnight)));
}

// A reconciliation runs for hours at most (the unit's TimeoutStartSec=2h):
// a server that died during it leaves the night's slot to the next night.
constexpr auto kNightlyLease = std::chrono::hours(2);
constexpr const char* kNightlyJob = "reconcile";

// What a reconciliation did, as the one JSON object `--json` prints; the
// text form prints the same fields, one line each.
nlohmann::ordered_json reconcileJson(const ReconcileResult& r, bool dry_run, bool refreshed) {
  const ReconcileCounts& c = r.counts;
  nlohmann::ordered_json j;
  j["ran"] = r.ran;
  j["reconcile_run"] = r.run_id;
  j["dry_run"] = dry_run;
  j["drift"] = r.drift();
  j["expired"] = c.expired;
  j["stuck_requeued"] = c.stuck_requeued;
  j["stuck_superseded"] = c.stuck_superseded;
  j["failed_requeued"] = c.failed_requeued;
  j["failed_superseded"] = c.failed_superseded;
  j["rolling_queued"] = c.rolling_queued;
  j["publishing_read"] = c.publishing_read;
  j["full_stock_queued"] = c.full_stock_queued;
  j["audited"] = c.audited;
  j["audit_closed"] = c.audit_closed;
  j["audit_resent"] = c.audit_resent;
  j["destinations_refreshed"] = refreshed;
  return j;
}

void printReconcile(const nlohmann::ordered_json& j, bool json) {
  if (json) {
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  if (!j["ran"].get<bool>()) {
    std::printf("nothing done: another reconciliation is running\n");
    return;
  }
  std::printf("reconcile run %lld%s: %s\n", j["reconcile_run"].get<long long>(),
              j["dry_run"].get<bool>() ? " (dry run, nothing changed)" : "",
              j["drift"].get<bool>() ? "drift found" : "no drift");
  for (const auto& [key, value] : j.items()) {
    if (key == "ran" || key == "reconcile_run" || key == "dry_run" || key == "drift") continue;
    std::printf("  %-22s %s\n", key.c_str(), value.dump().c_str());
  }
}

// Each enabled destination's side of the state refreshed, without draining
// its queue: that is the daemon's (or `passerelle push`'s) work. A paused
// destination is left alone: its key was refused.
void refreshDestinations(pqxx::connection& store,
                         const std::vector<std::unique_ptr<Destination>>& destinations,
                         ReconcileCounts& counts) {
  for (const auto& destination : destinations) {
    std::optional<std::string> paused;
    {
      pqxx::read_transaction tx(store);
      paused = pausedReason(tx, destination->name());
    }
    if (paused) {
      logWarning("reconcile: destination paused, its state was not refreshed",
                 {{"destination", destination->name()}});
      continue;
    }
    destination->refresh(store, counts);
  }
}

int runReconcile(const ReconcileCommandOptions& o, const pc::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  pc::SystemClock clock;
  const JobLeases slots(clock, makeWorkerId("reconcile"), kNightlyLease);
  const auto slot = nightlySlot(clock);
  if (o.nightly) {
    pqxx::work tx(*session.connection);
    const JobSlotState taken = slots.take(tx, kNightlyJob, slot);
    tx.commit();
    if (taken.state != JobSlot::kTaken) {
      const std::string why = taken.state == JobSlot::kDone
                                  ? "tonight's reconciliation already ran"
                                  : "tonight's reconciliation is running on " + taken.owner;
      std::printf("nothing done: %s\n", why.c_str());
      logInfo("reconcile skipped: the night's slot is taken", {{"reason", why}});
      return kExitOk;
    }
  }
  // The slot goes back if this run fails, so that a retry (this server's
  // or another's) may take it.
  auto settleSlot = [&](bool ran) {
    if (!o.nightly) return;
    pqxx::work tx(*session.connection);
    if (ran)
      slots.finish(tx, kNightlyJob, slot);
    else
      slots.release(tx, kNightlyJob, slot);
    tx.commit();
  };
  const auto destinations = enabledDestinations(session.config, host, clock);
  ReconcileOptions options;
  options.dry_run = o.dry_run;
  if (o.full_stock) {
    for (const auto& d : destinations)
      if (d->takesFullStock()) options.full_stock_destinations.push_back(d->name());
    if (options.full_stock_destinations.empty())
      logWarning("reconcile: no enabled destination takes a full stock; nothing queued");
  }
  DestinationRefresh refresh;
  if (!destinations.empty()) {
    refresh = [&](pqxx::connection& store, ReconcileCounts& counts) {
      refreshDestinations(store, destinations, counts);
    };
  }
  ReconcileResult r;
  try {
    r = reconcile(*session.connection, clock, options, refresh);
  } catch (...) {
    settleSlot(false);
    throw;
  }
  settleSlot(r.ran);
  const bool refreshed = !o.dry_run && !destinations.empty();
  printReconcile(reconcileJson(r, o.dry_run, refreshed), o.json);
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
           {"audited", c.audited},
           {"audit_closed", c.audit_closed},
           {"audit_resent", c.audit_resent},
           {"refresh", refreshed ? "done" : "skipped"}});
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
  command->add_flag("--json", options->json, "What it did, as one JSON object");
  command
      ->add_flag("--nightly", options->nightly,
                 "The scheduled run: once a night across the servers sharing the store"
                 " (the timer's); does nothing if tonight's already ran or runs elsewhere")
      ->excludes("--dry-run");
  command->callback([options, &status, &host] {
    status.code = runGuarded("reconcile", {}, [&] { return runReconcile(*options, host); });
  });
}

}  // namespace passerelle::daemon

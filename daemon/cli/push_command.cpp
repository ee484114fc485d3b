#include "daemon/cli/push_command.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "connectors/france_travail/france_travail_client.h"
#include "connectors/host/clock.h"
#include "connectors/http/rate_limiter.h"
#include "connectors/lba/lba_client.h"
#include "daemon/cli/store_commands.h"
#include "daemon/destinations/france_travail/france_travail_push.h"
#include "daemon/destinations/lba/lba_push.h"
#include "daemon/service/destination_jobs.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

namespace {

struct PushOptions {
  std::optional<std::string> config_path;
  std::optional<std::string> destination;
  bool once = false;
};

struct RetryOptions {
  std::optional<std::string> config_path;
  std::optional<std::string> destination;
};

void printCounts(const std::string& destination, const PushCounts& c) {
  std::printf(
      "push %s claimed=%ld sent=%ld unchanged=%ld not_eligible=%ld retried=%ld failed=%ld"
      " released=%ld%s\n",
      destination.c_str(), c.claimed, c.sent, c.unchanged, c.not_eligible, c.retried, c.failed,
      c.released, c.paused ? " paused" : "");
}

int pushLba(StoreSession& session, const pc::Host& host, pc::Clock& clock, bool once) {
  PushCounts counts = runLbaPush(*session.connection, session.config, host, clock, once);
  printCounts(kLbaDestination, counts);
  return pushExitCode(counts);
}

int pushFranceTravail(StoreSession& session, const pc::Host& host, pc::Clock& clock) {
  const FtBatchResult result =
      runFranceTravailPush(*session.connection, session.config, host, clock);
  printCounts(kFranceTravailDestination, result.counts);
  if (result.rows > 0) {
    std::printf("file %s rows=%ld %s\n", result.file_name.c_str(), result.rows,
                result.accepted ? "accepted" : "refused");
  }
  return pushExitCode(result.counts);
}

int runPush(const PushOptions& o, const pc::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  pc::SystemClock clock;
  const Config& config = session.config;
  const bool want_lba = !o.destination || *o.destination == kLbaDestination;
  const bool want_ft = !o.destination || *o.destination == kFranceTravailDestination;
  int code = kExitOk;
  bool any = false;
  if (want_lba && config.lba.enabled) {
    any = true;
    code = std::max(code, runGuarded("push", {{"destination", kLbaDestination}},
                                     [&] { return pushLba(session, host, clock, o.once); }));
  }
  if (want_ft && config.france_travail.enabled) {
    any = true;
    code = std::max(code, runGuarded("push", {{"destination", kFranceTravailDestination}},
                                     [&] { return pushFranceTravail(session, host, clock); }));
  }
  if (!any) {
    logEvent("push: no enabled destination to push to",
             {{"destination", o.destination.value_or("all")}});
    return o.destination ? kExitFailure : kExitOk;
  }
  return code;
}

int runRetry(const RetryOptions& o, const pc::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  pc::SystemClock clock;
  Outbox outbox(clock, OutboxSettings{}, makeWorkerId("retry"));
  pqxx::work tx(*session.connection);
  const std::string destination = o.destination.value_or("");
  const long requeued = outbox.requeueFailed(tx, destination);
  resumeDestination(tx, destination);
  tx.commit();
  std::printf("retry %s requeued=%ld\n", destination.empty() ? "all" : destination.c_str(),
              requeued);
  return kExitOk;
}

}  // namespace

int pushExitCode(const PushCounts& c) {
  if (c.paused || c.retried > 0 || c.lost_leases > 0) return kExitFailure;
  if (c.failed > 0 || c.not_eligible > 0) return kExitRejects;
  return kExitOk;
}

void addPushCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host) {
  auto options = std::make_shared<PushOptions>();
  CLI::App* command = app.add_subcommand("push", "Drain the destinations' queues now");
  command->add_option("--config", options->config_path, "Configuration file");
  command->add_option("--destination", options->destination, "Only this destination")
      ->check(
          CLI::IsMember({std::string(kLbaDestination), std::string(kFranceTravailDestination)}));
  command->add_flag("--once", options->once, "One batch per destination, then exit");
  command->callback([options, &status, &host] {
    status.code = runGuarded("push", {}, [&] { return runPush(*options, host); });
  });
}

void addRetryCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host) {
  auto options = std::make_shared<RetryOptions>();
  CLI::App* command =
      app.add_subcommand("retry", "Send failed movements again (and lift a destination's pause)");
  command->add_option("--config", options->config_path, "Configuration file");
  command->add_option("--destination", options->destination, "Only this destination")
      ->check(
          CLI::IsMember({std::string(kLbaDestination), std::string(kFranceTravailDestination)}));
  command->callback([options, &status, &host] {
    status.code = runGuarded("retry", {}, [&] { return runRetry(*options, host); });
  });
}

}  // namespace passerelle::daemon

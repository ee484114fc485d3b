#include "daemon/cli/push_command.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "connectors/host/clock.h"
#include "daemon/cli/store_commands.h"
#include "daemon/destinations/registry.h"
#include "daemon/log/event_log.h"
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

void printReport(const std::string& destination, const PushReport& r) {
  const PushCounts& c = r.counts;
  std::printf(
      "push %s claimed=%ld sent=%ld unchanged=%ld not_eligible=%ld retried=%ld failed=%ld"
      " released=%ld%s\n",
      destination.c_str(), c.claimed, c.sent, c.unchanged, c.not_eligible, c.retried, c.failed,
      c.released, c.paused ? " paused" : "");
  if (!r.detail.empty()) std::printf("%s\n", r.detail.c_str());
}

int runPush(const PushOptions& o, const pc::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  pc::SystemClock clock;
  int code = kExitOk;
  bool any = false;
  for (auto& destination : enabledDestinations(session.config, host, clock)) {
    if (o.destination && *o.destination != destination->name()) continue;
    any = true;
    code = std::max(code, runGuarded("push", {{"destination", destination->name()}}, [&] {
                      PushRequest request;
                      request.once = o.once;
                      const PushReport report = destination->push(*session.connection, request);
                      printReport(destination->name(), report);
                      return report.ok ? pushExitCode(report.counts) : kExitFailure;
                    }));
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
  std::vector<std::string> resumed;
  for (const auto& name :
       destination.empty() ? destinationNames() : std::vector<std::string>{destination})
    if (pausedReason(tx, name)) resumed.push_back(name);
  resumeDestination(tx, destination);
  tx.commit();
  for (const auto& name : resumed)
    EventLog::write(LogLevel::kInfo, LogEventId::kDestinationResumed, "destination resumed",
                    {{"destination", name}});
  std::printf("retry %s requeued=%ld\n", destination.empty() ? "all" : destination.c_str(),
              requeued);
  return kExitOk;
}

}  // namespace

int pushExitCode(const PushCounts& c) {
  return pushIncomplete(c) ? kExitFailure : kExitOk;
}

void addPushCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host) {
  auto options = std::make_shared<PushOptions>();
  CLI::App* command = app.add_subcommand("push", "Drain the destinations' queues now");
  command->add_option("--config", options->config_path, "Configuration file");
  command->add_option("--destination", options->destination, "Only this destination")
      ->check(CLI::IsMember(destinationNames()));
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
      ->check(CLI::IsMember(destinationNames()));
  command->callback([options, &status, &host] {
    status.code = runGuarded("retry", {}, [&] { return runRetry(*options, host); });
  });
}

}  // namespace passerelle::daemon

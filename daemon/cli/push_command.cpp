#include "daemon/cli/push_command.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "connectors/host/clock.h"
#include "daemon/cli/known_partner.h"
#include "daemon/cli/store_commands.h"
#include "daemon/destinations/registry.h"
#include "daemon/log/event_log.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

namespace {

// PARTNER:REF split at its first colon (partner ids have none).
std::optional<std::pair<std::string, std::string>> splitOfferRef(const std::string& value) {
  const std::size_t colon = value.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) return std::nullopt;
  return std::make_pair(value.substr(0, colon), value.substr(colon + 1));
}

struct PushOptions {
  std::optional<std::string> config_path;
  std::optional<std::string> destination;
  bool once = false;
  std::optional<std::string> ref;  // PARTNER:REF
};

struct RetryOptions {
  std::optional<std::string> config_path;
  std::optional<std::string> destination;
  std::optional<std::string> ref;  // PARTNER:REF
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
  std::pair<std::string, std::string> offer;
  if (o.ref) {
    const auto split = splitOfferRef(*o.ref);
    if (!split) {
      std::fprintf(stderr, "passerelle: --ref wants PARTNER:REF, not `%s`\n", o.ref->c_str());
      return kExitUsage;
    }
    offer = *split;
  }
  StoreSession session = openStoreSession(o.config_path, host);
  if (o.ref && !requireKnownPartner(session.config, offer.first)) return kExitUsage;
  pc::SystemClock clock;
  int code = kExitOk;
  bool any = false;
  for (auto& destination : enabledDestinations(session.config, host, clock)) {
    if (o.destination && *o.destination != destination->name()) continue;
    any = true;
    code = std::max(code, runGuarded("push", {{"destination", destination->name()}}, [&] {
                      PushRequest request;
                      request.once = o.once;
                      request.only_partner = offer.first;
                      request.only_source_ref = offer.second;
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
  std::pair<std::string, std::string> offer;
  if (o.ref) {
    const auto split = splitOfferRef(*o.ref);
    if (!split) {
      std::fprintf(stderr, "passerelle: --ref wants PARTNER:REF, not `%s`\n", o.ref->c_str());
      return kExitUsage;
    }
    offer = *split;
  }
  StoreSession session = openStoreSession(o.config_path, host);
  if (o.ref && !requireKnownPartner(session.config, offer.first)) return kExitUsage;
  pc::SystemClock clock;
  Outbox outbox(clock, OutboxSettings{}, makeWorkerId("retry"));
  pqxx::work tx(*session.connection);
  const std::string destination = o.destination.value_or("");
  const long requeued = outbox.requeueFailed(tx, destination, offer.first, offer.second);
  // One offer's retry leaves a paused destination paused: its cause is not the offer.
  std::vector<std::string> resumed;
  if (!o.ref) {
    for (const auto& name :
         destination.empty() ? destinationNames() : std::vector<std::string>{destination})
      if (pausedReason(tx, name)) resumed.push_back(name);
    resumeDestination(tx, destination);
  }
  tx.commit();
  for (const auto& name : resumed)
    EventLog::write(LogLevel::kInfo, LogEventId::kDestinationResumed, "destination resumed",
                    {{"destination", name}});
  std::printf("retry %s%s requeued=%ld\n", destination.empty() ? "all" : destination.c_str(),
              o.ref ? (" " + *o.ref).c_str() : "", requeued);
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
  command->add_option("--ref", options->ref, "Only this offer's movements (PARTNER:REF)");
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
  command->add_option("--ref", options->ref, "Only this offer's failed movements (PARTNER:REF)");
  command->callback([options, &status, &host] {
    status.code = runGuarded("retry", {}, [&] { return runRetry(*options, host); });
  });
}

}  // namespace passerelle::daemon

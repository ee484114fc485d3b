#include "daemon/cli/daemon_command.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "connectors/host/clock.h"
#include "daemon/config/config.h"
#include "daemon/dashboard/dashboard.h"
#include "daemon/log/event_log.h"
#include "daemon/service/destination_job.h"
#include "daemon/service/drop_folder_poller.h"
#include "daemon/service/http_endpoints.h"
#include "daemon/service/http_server.h"
#include "daemon/service/metrics_report.h"
#include "daemon/service/partner_leasing.h"
#include "daemon/service/partner_reports.h"
#include "daemon/service/service.h"
#include "daemon/store/daemon_registry.h"
#include "daemon/store/embedded_postgres.h"
#include "daemon/store/job_lease.h"
#include "daemon/store/store_connection.h"
#include "daemon/store/store_migrations.h"
#include "formats/dialect_registry.h"

namespace passerelle::daemon {

namespace {

struct DaemonOptions {
  std::optional<std::string> config_path;
  bool once = false;
};

Config loadDaemonConfig(const std::optional<std::string>& path, const connectors::Host& host) {
  return loadConfig(resolveConfigPath(path, host), formats::DialectRegistry::instance().names(),
                    host);
}

// /healthz and /metrics on daemon.http. A port that cannot be bound stops
// the daemon at start (exit 2): otherwise another process answering on it
// would report a health that is not ours.
std::unique_ptr<HttpEndpoints> startEndpoints(const Config& config, const std::string& store_url,
                                              const Service& service,
                                              const std::string& daemon_id) {
  auto handler = [&service, store_url, daemon_id](std::string_view path) -> HttpReply {
    if (path == "/healthz") {
      HealthVerdict v = judgeHealth(service.health(), std::chrono::hours(1));
      return {v.healthy ? 200 : 503, "text/plain; charset=utf-8", v.text};
    }
    if (path == "/metrics") {
      auto store = openStore(store_url);
      return {200, "text/plain; version=0.0.4; charset=utf-8",
              renderMetrics(*store, service.health(), daemon_id)};
    }
    return {404, "text/plain; charset=utf-8", "not found\n"};
  };
  std::unique_ptr<HttpEndpoints> endpoints;
  try {
    endpoints = std::make_unique<HttpEndpoints>(config.daemon.http, handler);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) +
                             " (daemon.http; is another program or daemon using it? "
                             "Choose another address, or \"\" for no endpoint)");
  }
  logInfo("http endpoints listening", {{"address", config.daemon.http}});
  return endpoints;
}

// The partners' dashboard on dashboard.listen (dashboard.md), when
// configured. Like daemon.http, a port that cannot be bound stops the daemon.
struct DashboardListener {
  std::unique_ptr<Dashboard> dashboard;
  std::unique_ptr<HttpServer> server;
};

DashboardListener startDashboard(const Config& config, const std::string& store_url,
                                 const connectors::Host& host, const connectors::Clock& clock) {
  DashboardListener listener;
  listener.dashboard = std::make_unique<Dashboard>(config, store_url, host, clock);
  HttpLimits limits;
  limits.max_connections = 8;
  try {
    listener.server = std::make_unique<HttpServer>(
        config.dashboard.listen,
        [d = listener.dashboard.get()](const HttpRequest& r) { return d->handle(r); }, limits);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + " (dashboard.listen)");
  }
  logInfo("dashboard listening",
          {{"address", config.dashboard.listen},
           {"base_path", config.dashboard.base_path},
           {"accounts", static_cast<long>(config.dashboard.accounts.size())}});
  return listener;
}

// SIGHUP: what the new file changes is logged, the log format applied at
// once; what only a restart applies is said so.
void logReload(const Config& before, const Config& after, const connectors::Host& host) {
  const ConfigChanges changes = changedSettings(before, after);
  if (after.daemon.log_format != before.daemon.log_format)
    EventLog::configure(EventLog::detectOutput(host, after.daemon.log_format == LogFormat::kJson));
  auto joined = [](const std::vector<std::string>& places) {
    std::string out;
    for (const auto& p : places) out += (out.empty() ? "" : ", ") + p;
    return out.empty() ? std::string("none") : out;
  };
  logInfo("configuration reloaded", {{"changed", joined(changes.applied)},
                                     {"partners", static_cast<long>(after.partners.size())}});
  if (!changes.restart_needed.empty())
    logWarning("configuration change needs a restart",
               {{"settings", joined(changes.restart_needed)}});
}

// SIGTERM: the leases go back at once, so that the other daemons take the
// partners without waiting for the expiry. Best effort: a store that went
// away lets the leases expire instead.
void sayGoodbye(const std::string& store_url, const DaemonRegistry& registry) {
  try {
    auto store = openStore(store_url);
    pqxx::work tx(*store);
    registry.goodbye(tx);
    tx.commit();
  } catch (const std::exception& e) {
    logWarning("leases left to expire", {{"cause", e.what()}});
  }
}

int runDaemon(const DaemonOptions& o, const connectors::Host& host) {
  Config config;
  try {
    config = loadDaemonConfig(o.config_path, host);
  } catch (const ConfigError& e) {
    for (const auto& problem : e.problems()) std::fprintf(stderr, "%s\n", problem.c_str());
    return kExitFailure;
  }
  EventLog::configure(EventLog::detectOutput(host, config.daemon.log_format == LogFormat::kJson));
  for (const auto& w : configWarnings(config)) logWarning(w);

  // READY=1 only once the store is reachable and migrated (Service::run).
  const std::string store_url = resolveStoreUrl(config, host);
  {
    auto store = openStore(store_url);
    migrate(*store);
  }
  logInfo("store ready", {{"partners", static_cast<long>(config.partners.size())},
                          {"mode", o.once ? "once" : "service"}});

  connectors::SystemClock clock;
  ServiceOptions options;
  options.once = o.once;
  Config running = config;  // what the last successful (re)load gave
  // SIGHUP: the jobs `build` makes from the re-read file, or none when it
  // is refused.
  auto reloadWith = [&o, &host, &running](std::function<Jobs(const Config&)> build) {
    return [&o, &host, &running, build]() -> std::optional<Jobs> {
      try {
        Config next = loadDaemonConfig(o.config_path, host);
        Jobs jobs = build(next);
        logReload(running, next, host);
        running = std::move(next);
        return jobs;
      } catch (const ConfigError& e) {
        for (const auto& problem : e.problems())
          logError("configuration refused on reload", {{"problem", problem}});
        return std::nullopt;
      }
    };
  };
  int failed_polls = 0;
  if (o.once) {
    options.reload = reloadWith([&store_url, &host, &clock](const Config& c) {
      Jobs jobs = buildPollers(c, store_url, host, clock);
      for (auto& j : buildDestinationJobs(c, store_url, host, clock)) jobs.push_back(std::move(j));
      return jobs;
    });
    // Imports first, then the pushes of what they changed.
    ServiceOptions polls = options;
    polls.workers = std::max<int>(1, static_cast<int>(config.partners.size()));
    failed_polls += Service(buildPollers(config, store_url, host, clock), polls).run();
    Jobs pushes = buildDestinationJobs(config, store_url, host, clock);
    if (!pushes.empty()) failed_polls += Service(std::move(pushes), options).run();
  } else {
    // Several daemons may share the store: this one's identity, heartbeat
    // and leases (partner_leasing.h); its sessions carry its id, so the
    // runs it makes name it. The leases' ttl is the starting poll interval's
    // (a reload changes the polls' rhythm, not the leases').
    const DaemonRegistry registry(clock, makeDaemonIdentity(PASSERELLE_VERSION),
                                  2 * config.daemon.poll_interval);
    const std::string session_url =
        withSessionSetting(store_url, kDaemonIdSetting, registry.identity().id);
    const JobLeases slots(clock, registry.identity().id, registry.ttl());
    LeaseBook book(clock);
    auto leasedJobs = [&](const Config& c) {
      std::vector<std::string> partners;
      for (const auto& p : c.partners) partners.push_back(p.id);
      Jobs jobs = leasedPollers(buildPollers(c, session_url, host, clock), book);
      jobs.push_back(makeLeasingJob(registry, session_url, partners, book));
      for (auto& j : buildDestinationJobs(c, session_url, host, clock, &slots))
        jobs.push_back(std::move(j));
      // The partners' etat-des-offres.csv, daily (and after each push that
      // changed states, from the destination jobs).
      jobs.push_back(buildOfferStateReportJob(c, session_url, host, clock));
      return jobs;
    };
    options.reload = reloadWith(leasedJobs);
    logInfo("daemon identity", {{"daemon", registry.identity().id},
                                {"lease_ttl_s", static_cast<long>(registry.ttl().count() / 1000)}});
    Jobs jobs = leasedJobs(config);
    // One worker per job: a long push never holds a partner's poll back.
    options.workers = std::clamp<int>(static_cast<int>(jobs.size()), 2, 32);
    Service service(std::move(jobs), std::move(options));
    std::unique_ptr<HttpEndpoints> endpoints;
    if (!config.daemon.http.empty())
      endpoints = startEndpoints(config, store_url, service, registry.identity().id);
    DashboardListener dashboard;
    if (!config.dashboard.listen.empty())
      dashboard = startDashboard(config, store_url, host, clock);
    failed_polls = service.run();
    sayGoodbye(store_url, registry);
  }
  logInfo("stopped", {{"failed_polls", failed_polls}});
  // A service stopped by SIGTERM exits 0; --once tells whether every poll worked.
  return o.once && failed_polls > 0 ? kExitFailure : kExitOk;
}

}  // namespace

void addDaemonCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host) {
  auto o = std::make_shared<DaemonOptions>();
  CLI::App* cmd = app.add_subcommand("daemon", "Run the service: poll, import, push");
  cmd->add_option("--config", o->config_path, "Configuration file");
  cmd->add_flag("--once", o->once, "One poll of every partner, its imports, then exit");
  cmd->callback([o, &status, &host] {
    try {
      status.code = runDaemon(*o, host);
    } catch (const std::exception& e) {
      logError("daemon failed", {{"error", e.what()}});
      status.code = kExitFailure;
    }
  });
}

}  // namespace passerelle::daemon

#include "daemon/destinations/france_travail/france_travail_destination.h"

#include <filesystem>

#include "connectors/france_travail/france_travail_client.h"
#include "daemon/config/secrets.h"
#include "daemon/destinations/france_travail/france_travail_push.h"
#include "daemon/store/lease_keeper.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

namespace {

pc::FtClientSettings clientSettings(const Config& config, const pc::Host& host) {
  const FranceTravailConfig& ft = config.france_travail;
  pc::FtClientSettings s;
  s.protocol_trace = protocolTrace(config.daemon, host);
  s.url = ft.url;
  s.login = ft.login;
  s.feed_name = ft.feed;
  if (ft.mode == FranceTravailMode::kSpool) {
    s.spool_dir = ft.spool_dir;
    std::filesystem::create_directories(ft.spool_dir);
  } else {
    s.password = readSecret(host, ft.password_file);
  }
  s.archive_dir =
      (std::filesystem::path(config.daemon.state_dir) / "archive" / "france-travail").string();
  s.archive_retention_days = ft.archive_days;
  std::filesystem::create_directories(s.archive_dir);
  return s;
}

FtPushSettings pushSettings(const FranceTravailConfig& ft) {
  FtPushSettings s;
  s.feed = {ft.partner_key, ft.partner_name, ft.url_template, ft.siret};
  s.feed_name = ft.feed.empty() ? ft.partner_key : ft.feed;
  s.zip = ft.zip;
  return s;
}

std::string describe(const FtBatchResult& r) {
  if (r.rows == 0) return "";
  return "file " + r.file_name + " rows=" + std::to_string(r.rows) +
         (r.accepted ? " accepted" : " refused");
}

class FranceTravailDestination final : public Destination {
 public:
  FranceTravailDestination(const Config& config, const pc::Host& host, pc::Clock& clock)
      : config_(config), host_(host), clock_(clock) {}

  const std::string& name() const override { return name_; }

  DestinationSchedule schedule() const override {
    DestinationSchedule s;
    s.interval = std::chrono::hours(24);
    s.times_of_day = config_.france_travail.schedule;
    if (s.times_of_day.empty()) s.times_of_day.push_back({5, 30});
    s.first_retry = std::chrono::minutes(5);
    s.retry_ceiling = std::chrono::hours(2);
    return s;
  }

  PushReport push(pqxx::connection& store, const PushRequest& request) override {
    PushReport report;
    if (request.stop != nullptr && *request.stop) return report;  // stopping: nothing new
    OutboxSettings only;
    only.only_partner = request.only_partner;
    only.only_source_ref = request.only_source_ref;
    if (request.renew_claims) only.lease = kRenewedClaimLease;
    Outbox outbox(clock_, only, makeWorkerId(request.role + "-" + name_));
    // A daemon's batch renews its claims; the keeper's signal (SIGTERM, or
    // claims that may be lost) abandons the upload, movements left pending.
    std::unique_ptr<LeaseKeeper> keeper =
        request.renew_claims ? keepClaims(store, outbox, request.stop) : nullptr;
    pc::FranceTravailClient client(clientSettings(config_, host_), clock_,
                                   keeper ? &keeper->stop() : request.stop);
    FranceTravailPush push(store, client, outbox, pushSettings(config_.france_travail));
    const FtBatchResult result = push.runBatch();
    client.cleanupArchive();
    report.counts = result.counts;
    // A refused file is retried with backoff; its movements stay pending.
    report.ok = result.rows == 0 || result.accepted || result.stopped;
    report.detail = describe(result);
    return report;
  }

  // Reaches the service (or the spool folder) without sending a file; the
  // password file was checked by `config check` itself.
  ConnectionProbe probe() override {
    const FranceTravailConfig& ft = config_.france_travail;
    pc::FtClientSettings settings;
    settings.url = ft.url;
    settings.connect_timeout = std::chrono::seconds(5);
    if (ft.mode == FranceTravailMode::kSpool) settings.spool_dir = ft.spool_dir;
    pc::FranceTravailClient client(settings, clock_);
    const pc::FtProbeResult r = client.probe();
    if (ft.mode == FranceTravailMode::kSpool) {
      if (r.reached) return {true, true, "spool folder " + ft.spool_dir + " is writable"};
      return {true, false,
              r.error +
                  ": create it, writable by the service user"
                  " (destination.france-travail.spool_dir)"};
    }
    if (r.reached) {
      return {true, true,
              ft.url + " reached over " + (ft.url.starts_with("https:") ? "TLS" : "plain HTTP") +
                  " (HTTP " + std::to_string(r.http_status) +
                  "); the login is only checked with the first file sent"};
    }
    std::string advice = "check destination.france-travail.url and the network";
    if (r.error.find("certificate") != std::string::npos ||
        r.error.find("SSL") != std::string::npos)
      advice = "the server's certificate is not trusted by this machine (the system's CA store)";
    return {true, false, ft.url + " could not be reached (" + r.error + "): " + advice};
  }

  bool takesFullStock() const override { return true; }

 private:
  std::string name_ = kFranceTravailDestination;
  Config config_;
  const pc::Host& host_;  // the password's secret file
  pc::Clock& clock_;
};

}  // namespace

bool franceTravailEnabled(const Config& config) {
  return config.france_travail.enabled;
}

std::unique_ptr<Destination> makeFranceTravailDestination(const Config& config,
                                                          const pc::Host& host, pc::Clock& clock) {
  return std::make_unique<FranceTravailDestination>(config, host, clock);
}

}  // namespace passerelle::daemon

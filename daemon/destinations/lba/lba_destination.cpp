#include "daemon/destinations/lba/lba_destination.h"

#include "connectors/http/rate_limiter.h"
#include "connectors/lba/lba_client.h"
#include "daemon/config/secrets.h"
#include "daemon/destinations/lba/lba_push.h"
#include "daemon/log/event_log.h"
#include "daemon/store/lease_keeper.h"
#include "daemon/store/outbox.h"
#include "daemon/store/shared_quota.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

namespace {

pc::LbaClientSettings clientSettings(const Config& config, const pc::Host& host) {
  pc::LbaClientSettings s;
  s.protocol_trace = protocolTrace(config.daemon, host);
  s.base_url = config.lba.url;
  while (!s.base_url.empty() && s.base_url.back() == '/') s.base_url.pop_back();
  s.api_key = readSecret(host, config.lba.api_key_file);
  return s;
}

// The key's two quotas, kept in the store: every process using the key
// (daemons, `push`, `reconcile`) draws from the same windows. A grant counts
// until its request's end, at most the client's request deadline.
pc::RateLimiter sharedLimiter(pqxx::connection& store, const Config& config, pc::Clock& clock,
                              const pc::LbaClientSettings& client) {
  const auto quota = [&](int per_minute) {
    pc::WindowQuota q;
    q.requests = per_minute;
    q.window = std::chrono::seconds(60);
    q.request_deadline = pc::lbaRequestDeadline(client);
    return q;
  };
  return pc::RateLimiter(
      std::make_unique<SharedQuota>(store, clock, quotaName("lba", "write", client.api_key),
                                    quota(config.lba.write_per_minute)),
      std::make_unique<SharedQuota>(store, clock, quotaName("lba", "read", client.api_key),
                                    quota(config.lba.read_per_minute)));
}

OutboxSettings outboxSettings(const Config& config) {
  OutboxSettings s;
  s.max_attempts = config.lba.max_attempts;
  return s;
}

OutboxSettings outboxSettings(const Config& config, const PushRequest& request) {
  OutboxSettings s = outboxSettings(config);
  s.only_partner = request.only_partner;
  s.only_source_ref = request.only_source_ref;
  if (request.renew_claims) s.lease = kRenewedClaimLease;
  return s;
}

LbaPushSettings pushSettings(const Config& config) {
  LbaPushSettings s;
  s.rolling_expiration_days = config.lba.rolling_expiration_days;
  for (const PartnerConfig& p : config.partners) s.apply_defaults[p.id] = p.apply_defaults;
  return s;
}

// The parts of one push (quota, client with its key, outbox, the worker),
// alive for one call; `role` names the outbox's leases, `stop` (optional)
// ends its waits and requests. A daemon's push renews its claims: the
// keeper's signal (SIGTERM, or claims that may be lost) stops the client.
class LbaParts {
 public:
  LbaParts(pqxx::connection& store, const Config& config, const pc::Host& host, pc::Clock& clock,
           const PushRequest& request)
      : settings_(clientSettings(config, host)),
        limiter_(sharedLimiter(store, config, clock, settings_)),
        outbox_(clock, outboxSettings(config, request),
                makeWorkerId(request.role + "-" + kLbaDestination)),
        keeper_(request.renew_claims ? keepClaims(store, outbox_, request.stop) : nullptr),
        stop_(keeper_ ? &keeper_->stop() : request.stop),
        client_(settings_, clock, limiter_, stop_),
        push_(store, client_, outbox_, pushSettings(config), stop_) {}
  LbaPush& push() { return push_; }
  const pc::StopSignal* stop() const { return stop_; }

 private:
  pc::LbaClientSettings settings_;
  pc::RateLimiter limiter_;
  Outbox outbox_;
  std::unique_ptr<LeaseKeeper> keeper_;
  const pc::StopSignal* stop_;
  pc::LbaClient client_;
  LbaPush push_;
};

class LbaDestination final : public Destination {
 public:
  LbaDestination(const Config& config, const pc::Host& host, pc::Clock& clock)
      : config_(config), host_(host), clock_(clock) {}

  const std::string& name() const override { return name_; }

  DestinationSchedule schedule() const override {
    DestinationSchedule s;
    s.interval = config_.daemon.poll_interval;
    return s;
  }

  PushReport push(pqxx::connection& store, const PushRequest& request) override {
    LbaParts parts(store, config_, host_, clock_, request);
    LbaPush& push = parts.push();
    push.queueRollingRefresh();
    PushReport report;
    PushCounts& counts = report.counts;
    const pc::StopSignal* stop = parts.stop();
    const auto stopping = [stop] { return stop != nullptr && *stop; };
    if (request.once || stop == nullptr) {
      counts = request.once ? push.runBatch() : push.drain();
    } else {
      // Batch by batch, so that SIGTERM is heard between two batches too.
      while (!stopping()) {
        const PushCounts batch = push.runBatch();
        counts += batch;
        if (batch.claimed == 0 || batch.paused) break;
      }
    }
    if (!counts.paused && !stopping()) push.refreshPublishingStatus();
    push.reportFailures();  // one line for an outage, however long the queue
    // A paused destination is an operator's business (`retry`), not a
    // failure to back off from: the report is ok and the counts say it.
    return report;
  }

  // Reads an offer that cannot exist: 404 means the key was accepted, 401
  // that it was refused. One read of the quota, nothing written.
  ConnectionProbe probe() override {
    pc::LbaClientSettings settings = clientSettings(config_, host_);
    settings.connect_timeout = std::chrono::seconds(5);
    pc::RateLimitSettings limits;
    limits.request_deadline = pc::lbaRequestDeadline(settings);
    pc::RateLimiter limiter(clock_, limits);
    pc::LbaClient client(settings, clock_, limiter);
    const pc::LbaResponse r = client.readOffer("000000000000000000000000").response;
    if (r.outcome == pc::LbaOutcome::kOk || r.outcome == pc::LbaOutcome::kNotProcessedYet)
      return {true, true, "API key accepted"};
    if (r.outcome == pc::LbaOutcome::kUnauthorized)
      return {true, false,
              "the API key was refused (401): check the key in " + config_.lba.api_key_file +
                  " (destination.lba.api_key_file)"};
    std::string what = r.http_status ? "HTTP " + std::to_string(r.http_status) : r.message;
    std::string advice = "check destination.lba.url and the network";
    if (r.message.find("certificate") != std::string::npos ||
        r.message.find("SSL") != std::string::npos)
      advice = "the server's certificate is not trusted by this machine";
    return {true, false, config_.lba.url + " did not answer as expected (" + what + "): " + advice};
  }

  void refresh(pqxx::connection& store, ReconcileCounts& counts) override {
    PushRequest request;
    request.role = "reconcile";
    LbaParts parts(store, config_, host_, clock_, request);
    counts.rolling_queued = parts.push().queueRollingRefresh();
    counts.publishing_read = parts.push().refreshPublishingStatus();
    // Read back what the service holds, a slice a night (lba.md: what is
    // online must be what the store says, whatever failed on the way).
    const LbaPush::AuditCounts audit = parts.push().audit(LbaPushSettings{}.audit_batch);
    counts.audited += audit.audited;
    counts.audit_closed += audit.closed;
    counts.audit_resent += audit.resent;
  }

 private:
  std::string name_ = kLbaDestination;
  Config config_;
  const pc::Host& host_;  // the API key's secret file
  pc::Clock& clock_;
};

}  // namespace

bool lbaEnabled(const Config& config) {
  return config.lba.enabled;
}

std::unique_ptr<Destination> makeLbaDestination(const Config& config, const pc::Host& host,
                                                pc::Clock& clock) {
  return std::make_unique<LbaDestination>(config, host, clock);
}

}  // namespace passerelle::daemon

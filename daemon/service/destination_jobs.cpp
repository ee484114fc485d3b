#include "daemon/service/destination_jobs.h"

#include <filesystem>

#include "connectors/france_travail/france_travail_client.h"
#include "connectors/http/rate_limiter.h"
#include "connectors/lba/lba_client.h"
#include "daemon/config/secrets.h"
#include "daemon/destinations/lba/lba_push.h"
#include "daemon/log/event_log.h"
#include "daemon/service/daily_schedule.h"
#include "daemon/store/outbox.h"
#include "daemon/store/store_connection.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

namespace {

pc::LbaClientSettings lbaClientSettings(const Config& config, const pc::Host& host) {
  pc::LbaClientSettings s;
  s.base_url = config.lba.url;
  while (!s.base_url.empty() && s.base_url.back() == '/') s.base_url.pop_back();
  s.api_key = readSecret(host, config.lba.api_key_file);
  return s;
}

OutboxSettings lbaOutboxSettings(const Config& config) {
  OutboxSettings s;
  s.max_attempts = config.lba.max_attempts;
  return s;
}

LbaPushSettings lbaPushSettings(const Config& config) {
  LbaPushSettings s;
  s.rolling_expiration_days = config.lba.rolling_expiration_days;
  for (const PartnerConfig& p : config.partners)
    s.apply_defaults[p.id] = {p.apply_defaults.email, p.apply_defaults.phone, p.apply_defaults.url};
  return s;
}

}  // namespace

LbaWorker::LbaWorker(pqxx::connection& store, const Config& config, const pc::Host& host,
                     pc::Clock& clock, const std::string& worker)
    : limiter_(clock, {config.lba.write_per_minute, config.lba.read_per_minute}),
      client_(lbaClientSettings(config, host), clock, limiter_),
      outbox_(clock, lbaOutboxSettings(config), makeWorkerId(worker)),
      push_(store, client_, outbox_, lbaPushSettings(config)) {}

PushCounts runLbaPush(pqxx::connection& store, const Config& config, const pc::Host& host,
                      pc::Clock& clock, bool once, const std::atomic<bool>* stop) {
  LbaWorker worker(store, config, host, clock, "push-lba");
  LbaPush& push = worker.push();
  push.queueRollingRefresh();
  PushCounts counts;
  if (once || stop == nullptr) {
    counts = once ? push.runBatch() : push.drain();
  } else {
    // Batch by batch, so that SIGTERM is heard between two batches.
    while (!*stop) {
      PushCounts batch = push.runBatch();
      counts += batch;
      if (batch.claimed == 0 || batch.paused) break;
    }
  }
  if (!counts.paused && (stop == nullptr || !*stop)) push.refreshPublishingStatus();
  return counts;
}

FtBatchResult runFranceTravailPush(pqxx::connection& store, const Config& config,
                                   const pc::Host& host, pc::Clock& clock) {
  const FranceTravailConfig& ft = config.france_travail;
  pc::FtClientSettings client_settings;
  client_settings.url = ft.url;
  client_settings.login = ft.login;
  client_settings.feed_name = ft.feed;
  if (ft.mode == FranceTravailMode::kSpool) {
    client_settings.spool_dir = ft.spool_dir;
    std::filesystem::create_directories(ft.spool_dir);
  } else {
    client_settings.password = readSecret(host, ft.password_file);
  }
  client_settings.archive_dir =
      (std::filesystem::path(config.daemon.state_dir) / "archive" / "france-travail").string();
  client_settings.archive_retention_days = ft.archive_days;
  std::filesystem::create_directories(client_settings.archive_dir);
  pc::FranceTravailClient client(client_settings, clock);
  Outbox outbox(clock, OutboxSettings{}, makeWorkerId("push-france-travail"));
  FtPushSettings settings;
  settings.feed = {ft.partner_key, ft.partner_name, ft.url_template, ft.siret};
  settings.feed_name = ft.feed.empty() ? ft.partner_key : ft.feed;
  settings.zip = ft.zip;
  FranceTravailPush push(store, client, outbox, settings);
  FtBatchResult result = push.runBatch();
  client.cleanupArchive();
  return result;
}

namespace {

std::string countsText(const PushCounts& c) {
  return std::to_string(c.sent) + " sent, " + std::to_string(c.unchanged) + " unchanged, " +
         std::to_string(c.not_eligible) + " not eligible, " + std::to_string(c.retried) +
         " to retry, " + std::to_string(c.failed) + " failed" + (c.paused ? ", PAUSED" : "");
}

class LbaJob final : public PartnerPoller {
 public:
  LbaJob(Config config, std::string store_url, const pc::Host& host, pc::Clock& clock)
      : config_(std::move(config)), store_url_(std::move(store_url)), host_(host), clock_(clock) {}
  const std::string& partnerId() const override { return name_; }
  PollTiming timing() const override {
    PollTiming t;
    t.interval =
        std::chrono::duration_cast<std::chrono::milliseconds>(config_.daemon.poll_interval);
    return t;
  }
  PollOutcome poll(const std::atomic<bool>& stop, bool once) override {
    auto store = openStore(store_url_);
    PushCounts c = runLbaPush(*store, config_, host_, clock_, once, &stop);
    if (c.claimed > 0 || c.paused)
      logInfo("push done", {{"destination", name_},
                            {"sent", c.sent},
                            {"unchanged", c.unchanged},
                            {"not_eligible", c.not_eligible},
                            {"retried", c.retried},
                            {"failed", c.failed},
                            {"paused", c.paused ? "yes" : "no"}});
    // A paused destination is an operator's business (retry), not a failure
    // to back off from: the loop goes on and the metrics say it.
    return PollOutcome{true, countsText(c)};
  }

 private:
  std::string name_ = "lba";
  Config config_;
  std::string store_url_;
  const pc::Host& host_;
  pc::Clock& clock_;
};

class FranceTravailJob final : public PartnerPoller {
 public:
  FranceTravailJob(Config config, std::string store_url, const pc::Host& host, pc::Clock& clock)
      : config_(std::move(config)), store_url_(std::move(store_url)), host_(host), clock_(clock) {}
  const std::string& partnerId() const override { return name_; }
  PollTiming timing() const override {
    PollTiming t;
    t.interval = std::chrono::hours(24);
    t.first_retry = std::chrono::minutes(5);
    t.retry_ceiling = std::chrono::hours(2);
    return t;
  }
  std::optional<std::chrono::milliseconds> scheduledDelay() const override {
    std::vector<DailyTime> times;
    for (const auto& t : config_.france_travail.schedule) times.push_back({t.hour, t.minute});
    if (times.empty()) times.push_back({5, 30});
    auto now = std::chrono::system_clock::to_time_t(clock_.now());
    return std::chrono::seconds(nextDailyRun(times, now) - now);
  }
  PollOutcome poll(const std::atomic<bool>&, bool) override {
    auto store = openStore(store_url_);
    FtBatchResult r = runFranceTravailPush(*store, config_, host_, clock_);
    logInfo("push done",
            {{"destination", name_},
             {"rows", r.rows},
             {"accepted", r.rows == 0 ? "nothing to send" : (r.accepted ? "yes" : "no")},
             {"file", r.file_name}});
    // A refused file is retried with backoff; its movements stay pending.
    return PollOutcome{r.rows == 0 || r.accepted, countsText(r.counts)};
  }

 private:
  std::string name_ = "france-travail";
  Config config_;
  std::string store_url_;
  const pc::Host& host_;
  pc::Clock& clock_;
};

}  // namespace

Pollers buildDestinationJobs(const Config& config, const std::string& store_url,
                             const pc::Host& host, pc::Clock& clock) {
  Pollers jobs;
  if (config.lba.enabled) jobs.push_back(std::make_shared<LbaJob>(config, store_url, host, clock));
  if (config.france_travail.enabled)
    jobs.push_back(std::make_shared<FranceTravailJob>(config, store_url, host, clock));
  return jobs;
}

}  // namespace passerelle::daemon

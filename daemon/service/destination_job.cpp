#include "daemon/service/destination_job.h"

#include <memory>

#include "daemon/destinations/registry.h"
#include "daemon/log/event_log.h"
#include "daemon/service/daily_schedule.h"
#include "daemon/service/partner_reports.h"
#include "daemon/store/store_connection.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

namespace {

std::string countsText(const PushCounts& c) {
  return std::to_string(c.sent) + " sent, " + std::to_string(c.unchanged) + " unchanged, " +
         std::to_string(c.not_eligible) + " not eligible, " + std::to_string(c.retried) +
         " to retry, " + std::to_string(c.failed) + " failed" + (c.paused ? ", PAUSED" : "");
}

class DestinationJob final : public Job {
 public:
  DestinationJob(std::unique_ptr<Destination> destination, std::string store_url, pc::Clock& clock,
                 std::shared_ptr<const PartnerReports> reports)
      : destination_(std::move(destination)),
        schedule_(destination_->schedule()),
        store_url_(std::move(store_url)),
        clock_(clock),
        reports_(std::move(reports)) {}

  const std::string& name() const override { return destination_->name(); }
  const char* subject() const override { return "destination"; }
  const char* activity() const override { return "push"; }

  PollTiming timing() const override {
    PollTiming t;
    t.interval = schedule_.interval;
    if (schedule_.first_retry.count() > 0) t.first_retry = schedule_.first_retry;
    if (schedule_.retry_ceiling.count() > 0) t.retry_ceiling = schedule_.retry_ceiling;
    return t;
  }

  std::optional<std::chrono::milliseconds> scheduledDelay() const override {
    if (schedule_.times_of_day.empty()) return std::nullopt;
    std::vector<DailyTime> times;
    for (const TimeOfDay& t : schedule_.times_of_day) times.push_back({t.hour, t.minute});
    const auto now = std::chrono::system_clock::to_time_t(clock_.now());
    return std::chrono::seconds(nextDailyRun(times, now) - now);
  }

  JobOutcome run(const pc::StopSignal& stop, bool once) override {
    auto store = openStore(store_url_);
    PushRequest request;
    request.once = once;
    request.stop = &stop;
    request.role = "daemon";
    const PushReport r = destination_->push(*store, request);
    const PushCounts& c = r.counts;
    if (c.claimed > 0 || c.paused || !r.ok)
      logInfo("push done", {{"destination", name()},
                            {"sent", c.sent},
                            {"unchanged", c.unchanged},
                            {"not_eligible", c.not_eligible},
                            {"retried", c.retried},
                            {"failed", c.failed},
                            {"paused", c.paused ? "yes" : "no"},
                            {"detail", r.detail}});
    // The partners whose offers changed state here see it in their folder.
    reports_->writeOfferStates(*store, /*all=*/false);
    JobOutcome outcome{r.ok, countsText(c)};
    outcome.incomplete = pushIncomplete(c);
    return outcome;
  }

 private:
  std::unique_ptr<Destination> destination_;
  DestinationSchedule schedule_;
  std::string store_url_;
  pc::Clock& clock_;
  std::shared_ptr<const PartnerReports> reports_;
};

}  // namespace

Jobs buildDestinationJobs(const Config& config, const std::string& store_url, const pc::Host& host,
                          pc::Clock& clock) {
  Jobs jobs;
  auto reports = std::make_shared<const PartnerReports>(config, host, clock);
  for (auto& destination : enabledDestinations(config, host, clock))
    jobs.push_back(
        std::make_shared<DestinationJob>(std::move(destination), store_url, clock, reports));
  return jobs;
}

}  // namespace passerelle::daemon

#include "daemon/service/destination_job.h"

#include <memory>

#include "daemon/destinations/registry.h"
#include "daemon/log/event_log.h"
#include "daemon/service/daily_schedule.h"
#include "daemon/service/partner_reports.h"
#include "daemon/store/lease_keeper.h"
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
                 const JobLeases* slots, std::shared_ptr<const PartnerReports> reports)
      : destination_(std::move(destination)),
        schedule_(destination_->schedule()),
        store_url_(std::move(store_url)),
        clock_(clock),
        slots_(slots),
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
    const auto now = std::chrono::system_clock::to_time_t(clock_.now());
    std::chrono::milliseconds delay = std::chrono::seconds(nextDailyRun(times(), now) - now);
    // The slot was held by another daemon: back when its lease ends.
    if (check_back_) {
      const auto until =
          std::chrono::duration_cast<std::chrono::milliseconds>(*check_back_ - clock_.now());
      delay =
          std::min(delay, std::max(until, std::chrono::milliseconds(0)) + std::chrono::seconds(1));
    }
    return delay;
  }

  JobOutcome run(const pc::StopSignal& stop, bool once) override {
    check_back_.reset();
    auto store = openStore(store_url_);
    if (slots_ == nullptr || once || schedule_.times_of_day.empty())
      return push(*store, stop, once);
    return pushInSlot(*store, stop);
  }

 private:
  std::vector<DailyTime> times() const {
    std::vector<DailyTime> out;
    for (const TimeOfDay& t : schedule_.times_of_day) out.push_back({t.hour, t.minute});
    return out;
  }

  // A scheduled run: only under the slot's job lease, renewed meanwhile.
  JobOutcome pushInSlot(pqxx::connection& store, const pc::StopSignal& stop) {
    // A few seconds of slack: a timer that fires early still names its slot.
    const auto now = std::chrono::system_clock::to_time_t(clock_.now());
    const auto slot = std::chrono::system_clock::from_time_t(lastDailyRun(times(), now + 5));
    const std::string job = "push:" + name();
    JobSlotState state;
    {
      pqxx::work tx(store);
      state = slots_->take(tx, job, slot);
      tx.commit();
    }
    if (state.state == JobSlot::kDone) return {true, "slot already run", false, true};
    if (state.state == JobSlot::kHeld) {
      check_back_ = state.until;
      return {true, "slot run by " + state.owner, false, true};
    }
    JobOutcome outcome;
    bool lost = false;
    {
      LeaseKeeper keeper(
          store.options(), clock_, slots_->ttl(),
          [this, &job, slot](pqxx::transaction_base& tx) { return slots_->renew(tx, job, slot); },
          &stop);
      outcome = push(store, keeper.stop(), false);
      lost = keeper.lost();
    }
    pqxx::work tx(store);
    if (outcome.ok && !lost && !stop)
      slots_->finish(tx, job, slot);
    else
      slots_->release(tx, job, slot);  // the retry, here or elsewhere, takes it again
    tx.commit();
    return outcome;
  }

  JobOutcome push(pqxx::connection& store, const pc::StopSignal& stop, bool once) {
    PushRequest request;
    request.once = once;
    request.stop = &stop;
    request.role = "daemon";
    request.renew_claims = true;
    const PushReport r = destination_->push(store, request);
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
    reports_->writeOfferStates(store);
    JobOutcome outcome{r.ok, countsText(c)};
    outcome.incomplete = pushIncomplete(c);
    return outcome;
  }

  std::unique_ptr<Destination> destination_;
  DestinationSchedule schedule_;
  std::string store_url_;
  pc::Clock& clock_;
  const JobLeases* slots_;
  // Set by a run that found the slot held (read by the loop after the run).
  std::optional<pc::Clock::WallTime> check_back_;
  std::shared_ptr<const PartnerReports> reports_;
};

}  // namespace

Jobs buildDestinationJobs(const Config& config, const std::string& store_url, const pc::Host& host,
                          pc::Clock& clock, const JobLeases* slots) {
  Jobs jobs;
  auto reports = std::make_shared<const PartnerReports>(config, host, clock);
  for (auto& destination : enabledDestinations(config, host, clock))
    jobs.push_back(
        std::make_shared<DestinationJob>(std::move(destination), store_url, clock, slots, reports));
  return jobs;
}

}  // namespace passerelle::daemon

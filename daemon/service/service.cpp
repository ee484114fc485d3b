#include "daemon/service/service.h"

#include <systemd/sd-daemon.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <map>
#include <mutex>
#include <random>

#include "daemon/log/event_log.h"

namespace passerelle::daemon {

namespace asio = boost::asio;

namespace {

double uniform01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

struct Service::Impl {
  struct Slot {
    std::shared_ptr<Job> job;
    PollSchedule schedule;
    std::unique_ptr<asio::steady_timer> timer;
    bool in_flight = false;
    bool retired = false;  // replaced by a reload: finishes its poll, then goes
  };

  Impl(Jobs jobs, ServiceOptions opts)
      : options(std::move(opts)),
        workers(static_cast<std::size_t>(std::max(1, options.workers))),
        signals(io, SIGTERM, SIGINT, SIGHUP),
        watchdog(io),
        heartbeat(io) {
    install(std::move(jobs));
  }

  void install(Jobs jobs) {
    for (auto& s : slots) {
      s->retired = true;
      s->timer->cancel();
    }
    std::vector<std::shared_ptr<Slot>> next;
    for (auto& p : jobs) {
      auto slot = std::make_shared<Slot>(
          Slot{p, PollSchedule(p->timing()), std::make_unique<asio::steady_timer>(io)});
      next.push_back(slot);
    }
    for (auto& s : slots)
      if (s->in_flight) next.push_back(s);  // kept until its poll ends
    slots = std::move(next);
  }

  void startAll() {
    for (auto& s : slots) {
      if (s->retired) continue;
      auto delay = options.once
                       ? std::chrono::milliseconds(0)
                       : s->job->scheduledDelay().value_or(s->schedule.initialDelay(uniform01()));
      arm(s, delay);
    }
    if (options.once && slots.empty()) io.stop();
  }

  void arm(const std::shared_ptr<Slot>& slot, std::chrono::milliseconds delay) {
    slot->timer->expires_after(delay);
    slot->timer->async_wait([this, slot](const boost::system::error_code& ec) {
      if (ec || stopping || slot->retired) return;
      launch(slot);
    });
  }

  void launch(const std::shared_ptr<Slot>& slot) {
    slot->in_flight = true;
    ++in_flight;
    {
      std::lock_guard lock(stats_mutex);
      stats[slot->job->name()].running_since = std::chrono::steady_clock::now();
    }
    asio::thread_pool& pool = slot->job->keepsClaimsAlive() ? claims_keeper : workers;
    asio::post(pool, [this, slot] {
      JobOutcome outcome;
      try {
        outcome = slot->job->run(stop_signal, options.once);
      } catch (const std::exception& e) {
        outcome = JobOutcome{false, e.what()};
        logWarning(std::string(slot->job->activity()) + " failed",
                   {{slot->job->subject(), slot->job->name()}, {"cause", e.what()}});
      }
      asio::post(io, [this, slot, outcome] { finished(slot, outcome); });
    });
  }

  void finished(const std::shared_ptr<Slot>& slot, const JobOutcome& outcome) {
    slot->in_flight = false;
    --in_flight;
    if (!outcome.ok || (options.once && outcome.incomplete)) ++failures;
    {
      std::lock_guard lock(stats_mutex);
      JobStats& js = stats[slot->job->name()];
      js.name = slot->job->name();
      js.subject = slot->job->subject();
      js.running_since.reset();
      if (!outcome.skipped) ++js.runs;
      if (outcome.skipped) {
        // not a run: another daemon's work
      } else if (outcome.ok) {
        js.consecutive_failures = 0;
        js.last_success = std::chrono::system_clock::now();
      } else {
        ++js.failures;
        ++js.consecutive_failures;
      }
    }
    // STATUS= tells of partners and destinations; the daemon's own
    // housekeeping (leases) and work left to another daemon are not news.
    if (!outcome.skipped && std::string_view(slot->job->subject()) != "daemon")
      last_status[slot->job->name()] = outcome.ok ? outcome.summary : "failing";
    notifyStatus();
    if (slot->retired) {
      std::erase(slots, slot);
    } else if (options.once) {
      ++polled_once;
    } else if (!stopping) {
      auto delay = outcome.ok ? slot->schedule.afterSuccess(uniform01())
                              : slot->schedule.afterFailure(uniform01());
      if (outcome.ok) {
        if (auto scheduled = slot->job->scheduledDelay()) delay = *scheduled;
      }
      if (!outcome.ok)
        logInfo(std::string(slot->job->activity()) + " retry scheduled",
                {{slot->job->subject(), slot->job->name()},
                 {"delay_s", static_cast<long>(delay.count() / 1000)},
                 {"failures", slot->schedule.consecutiveFailures()}});
      arm(slot, delay);
    }
    maybeFinish();
  }

  void maybeFinish() {
    bool once_done =
        options.once && in_flight == 0 &&
        polled_once >= static_cast<int>(std::count_if(slots.begin(), slots.end(),
                                                      [](const auto& s) { return !s->retired; }));
    if ((stopping && in_flight == 0) || once_done) {
      watchdog.cancel();
      heartbeat.cancel();
      signals.cancel();
      io.stop();
    }
  }

  void notifyStatus() {
    // Destinations are jobs too: only the partners are counted as partners.
    const auto partners = std::count_if(slots.begin(), slots.end(), [](const auto& s) {
      return !s->retired && std::string_view(s->job->subject()) == "partner";
    });
    std::string status =
        stopping ? "stopping" : "polling " + std::to_string(partners) + " partners";
    for (const auto& [partner, text] : last_status) status += "; " + partner + ": " + text;
    // Only a change is sent: jobs that run often (the leases every half
    // interval) must not flood the notification socket.
    if (status == last_sent_status) return;
    last_sent_status = status;
    sd_notifyf(0, "STATUS=%s", status.c_str());
  }

  void waitSignals() {
    signals.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        reload();
        waitSignals();
        return;
      }
      stop();
    });
  }

  void reload() {
    if (!options.reload) return;
    std::optional<Jobs> next;
    try {
      next = options.reload();
    } catch (const std::exception& e) {
      logError("reload refused, the running configuration is kept", {{"cause", e.what()}});
      return;
    }
    if (!next) return;
    sd_notify(0, "RELOADING=1");
    const long jobs = static_cast<long>(next->size());  // before the move
    install(std::move(*next));
    startAll();
    sd_notify(0, "READY=1");
    logInfo("jobs rescheduled", {{"jobs", jobs}});
  }

  void stop() {
    if (stopping) return;
    stopping = true;
    stop_signal.request();
    sd_notify(0, "STOPPING=1");
    logInfo("stopping", {{"polls_in_flight", in_flight}});
    for (auto& s : slots) s->timer->cancel();
    maybeFinish();
  }

  // The loop's own pulse, read by /healthz from another thread.
  void armHeartbeat() {
    heartbeat_ns = std::chrono::steady_clock::now().time_since_epoch().count();
    heartbeat.expires_after(std::chrono::seconds(5));
    heartbeat.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) armHeartbeat();
    });
  }

  // Pings come from the loop itself: if it is stuck, systemd restarts us.
  void armWatchdog(std::chrono::microseconds period) {
    watchdog.expires_after(period / 2);
    watchdog.async_wait([this, period](const boost::system::error_code& ec) {
      if (ec) return;
      sd_notify(0, "WATCHDOG=1");
      armWatchdog(period);
    });
  }

  ServiceOptions options;
  asio::io_context io;
  asio::thread_pool workers;
  asio::thread_pool claims_keeper{1};  // Job::keepsClaimsAlive(): never behind the work
  asio::signal_set signals;
  asio::steady_timer watchdog;
  asio::steady_timer heartbeat;
  std::atomic<std::int64_t> heartbeat_ns{0};
  mutable std::mutex stats_mutex;
  std::map<std::string, JobStats> stats;  // by job name, guarded by stats_mutex
  std::vector<std::shared_ptr<Slot>> slots;
  std::map<std::string, std::string> last_status;
  std::string last_sent_status;
  connectors::StopSignal stop_signal;
  bool stopping = false;
  int in_flight = 0;
  int polled_once = 0;
  int failures = 0;
};

Service::Service(Jobs jobs, ServiceOptions options)
    : impl_(std::make_unique<Impl>(std::move(jobs), std::move(options))) {}

Service::~Service() {
  impl_->stop_signal.request();
  impl_->workers.join();
  impl_->claims_keeper.join();
}

int Service::run() {
  Impl& s = *impl_;
  s.waitSignals();
  std::uint64_t usec = 0;
  if (!s.options.once && sd_watchdog_enabled(0, &usec) > 0)
    s.armWatchdog(std::chrono::microseconds(usec));
  s.armHeartbeat();
  s.startAll();
  if (!s.options.once) sd_notify(0, "READY=1");
  s.notifyStatus();
  s.io.run();
  s.workers.join();
  s.claims_keeper.join();
  return s.failures;
}

ServiceHealth Service::health() const {
  const Impl& s = *impl_;
  ServiceHealth h;
  auto beat = std::chrono::steady_clock::time_point(
      std::chrono::steady_clock::duration(s.heartbeat_ns.load()));
  h.loop_alive = std::chrono::steady_clock::now() - beat < std::chrono::seconds(30);
  h.stopping = s.stop_signal.requested();
  std::lock_guard lock(s.stats_mutex);
  for (const auto& [name, js] : s.stats) h.jobs.push_back(js);
  return h;
}

void Service::requestStop() {
  asio::post(impl_->io, [this] { impl_->stop(); });
}

}  // namespace passerelle::daemon

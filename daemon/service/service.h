// Service: the long-running daemon loop (operations.md "Service").
//
// A Boost.Asio io_context on the main thread owns one timer per partner, the
// signals and the systemd notifications; polls themselves (network, store)
// run on a small worker pool so that the loop stays responsive and a slow or
// failing partner never delays another. Each partner has at most one poll in
// flight, scheduled by its PollSchedule (interval with jitter, growing delays
// after failures).
//  - READY=1 is sent by run() (the caller has made sure the store is
//    reachable and migrated before), STATUS= tells what the loop is doing,
//    WATCHDOG=1 is sent from the loop itself, so a stuck loop is restarted.
//  - SIGTERM/SIGINT: STOPPING=1, no new poll starts, the StopSignal asks
//    jobs in flight to stop: downloads and lba requests are abandoned, waits
//    (quota pauses, stability windows) end at once, nothing new is sent;
//    run() returns once they are done (an import in its transaction commits
//    or rolls back: never half a file), within seconds.
//  - SIGHUP: the reload callback builds the new jobs; if it fails the old
//    ones are kept and the failure logged.
//  - once mode: every partner is polled once, then run() returns.
//
// Thread safety: construct and run() on one thread. Job::poll is
// called on worker threads, never twice at once for the same poller.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/host/stop_signal.h"
#include "daemon/service/poll_schedule.h"

namespace passerelle::daemon {

struct JobOutcome {
  bool ok = true;       // false: the run failed; the job backs off
  std::string summary;  // for STATUS= and the log: "2 files imported"
  // The run worked but left work failed or waiting for a retry (a push
  // whose movements failed): no backoff, but `daemon --once` exits 2.
  bool incomplete = false;
  // Nothing was done because the work belongs to another daemon (a partner
  // leased elsewhere, a scheduled slot run elsewhere): not counted as a run.
  bool skipped = false;
};

// A job of the loop: one partner's poll (list its drop folder, take what is
// complete, import, tidy up, report), or one destination's push. Throws on
// failures of the network, machine or store.
class Job {
 public:
  virtual ~Job() = default;
  virtual const std::string& name() const = 0;  // the partner, or the destination
  // What the name is, as the log's key for it: "partner" or "destination",
  // so that a destination's failure never reads "poll failed partner=lba".
  virtual const char* subject() const { return "partner"; }
  // What a run is called in the log: "poll" (a drop folder) or "push".
  virtual const char* activity() const { return "poll"; }
  virtual PollTiming timing() const = 0;
  // A job that runs at set times (France Travail's daily batches) gives the
  // delay until its next run after a success; others wait timing().interval.
  virtual std::optional<std::chrono::milliseconds> scheduledDelay() const { return std::nullopt; }
  // A job that keeps the daemon's claims alive (its heartbeat and partner
  // leases) runs on a thread of its own, never queued behind the work: with
  // a thousand partners due at once, a renewal waiting for a free worker
  // comes late, and another daemon takes over partners still being imported.
  virtual bool keepsClaimsAlive() const { return false; }
  // `stop` is raised on SIGTERM: the run ends as soon as it can (see above).
  virtual JobOutcome run(const connectors::StopSignal& stop, bool once) = 0;
};

using Jobs = std::vector<std::shared_ptr<Job>>;

// What the loop knows of itself, for /healthz and /metrics.
struct JobStats {
  std::string name;                 // partner or destination
  std::string subject = "partner";  // Job::subject(): "partner" or "destination"
  long runs = 0;
  long failures = 0;
  int consecutive_failures = 0;
  std::optional<std::chrono::system_clock::time_point> last_success;
  std::optional<std::chrono::steady_clock::time_point> running_since;
};
struct ServiceHealth {
  bool loop_alive = false;  // the loop's heartbeat is recent
  bool stopping = false;
  std::vector<JobStats> jobs;
};

struct ServiceOptions {
  bool once = false;
  int workers = 2;
  // Builds the jobs from a re-read configuration (SIGHUP); nullopt keeps
  // the current ones.
  std::function<std::optional<Jobs>()> reload;
};

class Service {
 public:
  Service(Jobs jobs, ServiceOptions options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Runs until SIGTERM/SIGINT (or, once mode, until every partner was
  // polled). Returns the number of runs that failed (in once mode, also
  // those that left work failed or waiting for a retry).
  int run();
  // Asks the loop to stop, as SIGTERM does (for tests and embedding).
  void requestStop();
  // Thread-safe: may be called from the HTTP endpoints' thread.
  ServiceHealth health() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace passerelle::daemon

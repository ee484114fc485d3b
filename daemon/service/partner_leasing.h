// PartnerLeasing: the daemon's side of the partner leases (store/
// partner_lease.h): a job of the loop that beats the heartbeat and balances
// the leases every half poll interval, the LeaseBook that remembers what it
// holds, and the pollers wrapped so that a daemon polls only the partners it
// holds (operations.md "Several daemons on one store").
//
// A poller whose partner is not held skips its turn (JobOutcome::skipped):
// nothing is listed, nothing recorded. A partner whose poll is in flight is
// never given back (the book tells balance() which are busy). The book's
// leases end with the store's: if the balancing job cannot reach the store
// (and so renews nothing), the daemon stops polling before another daemon
// may take its partners over.
//
// Thread safety: LeaseBook is thread-safe (a mutex): the leasing job writes
// it and the pollers read it from the loop's worker threads; /metrics reads
// its figures from the HTTP thread.
#pragma once

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "connectors/host/clock.h"
#include "daemon/service/service.h"
#include "daemon/store/daemon_registry.h"
#include "daemon/store/partner_lease.h"

namespace passerelle::daemon {

class LeaseBook {
 public:
  explicit LeaseBook(connectors::Clock& clock) : clock_(clock) {}

  // The result of a balance() round.
  void update(const LeaseBalance& balance);
  // The lease on `partner` is held and not about to end; marks it busy when
  // true (the caller must call done() after its poll).
  bool begin(const std::string& partner);
  void done(const std::string& partner);
  std::set<std::string> busy() const;
  std::vector<std::string> held() const;

 private:
  connectors::Clock& clock_;
  mutable std::mutex mutex_;
  std::set<std::string> held_;
  std::set<std::string> busy_;
  connectors::Clock::WallTime until_{};  // stop polling from here (before the expiry)
  std::chrono::milliseconds margin_{0};
};

// The leasing job: every half `poll_interval`, balance() for `partners`.
std::shared_ptr<Job> makeLeasingJob(const DaemonRegistry& registry, std::string store_url,
                                    std::vector<std::string> partners, LeaseBook& book);

// Each poller wrapped: it runs only while its partner's lease is held.
Jobs leasedPollers(Jobs pollers, LeaseBook& book);

}  // namespace passerelle::daemon

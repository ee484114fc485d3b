// LeaseKeeper: keeps a lease in the store alive while the caller works under
// it (the outbox's claims during a push, a scheduled job's slot during its
// run), from a thread and a store connection of its own, so that a long
// wait of the worker (the lba quota, an upload) never lets it expire.
//
// Every `lease / 3` it calls `renew` in a transaction; `renew` extends the
// lease to now + lease and says whether it is still held. The keeper raises
// its stop() signal, which the worker uses as its StopSignal:
//  - when the outer signal (SIGTERM) is raised, at once;
//  - when the lease may be lost: a renewal answered "not held", or no
//    renewal succeeded (store unreachable) and the lease ends within
//    `lease / 6`. The worker then starts nothing more under the lease (no
//    movement sent, its transfer in flight abandoned), so that the daemon
//    that takes the lease over after its expiry is the only one sending.
// A daemon killed with SIGKILL stops renewing with everything else: its
// leases come back after `lease`.
//
// Time: the lease's end is measured with the Clock (the store's leases use
// it); the period between renewals is real time.
//
// Thread safety: construct and destroy on the worker's thread; stop() and
// lost() may be read from any thread. `renew` runs on the keeper's thread
// with the keeper's connection only.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"
#include "connectors/host/stop_signal.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {

class LeaseKeeper {
 public:
  using Renew = std::function<bool(pqxx::transaction_base& tx)>;

  // `store_url` opens the keeper's connection; `outer` (may be nullptr)
  // is the daemon's SIGTERM signal.
  LeaseKeeper(std::string store_url, connectors::Clock& clock, std::chrono::milliseconds lease,
              Renew renew, const connectors::StopSignal* outer);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  const connectors::StopSignal& stop() const { return stop_; }
  // The lease may be lost (not merely SIGTERM).
  bool lost() const { return lost_.load(); }
  long renewals() const { return renewals_.load(); }

 private:
  void loop();

  std::string store_url_;
  connectors::Clock& clock_;
  std::chrono::milliseconds lease_;
  Renew renew_;
  const connectors::StopSignal* outer_;
  connectors::StopSignal stop_;
  connectors::StopSignal done_;
  std::atomic<bool> lost_{false};
  std::atomic<long> renewals_{0};
  connectors::Clock::WallTime held_until_;
  std::thread thread_;
};

// A keeper of `outbox`'s claims (its worker id), on a connection opened
// like `store`. The outbox's lease should be kRenewedClaimLease.
std::unique_ptr<LeaseKeeper> keepClaims(const pqxx::connection& store, Outbox& outbox,
                                        const connectors::StopSignal* outer);

}  // namespace passerelle::daemon

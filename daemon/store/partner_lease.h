// PartnerLeases: which daemon polls which partner (operations.md "Several
// daemons on one store": each partner polled by one daemon at a time,
// partners spread across the live daemons, a dead daemon's partners taken
// over within two poll intervals).
//
// A lease (partner_leases, schema 007) has an owner and an expiry two poll
// intervals (the registry's ttl) after its last renewal. Every daemon calls
// balance() every half interval; one call, in one transaction:
//   1. beats the daemon's heartbeat (daemon_registry.h);
//   2. renews the daemon's leases and drops those of partners it no longer
//      has in its configuration;
//   3. computes the fair share: ceil(partners / live daemons);
//   4. gives back the leases above the share (never one whose poll is in
//      flight: the caller says which are busy), so that a new daemon finds
//      partners to take;
//   5. takes free or expired leases up to the share.
// A dead daemon stops renewing: its leases expire after the ttl and the next
// balance() of another daemon (half an interval later at most) takes them.
//
// Concurrency: balance() runs under a transaction-scoped advisory lock, the
// same for every daemon, so that balancing is serial across the store. Row
// locks alone could not keep the invariant, which is about a count across
// rows (two daemons reading "3 free" at once would both take 3). The lock is
// held for a few short statements every half interval per daemon. Taking a
// lease is still an upsert conditional on the old one having expired, so a
// lease is never taken from a live owner even by a writer outside the lock.
// The file ledger and the import's advisory lock stay the second line of
// defence: a partner polled twice still never imports a file twice.
//
// Thread safety: a PartnerLeases is immutable; its methods use the caller's
// transaction, which belongs to one thread.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "daemon/store/daemon_registry.h"

namespace passerelle::daemon {

inline constexpr int kLeaseLockClass = 0x6c656173;  // "leas"

struct LeaseBalance {
  std::vector<std::string> held;  // after the call, by name
  std::vector<std::string> taken, released;
  long live_daemons = 1;
  long share = 0;                          // ceil(partners / live daemons)
  connectors::Clock::WallTime expires_at;  // of the leases held
};

class PartnerLeases {
 public:
  explicit PartnerLeases(const DaemonRegistry& registry) : registry_(registry) {}

  // One round (see above). `partners`: the configured partner ids; `busy`:
  // partners whose poll is in flight, never given back.
  LeaseBalance balance(pqxx::transaction_base& tx, const std::vector<std::string>& partners,
                       const std::set<std::string>& busy) const;

 private:
  const DaemonRegistry& registry_;
};

// The leases held by `owner`, not expired at `now`, by name.
std::vector<std::string> leasesHeld(pqxx::transaction_base& tx, const std::string& owner,
                                    connectors::Clock::WallTime now);

}  // namespace passerelle::daemon

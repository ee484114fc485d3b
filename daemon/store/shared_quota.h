// SharedQuota: a request quota of a national service kept in the store, so
// that every process using one API key (daemons, `push`, `reconcile`, on one
// host or several) draws from the same window (lba.md: "The quota belongs to
// the API key, not to a process").
//
// The rule is SlidingWindowLimiter's (connectors/http/rate_limiter.h, with
// its proof): a grant at time t only if fewer than N grants end after
// t - (window + margin), where a grant in flight ends at its deadline bound
// (granted_at + request_deadline) and an ended one when its request ended;
// and not while a pause (after a 429) runs. The log of grants lives in
// quota_grants (schema 004, ends_at and id from 013); a grant is decided and
// written in one transaction under an advisory lock of the quota, so two
// processes never both take the last slot, and t is read once the lock is
// held: read before, a wait on the lock would record the grant seconds
// before it really happened, earlier than the rule allows. end() lowers the
// grant's ends_at to the time the request ended; it needs no lock, since an
// end only ever decreases, which can only free a slot sooner, never break
// the rule (an ending that fails leaves the bound, which is still safe).
// Times are the Clock's wall time: processes on several hosts rely on their
// clocks agreeing (NTP) to well within the margin (1 s by default).
//
// A process killed mid-request leaves its grant in flight: it counts until
// its deadline bound, then window + margin more, and is forgotten (pruned
// with the rows whose end is past the window + margin).
//
// A quota is named by the service, the kind of call and a hash of the API
// key (quotaName()): the key itself is never stored.
//
// Thread safety: a SharedQuota uses the connection it is given, which
// belongs to one thread; call it when no transaction is open on it (the
// clients take a slot just before a request, and end it just after,
// outside any transaction).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"
#include "connectors/http/rate_limiter.h"

namespace passerelle::daemon {

// Advisory lock class of the quotas: pg_advisory_xact_lock(class,
// hashtext(quota name)) serialises the grants of one quota.
inline constexpr int kQuotaLockClass = 0x51554f54;  // "QUOT"

class SharedQuota final : public connectors::Quota {
 public:
  SharedQuota(pqxx::connection& store, connectors::Clock& clock, std::string name,
              connectors::WindowQuota quota);

  std::chrono::nanoseconds tryAcquire(connectors::Slot& slot) override;
  void end(connectors::Slot slot) override;
  void pauseFor(std::chrono::nanoseconds delay) override;
  // Grants the service may have counted in the last window (ended within it,
  // or still in flight), for tests and status.
  long grantsInWindow();

 private:
  pqxx::connection& store_;
  std::string name_;
  connectors::WindowQuota quota_;
};

// "lba:write:<16 hex of the key's SHA-256>".
std::string quotaName(std::string_view service, std::string_view kind, std::string_view api_key);

}  // namespace passerelle::daemon

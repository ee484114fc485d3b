// SharedQuota: a request quota of a national service kept in the store, so
// that every process using one API key (daemons, `push`, `reconcile`, on one
// host or several) draws from the same window (lba.md: "The quota belongs to
// the API key, not to a process").
//
// The rule is SlidingWindowLimiter's (connectors/http/rate_limiter.h, with
// its proof): a grant at time t only if the oldest of the last N grants is at
// least `window + margin` before t, and not while a pause (after a 429) runs.
// The log of grants lives in quota_grants (schema 004); a grant is decided
// and written in one transaction under an advisory lock of the quota, so two
// processes never both take the last slot. Times are the Clock's wall time:
// processes on several hosts rely on their clocks agreeing (NTP) to well
// within the margin (1 s by default).
//
// A quota is named by the service, the kind of call and a hash of the API
// key (quotaName()): the key itself is never stored.
//
// Thread safety: a SharedQuota uses the connection it is given, which
// belongs to one thread; call it when no transaction is open on it (the
// clients take a slot just before a request, outside any transaction).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"
#include "connectors/http/rate_limiter.h"

namespace passerelle::daemon {

class SharedQuota final : public connectors::Quota {
 public:
  SharedQuota(pqxx::connection& store, connectors::Clock& clock, std::string name,
              connectors::WindowQuota quota);

  std::chrono::nanoseconds tryAcquire() override;
  void pauseFor(std::chrono::nanoseconds delay) override;
  // Grants in the last window (for tests and status).
  long grantsInWindow();

 private:
  pqxx::connection& store_;
  std::string name_;
  connectors::WindowQuota quota_;
};

// "lba:write:<16 hex of the key's SHA-256>".
std::string quotaName(std::string_view service, std::string_view kind, std::string_view api_key);

}  // namespace passerelle::daemon

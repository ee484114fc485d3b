#include "daemon/store/shared_quota.h"

#include <algorithm>

#include "connectors/digest/sha256.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {

namespace {

// Advisory lock class of the quotas (pg_advisory_xact_lock(class, hash)).
constexpr int kQuotaLockClass = 0x51554f54;  // "QUOT"

long long micros(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

std::chrono::nanoseconds secondsToWait(double seconds) {
  if (!(seconds > 0)) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(static_cast<long long>(seconds * 1e9) + 1);
}

}  // namespace

SharedQuota::SharedQuota(pqxx::connection& store, connectors::Clock& clock, std::string name,
                         connectors::WindowQuota quota)
    : Quota(clock), store_(store), name_(std::move(name)), quota_(quota) {
  if (quota_.requests < 1) quota_.requests = 1;  // zero would block for ever
}

std::chrono::nanoseconds SharedQuota::tryAcquire() {
  const std::string now = sqlTimestamp(clock_.now());
  pqxx::work tx(store_);
  tx.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))", kQuotaLockClass, name_);
  double wait = 0;
  const pqxx::result pause = tx.exec_params(
      "SELECT extract(epoch FROM paused_until - $2::timestamptz) FROM quota_pauses"
      " WHERE quota = $1",
      name_, now);
  if (!pause.empty()) wait = pause[0][0].as<double>();
  const long long span = micros(quota_.window + quota_.margin);
  // Grants older than the span can never hold a new one back.
  tx.exec_params(
      "DELETE FROM quota_grants WHERE quota = $1"
      " AND granted_at <= $2::timestamptz - make_interval(secs => $3::double precision / 1e6)",
      name_, now, span);
  const pqxx::row recent = tx.exec_params1(
      "SELECT count(*), extract(epoch FROM min(granted_at)"
      "   + make_interval(secs => $4::double precision / 1e6) - $2::timestamptz)"
      " FROM (SELECT granted_at FROM quota_grants WHERE quota = $1"
      "       ORDER BY granted_at DESC LIMIT $3) last_n",
      name_, now, quota_.requests, span);
  if (recent[0].as<long>() >= quota_.requests) wait = std::max(wait, recent[1].as<double>());
  if (wait > 0) return secondsToWait(wait);  // the transaction ends, the lock with it
  tx.exec_params("INSERT INTO quota_grants (quota, granted_at) VALUES ($1, $2::timestamptz)", name_,
                 now);
  tx.commit();
  return std::chrono::nanoseconds(0);
}

void SharedQuota::pauseFor(std::chrono::nanoseconds delay) {
  pqxx::work tx(store_);
  tx.exec_params(
      "INSERT INTO quota_pauses (quota, paused_until)"
      " VALUES ($1, $2::timestamptz + make_interval(secs => $3::double precision / 1e6))"
      " ON CONFLICT (quota) DO UPDATE SET"
      " paused_until = greatest(quota_pauses.paused_until, excluded.paused_until)",
      name_, sqlTimestamp(clock_.now()), micros(delay));
  tx.commit();
}

long SharedQuota::grantsInWindow() {
  pqxx::read_transaction tx(store_);
  return tx
      .exec_params1(
          "SELECT count(*) FROM quota_grants WHERE quota = $1"
          " AND granted_at > $2::timestamptz - make_interval(secs => $3::double precision / 1e6)",
          name_, sqlTimestamp(clock_.now()), micros(quota_.window))[0]
      .as<long>();
}

std::string quotaName(std::string_view service, std::string_view kind, std::string_view api_key) {
  return std::string(service) + ":" + std::string(kind) + ":" +
         connectors::sha256Hex(api_key).substr(0, 16);
}

}  // namespace passerelle::daemon

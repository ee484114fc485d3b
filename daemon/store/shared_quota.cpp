#include "daemon/store/shared_quota.h"

#include <algorithm>
#include <cstdint>

#include "connectors/digest/sha256.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {

namespace {

long long micros(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

}  // namespace

SharedQuota::SharedQuota(pqxx::connection& store, connectors::Clock& clock, std::string name,
                         connectors::WindowQuota quota)
    : Quota(clock), store_(store), name_(std::move(name)), quota_(quota) {
  if (quota_.requests < 1) quota_.requests = 1;  // zero would block for ever
}

std::chrono::nanoseconds SharedQuota::tryAcquire(connectors::Slot& slot) {
  using std::chrono::microseconds;
  pqxx::work tx(store_);
  tx.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))", kQuotaLockClass, name_);
  // The grant's time, read once no other process can grant (see the header).
  const std::string now = sqlTimestamp(clock_.now());
  const long long span = micros(quota_.window + quota_.margin);
  // One round trip: forget the grants that can hold nothing back any more;
  // read the pause; and, among the grants ending after now - span, the N-th
  // latest end, in microseconds from now (grants drop out in the order of
  // their ends: that one's leaving brings the count below N; none when fewer
  // than N). The DELETE does not change what the statement's SELECTs see,
  // hence their own filter on the span.
  const pqxx::row r = tx.exec_params1(
      "WITH pruned AS ("
      "  DELETE FROM quota_grants WHERE quota = $1"
      "   AND ends_at <= $2::timestamptz - $3::bigint * interval '1 microsecond')"
      " SELECT"
      "  (SELECT (extract(epoch FROM paused_until - $2::timestamptz) * 1e6)::bigint"
      "   FROM quota_pauses WHERE quota = $1),"
      "  (SELECT (extract(epoch FROM ends_at - $2::timestamptz) * 1e6)::bigint"
      "   FROM quota_grants WHERE quota = $1"
      "   AND ends_at > $2::timestamptz - $3::bigint * interval '1 microsecond'"
      "   ORDER BY ends_at DESC OFFSET $4::integer - 1 LIMIT 1)",
      name_, now, span, quota_.requests);
  std::chrono::nanoseconds wait(0);
  if (!r[0].is_null())
    wait = std::max(wait, std::chrono::nanoseconds(microseconds(r[0].as<long long>())));
  if (!r[1].is_null()) {
    const long long until_end = r[1].as<long long>();
    std::chrono::nanoseconds full = microseconds(until_end + span);
    // An end after now is the deadline bound of a request in flight, which
    // will usually end (and lower it) long before: poll instead.
    if (until_end > 0) full = std::min<std::chrono::nanoseconds>(full, connectors::kInFlightPoll);
    wait = std::max(wait, full);
  }
  if (wait > std::chrono::nanoseconds(0)) return wait;  // the transaction ends, the lock with it
  const pqxx::row grant = tx.exec_params1(
      "INSERT INTO quota_grants (quota, granted_at, ends_at)"
      " VALUES ($1, $2::timestamptz,"
      "         $2::timestamptz + $3::bigint * interval '1 microsecond')"
      " RETURNING id",
      name_, now, micros(quota_.request_deadline));
  tx.commit();
  slot = connectors::Slot{grant[0].as<std::int64_t>()};
  return std::chrono::nanoseconds(0);
}

void SharedQuota::end(connectors::Slot slot) {
  if (!slot) return;
  // One statement, no lock: an end only ever decreases (see the header).
  pqxx::nontransaction tx(store_);
  tx.exec_params(
      "UPDATE quota_grants SET ends_at = least(ends_at, $3::timestamptz)"
      " WHERE id = $1 AND quota = $2",
      slot.id, name_, sqlTimestamp(clock_.now()));
}

void SharedQuota::pauseFor(std::chrono::nanoseconds delay) {
  pqxx::work tx(store_);
  tx.exec_params(
      "INSERT INTO quota_pauses (quota, paused_until)"
      " VALUES ($1, $2::timestamptz + $3::bigint * interval '1 microsecond')"
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
          " AND ends_at > $2::timestamptz - $3::bigint * interval '1 microsecond'",
          name_, sqlTimestamp(clock_.now()), micros(quota_.window))[0]
      .as<long>();
}

std::string quotaName(std::string_view service, std::string_view kind, std::string_view api_key) {
  return std::string(service) + ":" + std::string(kind) + ":" +
         connectors::sha256Hex(api_key).substr(0, 16);
}

}  // namespace passerelle::daemon

#include "daemon/store/job_lease.h"

#include "daemon/store/outbox.h"

namespace passerelle::daemon {

JobSlotState JobLeases::take(pqxx::transaction_base& tx, const std::string& job,
                             connectors::Clock::WallTime slot) const {
  const auto now = clock_.now();
  const pqxx::result taken = tx.exec_params(
      "INSERT INTO job_leases (job, slot, owner, taken_at, expires_at)"
      " VALUES ($1, $2::timestamptz, $3, $4::timestamptz, $5::timestamptz)"
      " ON CONFLICT (job, slot) DO UPDATE SET owner = excluded.owner,"
      " taken_at = excluded.taken_at, expires_at = excluded.expires_at"
      " WHERE job_leases.done_at IS NULL AND job_leases.expires_at <= $4::timestamptz"
      " RETURNING owner",
      job, sqlTimestamp(slot), owner_, sqlTimestamp(now), sqlTimestamp(now + ttl_));
  if (!taken.empty()) return {JobSlot::kTaken, owner_, now + ttl_};
  const pqxx::row row = tx.exec_params1(
      "SELECT owner, done_at IS NOT NULL,"
      " (extract(epoch FROM expires_at) * 1000000)::bigint"
      " FROM job_leases WHERE job = $1 AND slot = $2::timestamptz",
      job, sqlTimestamp(slot));
  JobSlotState s;
  s.owner = row[0].as<std::string>();
  s.state = row[1].as<bool>() ? JobSlot::kDone : JobSlot::kHeld;
  s.until = connectors::Clock::WallTime(std::chrono::microseconds(row[2].as<long long>()));
  return s;
}

bool JobLeases::renew(pqxx::transaction_base& tx, const std::string& job,
                      connectors::Clock::WallTime slot) const {
  return !tx.exec_params(
                "UPDATE job_leases SET expires_at = $4::timestamptz WHERE job = $1"
                " AND slot = $2::timestamptz AND owner = $3 AND done_at IS NULL RETURNING job",
                job, sqlTimestamp(slot), owner_, sqlTimestamp(clock_.now() + ttl_))
              .empty();
}

void JobLeases::finish(pqxx::transaction_base& tx, const std::string& job,
                       connectors::Clock::WallTime slot) const {
  tx.exec_params(
      "UPDATE job_leases SET done_at = $4::timestamptz WHERE job = $1 AND slot = $2::timestamptz"
      " AND owner = $3",
      job, sqlTimestamp(slot), owner_, sqlTimestamp(clock_.now()));
}

void JobLeases::release(pqxx::transaction_base& tx, const std::string& job,
                        connectors::Clock::WallTime slot) const {
  tx.exec_params(
      "UPDATE job_leases SET expires_at = $4::timestamptz WHERE job = $1"
      " AND slot = $2::timestamptz AND owner = $3 AND done_at IS NULL",
      job, sqlTimestamp(slot), owner_, sqlTimestamp(clock_.now()));
}

}  // namespace passerelle::daemon

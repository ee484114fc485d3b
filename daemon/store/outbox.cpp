#include "daemon/store/outbox.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <tuple>

namespace passerelle::daemon {
namespace {

// Another movement of the same offer and destination, as an SQL condition
// on `m` (the row being written).
constexpr const char* kSameOffer =
    "o.partner = m.partner AND o.source_ref = m.source_ref AND o.destination = m.destination"
    " AND o.id <> m.id";

std::optional<int> optInt(std::optional<long> v) {
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

// The last error of a failed movement was one that time can cure.
constexpr const char* kTransient =
    "(m.last_http_status >= 500 OR m.last_http_status IN (408, 429)"
    " OR (m.last_http_status = 404 AND m.last_error ~* 'not_processed_yet')"
    " OR (m.last_http_status IS NULL AND m.last_error ~* "
    "'(transient|not_processed_yet|rate_limited|timeout|timed out|connect|network|resolv|"
    "reset|unavailable)'))";

RequeueCounts countStates(const pqxx::result& r) {
  RequeueCounts c;
  for (const pqxx::row& row : r)
    ++(row[0].as<std::string>() == "pending" ? c.requeued : c.superseded);
  return c;
}

SettleResult fromState(const pqxx::result& r) {
  if (r.empty()) return SettleResult::kLostLease;
  const std::string state = r[0][0].as<std::string>();
  if (state == "failed") return SettleResult::kGaveUp;
  if (state == "pending" || state == "superseded") return SettleResult::kRetrying;
  return SettleResult::kDone;
}

}  // namespace

const char* toString(SettleResult result) {
  switch (result) {
    case SettleResult::kDone:
      return "done";
    case SettleResult::kRetrying:
      return "retrying";
    case SettleResult::kGaveUp:
      return "gave_up";
    case SettleResult::kLostLease:
      return "lost_lease";
  }
  return "?";
}

std::string sqlTimestamp(connectors::Clock::WallTime t) {
  using namespace std::chrono;
  const auto micros = duration_cast<microseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  long frac = static_cast<long>(micros % 1'000'000);
  if (frac < 0) {
    frac += 1'000'000;
    --seconds;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

Outbox::Outbox(connectors::Clock& clock, OutboxSettings settings, std::string worker_id,
               std::uint64_t seed)
    : clock_(clock), settings_(settings), worker_id_(std::move(worker_id)), random_(seed) {}

std::vector<Movement> Outbox::claim(pqxx::transaction_base& tx, const std::string& destination,
                                    int limit) {
  const std::string now = this->now();
  // Expired leases whose offer changed since: the newer pending movement
  // carries the current state; the old one must not be sent as well.
  tx.exec_params(std::string("UPDATE outbox_movements m SET state = 'superseded',"
                             " claimed_by = NULL, lease_until = NULL, settled_at = $2::timestamptz,"
                             " updated_at = now()"
                             " WHERE m.destination = $1 AND m.state = 'in_flight'"
                             " AND m.lease_until <= $2::timestamptz"
                             " AND EXISTS (SELECT 1 FROM outbox_movements o WHERE ") +
                     kSameOffer + " AND o.state = 'pending')",
                 destination, now);
  const pqxx::result r = tx.exec_params(
      std::string("WITH due AS (SELECT m.id FROM outbox_movements m"
                  " WHERE m.destination = $1"
                  " AND ((m.state = 'pending' AND (m.next_attempt_at IS NULL"
                  "       OR m.next_attempt_at <= $2::timestamptz))"
                  "   OR (m.state = 'in_flight' AND m.lease_until <= $2::timestamptz))"
                  " AND NOT EXISTS (SELECT 1 FROM outbox_movements o WHERE ") +
          kSameOffer +
          " AND o.state = 'in_flight' AND o.lease_until > $2::timestamptz)"
          " AND ($6 = '' OR (m.partner = $6 AND m.source_ref = $7))"
          " ORDER BY m.priority, m.id LIMIT $4 FOR UPDATE OF m SKIP LOCKED)"
          " UPDATE outbox_movements m SET state = 'in_flight', claimed_by = $3,"
          " lease_until = $2::timestamptz + make_interval(secs => $5),"
          " attempts = m.attempts + 1, updated_at = now()"
          " FROM due WHERE m.id = due.id"
          " RETURNING m.id, m.partner, m.source_ref, m.destination, m.kind, m.content_hash,"
          " m.attempts, m.priority",
      destination, now, worker_id_, limit, static_cast<double>(settings_.lease.count()),
      settings_.only_partner, settings_.only_source_ref);
  std::vector<Movement> out;
  out.reserve(r.size());
  for (const pqxx::row& row : r) {
    Movement m;
    m.id = row[0].as<std::int64_t>();
    m.partner = row[1].as<std::string>();
    m.source_ref = row[2].as<std::string>();
    m.destination = row[3].as<std::string>();
    m.kind = row[4].as<std::string>();
    if (!row[5].is_null()) m.content_hash = row[5].as<std::string>();
    m.attempts = row[6].as<int>();
    m.priority = row[7].as<int>();
    out.push_back(std::move(m));
  }
  // RETURNING has no order: the batch is worked in the claim's order.
  std::sort(out.begin(), out.end(), [](const Movement& a, const Movement& b) {
    return std::tie(a.priority, a.id) < std::tie(b.priority, b.id);
  });
  return out;
}

long Outbox::renewClaims(pqxx::transaction_base& tx) {
  return static_cast<long>(
      tx.exec_params("UPDATE outbox_movements SET lease_until = $2::timestamptz"
                     " WHERE claimed_by = $1 AND state = 'in_flight'",
                     worker_id_, sqlTimestamp(clock_.now() + settings_.lease))
          .affected_rows());
}

SettleResult Outbox::settle(pqxx::transaction_base& tx, const Movement& m, const std::string& state,
                            const std::optional<std::string>& error,
                            std::optional<long> http_status) {
  const pqxx::result r = tx.exec_params(
      "UPDATE outbox_movements m SET state = $3, claimed_by = NULL, lease_until = NULL,"
      " next_attempt_at = NULL, settled_at = $4::timestamptz, updated_at = now(),"
      " last_error = CASE WHEN $3 = 'sent' THEN NULL ELSE coalesce($5, m.last_error) END,"
      " last_http_status = coalesce($6, m.last_http_status),"
      " errors = CASE WHEN $5::text IS NULL THEN m.errors ELSE m.errors || jsonb_build_array("
      "   jsonb_build_object('at', $4::timestamptz, 'attempt', m.attempts, 'error', $5::text,"
      "   'http_status', $6::int)) END"
      " WHERE m.id = $1 AND m.claimed_by = $2 AND m.state = 'in_flight' RETURNING m.state",
      m.id, worker_id_, state, now(), error, optInt(http_status));
  return r.empty() ? SettleResult::kLostLease : SettleResult::kDone;
}

SettleResult Outbox::retryLater(pqxx::transaction_base& tx, const Movement& m,
                                const std::string& error, std::optional<long> http_status,
                                std::optional<std::chrono::seconds> not_before, bool counts) {
  auto delay = counts ? backoff(m.attempts) : std::chrono::milliseconds(0);
  if (not_before) delay = std::max<std::chrono::milliseconds>(delay, *not_before);
  const std::string now = this->now();
  const std::string due = sqlTimestamp(clock_.now() + delay);
  const pqxx::result r = tx.exec_params(
      std::string("UPDATE outbox_movements m SET"
                  " attempts = CASE WHEN $7 THEN m.attempts ELSE greatest(m.attempts - 1, 0) END,"
                  " state = CASE WHEN $7 AND m.attempts >= $8 THEN 'failed'"
                  "   WHEN EXISTS (SELECT 1 FROM outbox_movements o WHERE ") +
          kSameOffer +
          " AND o.state = 'pending') THEN 'superseded' ELSE 'pending' END,"
          " claimed_by = NULL, lease_until = NULL, next_attempt_at = $5::timestamptz,"
          " settled_at = CASE WHEN $7 AND m.attempts >= $8 THEN $3::timestamptz END,"
          " updated_at = now(), last_error = $4, last_http_status = $6,"
          " errors = m.errors || jsonb_build_array(jsonb_build_object('at', $3::timestamptz,"
          "   'attempt', m.attempts, 'error', $4::text, 'http_status', $6::int))"
          " WHERE m.id = $1 AND m.claimed_by = $2 AND m.state = 'in_flight' RETURNING m.state",
      m.id, worker_id_, now, error, due, optInt(http_status), counts, settings_.max_attempts);
  return fromState(r);
}

SettleResult Outbox::release(pqxx::transaction_base& tx, const Movement& m) {
  const pqxx::result r = tx.exec_params(
      std::string("UPDATE outbox_movements m SET attempts = greatest(m.attempts - 1, 0),"
                  " state = CASE WHEN EXISTS (SELECT 1 FROM outbox_movements o WHERE ") +
          kSameOffer +
          " AND o.state = 'pending') THEN 'superseded' ELSE 'pending' END,"
          " claimed_by = NULL, lease_until = NULL, next_attempt_at = NULL, updated_at = now()"
          " WHERE m.id = $1 AND m.claimed_by = $2 AND m.state = 'in_flight' RETURNING m.state",
      m.id, worker_id_);
  return fromState(r);
}

long Outbox::requeueFailed(pqxx::transaction_base& tx, const std::string& destination,
                           const std::string& partner, const std::string& source_ref) {
  // Only the newest failed movement of an offer comes back, and only when
  // nothing newer of that offer exists (a newer movement already carries
  // its current state); the others are superseded.
  const pqxx::result r = tx.exec_params(
      std::string("UPDATE outbox_movements m SET state = CASE WHEN NOT EXISTS ("
                  "   SELECT 1 FROM outbox_movements o WHERE ") +
          kSameOffer +
          "   AND (o.id > m.id OR o.state IN ('pending', 'in_flight')))"
          " THEN 'pending' ELSE 'superseded' END,"
          " attempts = 0, next_attempt_at = NULL, claimed_by = NULL, lease_until = NULL,"
          " settled_at = NULL, updated_at = now()"
          " WHERE m.state = 'failed' AND ($1 = '' OR m.destination = $1)"
          " AND ($2 = '' OR (m.partner = $2 AND m.source_ref = $3)) RETURNING m.state",
      destination, partner, source_ref);
  long pending = 0;
  for (const pqxx::row& row : r) pending += row[0].as<std::string>() == "pending" ? 1 : 0;
  return pending;
}

std::chrono::milliseconds Outbox::backoff(int attempt) {
  using namespace std::chrono;
  const double base = duration_cast<milliseconds>(settings_.backoff_base).count();
  const double cap = duration_cast<milliseconds>(settings_.backoff_max).count();
  const double exp = std::min(cap, base * std::pow(2.0, std::clamp(attempt - 1, 0, 40)));
  double factor;
  {
    std::lock_guard lock(random_mutex_);
    factor = std::uniform_real_distribution<double>(0.5, 1.0)(random_);
  }
  return milliseconds(static_cast<long long>(exp * factor));
}

std::string makeWorkerId(const std::string& role) {
  static std::atomic<int> counter{0};
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return role + "@" + host + ":" + std::to_string(::getpid()) + ":" + std::to_string(counter++);
}

namespace {

OutboxCounts countsByState(const pqxx::result& r) {
  OutboxCounts c;
  for (const pqxx::row& row : r) {
    const std::string state = row[0].as<std::string>();
    const long n = row[1].as<long>();
    if (state == "pending") c.pending = n;
    if (state == "in_flight") c.in_flight = n;
    if (state == "sent") c.sent = n;
    if (state == "failed") c.failed = n;
    if (state == "not_eligible") c.not_eligible = n;
    if (state == "superseded") c.superseded = n;
  }
  return c;
}

}  // namespace

OutboxCounts outboxCounts(pqxx::transaction_base& tx, const std::string& destination) {
  return countsByState(tx.exec_params(
      "SELECT state, count(*) FROM outbox_movements WHERE destination = $1 GROUP BY state",
      destination));
}

OutboxCounts outboxBacklogCounts(pqxx::transaction_base& tx, const std::string& destination) {
  return countsByState(
      tx.exec_params("SELECT state, count(*) FROM outbox_movements WHERE destination = $1"
                     " AND state IN ('pending', 'in_flight', 'failed') GROUP BY state",
                     destination));
}

std::string enqueueSql(const std::string& select, EnqueueReason reason) {
  const bool refresh = reason == EnqueueReason::kRefresh;
  const std::string priority =
      std::string("CASE WHEN s.kind = 'close' THEN 0") +
      (refresh ? " ELSE 3 END"
               : " WHEN EXISTS (SELECT 1 FROM destination_offers d WHERE d.partner = s.partner"
                 " AND d.source_ref = s.source_ref AND d.destination = s.destination"
                 " AND (d.accepted_hash IS NOT NULL OR d.service_id IS NOT NULL"
                 "      OR d.possibly_present)) THEN 2 ELSE 1 END");
  const char* on_pending =
      refresh ? " DO NOTHING"
              : " DO UPDATE SET kind = excluded.kind, content_hash = excluded.content_hash,"
                " run_id = excluded.run_id, priority = excluded.priority, created_at = now(),"
                " updated_at = now()";
  return "INSERT INTO outbox_movements (partner, source_ref, destination, kind, content_hash,"
         " run_id, priority) SELECT s.partner, s.source_ref, s.destination, s.kind,"
         " s.content_hash, s.run_id::bigint, " +
         priority + " FROM (" + select +
         ") AS s (partner, source_ref, destination, kind, content_hash, run_id)"
         " ON CONFLICT (partner, source_ref, destination) WHERE state = 'pending'" +
         on_pending;
}

RequeueCounts requeueStuck(pqxx::transaction_base& tx, connectors::Clock::WallTime now,
                           std::chrono::minutes grace) {
  const std::string newer_pending = std::string("EXISTS (SELECT 1 FROM outbox_movements o WHERE ") +
                                    kSameOffer + " AND o.state = 'pending')";
  return countStates(tx.exec_params(
      "UPDATE outbox_movements m SET state = CASE WHEN " + newer_pending +
          " THEN 'superseded' ELSE 'pending' END, settled_at = CASE WHEN " + newer_pending +
          " THEN $1::timestamptz END,"
          " claimed_by = NULL, lease_until = NULL, next_attempt_at = NULL, updated_at = now()"
          " WHERE m.state = 'in_flight'"
          " AND m.lease_until <= $1::timestamptz - make_interval(mins => $2)"
          " RETURNING m.state",
      sqlTimestamp(now), static_cast<int>(grace.count())));
}

RequeueCounts requeueTransientFailures(pqxx::transaction_base& tx, connectors::Clock::WallTime now,
                                       std::chrono::minutes after) {
  const std::string newer = std::string("EXISTS (SELECT 1 FROM outbox_movements o WHERE ") +
                            kSameOffer +
                            " AND (o.id > m.id OR o.state IN ('pending', 'in_flight')))";
  return countStates(tx.exec_params(
      "UPDATE outbox_movements m SET state = CASE WHEN " + newer +
          " THEN 'superseded' ELSE 'pending' END, settled_at = CASE WHEN " + newer +
          " THEN $1::timestamptz END,"
          " attempts = 0, next_attempt_at = NULL, claimed_by = NULL, lease_until = NULL,"
          " updated_at = now()"
          " WHERE m.state = 'failed'"
          " AND m.settled_at <= $1::timestamptz - make_interval(mins => $2) AND " +
          kTransient + " RETURNING m.state",
      sqlTimestamp(now), static_cast<int>(after.count())));
}

}  // namespace passerelle::daemon

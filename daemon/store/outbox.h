// Outbox: delivery of the movements queued by imports (outbox_movements,
// schema 001/002) to one destination, safely shared by several daemons.
//
// A worker claim()s due movements (pending and due, or in flight with an
// expired lease) with `FOR UPDATE SKIP LOCKED` and takes a lease on them; the
// claim is committed at once, so the lease is visible to every other worker.
// It then does the work outside any transaction (HTTP) and settles each
// movement in a transaction of its own, together with the destination's
// state, with a check that the lease is still its own: a settle that finds
// another owner (lease expired and taken over) changes nothing and reports
// it, and the caller rolls its transaction back.
//
// Invariants:
//  - a movement is claimed by one worker at a time (row locks + lease);
//  - at most one movement per (offer, destination) is in flight: a pending
//    movement whose offer has another movement in flight under a live lease
//    is not claimed (it waits for the older one to settle);
//  - an expired lease is taken back; when a newer change of the offer is
//    pending, the old movement is `superseded` instead (the newer one
//    carries the offer's current state).
// Time (leases, backoff) comes from the Clock, never from the server's now().
//
// Retries: retryLater() puts the movement back to pending with an
// exponential backoff with jitter (base * 2^(attempt-1), capped, then a
// random factor in [0.5, 1]) and an optional floor (Retry-After). After
// `max_attempts` claims it goes to `failed` with its whole error history.
// requeueFailed() (`passerelle retry`) gives failed movements a new life.
//
// Thread safety: an Outbox is thread-safe (its settings are fixed, its random
// generator is guarded by a mutex); each thread uses its own connection and
// transactions, as pqxx requires.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"

namespace passerelle::daemon {

// The claims' lease of a daemon's pushes, renewed while it works on them
// (LeaseKeeper): a dead daemon's claims come back after this. Commands
// (`push`, `reconcile`) renew nothing and keep OutboxSettings' default.
inline constexpr std::chrono::seconds kRenewedClaimLease{30};

struct OutboxSettings {
  std::chrono::seconds lease = std::chrono::minutes(5);
  int max_attempts = 10;
  std::chrono::seconds backoff_base = std::chrono::seconds(30);
  std::chrono::seconds backoff_max = std::chrono::hours(2);
  // `push --ref PARTNER:REF`: claim only this offer's movements (empty: all).
  std::string only_partner, only_source_ref;
};

// One claimed movement.
struct Movement {
  std::int64_t id = 0;
  std::string partner;
  std::string source_ref;
  std::string destination;
  std::string kind;  // "upsert" | "close"
  std::optional<std::string> content_hash;
  int attempts = 0;  // including this claim
  int priority = 2;  // see enqueue(): 0 close, 1 new, 2 change, 3 refresh
};

enum class SettleResult {
  kDone,       // written
  kRetrying,   // retryLater: pending again, due later
  kGaveUp,     // retryLater: max attempts reached, now `failed`
  kLostLease,  // the movement is no longer ours: nothing written
};
const char* toString(SettleResult result);

// "2026-05-28T10:00:00.000000Z": a Clock time as an SQL timestamptz literal.
std::string sqlTimestamp(connectors::Clock::WallTime t);

class Outbox {
 public:
  Outbox(connectors::Clock& clock, OutboxSettings settings, std::string worker_id,
         std::uint64_t seed = std::random_device{}());

  const std::string& workerId() const { return worker_id_; }
  const OutboxSettings& settings() const { return settings_; }
  connectors::Clock& clock() const { return clock_; }

  // Claims at most `limit` due movements of `destination`, oldest first, in
  // the caller's transaction (commit it before working on them).
  std::vector<Movement> claim(pqxx::transaction_base& tx, const std::string& destination,
                              int limit);

  // Extends the lease of every movement this worker still holds in flight
  // to now + lease (LeaseKeeper). Returns how many. A movement taken over
  // by another worker is not ours and is not touched.
  long renewClaims(pqxx::transaction_base& tx);

  // Final states, only if the lease is still ours. `state` is "sent",
  // "not_eligible" or "failed" (failed: `error` appended to the history).
  SettleResult settle(pqxx::transaction_base& tx, const Movement& m, const std::string& state,
                      const std::optional<std::string>& error = std::nullopt,
                      std::optional<long> http_status = std::nullopt);
  // Back to pending after a failed attempt, due after the backoff (and not
  // before `not_before` from now); `failed` after max_attempts. When
  // `counts` is false (a 429: the offer is fine, the quota is not) the
  // attempt is not counted.
  SettleResult retryLater(pqxx::transaction_base& tx, const Movement& m, const std::string& error,
                          std::optional<long> http_status = std::nullopt,
                          std::optional<std::chrono::seconds> not_before = std::nullopt,
                          bool counts = true);
  // Gives the movement back untouched (pending, due now, attempt not
  // counted): the destination is paused, the movement did nothing wrong.
  SettleResult release(pqxx::transaction_base& tx, const Movement& m);

  // `passerelle retry`: failed movements pending again (attempts and due
  // time reset, history kept), unless a newer movement of the offer is
  // pending or in flight (then the failed one is superseded). Empty
  // `destination`: all; non-empty `partner` and `source_ref`: only that
  // offer's (`retry --ref`). Returns how many were re-queued.
  long requeueFailed(pqxx::transaction_base& tx, const std::string& destination,
                     const std::string& partner = "", const std::string& source_ref = "");

  // The delay before the next attempt after `attempt` failed ones (with jitter).
  std::chrono::milliseconds backoff(int attempt);

 private:
  std::string now() const { return sqlTimestamp(clock_.now()); }

  connectors::Clock& clock_;
  OutboxSettings settings_;
  std::string worker_id_;
  std::mutex random_mutex_;
  std::mt19937_64 random_;
};

// Adding movements. Every writer of outbox_movements goes through here (the
// merge's plans, reconcile's full stock, a destination's refresh), so the
// rule "at most one pending movement per offer and destination" and the
// order under backlog live in one place. Claims take the lowest priority
// first (lba.md "Order under backlog": the quota is the bottleneck):
//   0 closes (candidates must not apply to offers that are gone),
//   1 new offers (never accepted by the destination),
//   2 changes,
//   3 refreshes (rolling expiration).
enum class EnqueueReason {
  kChange,   // the offer changed: a pending movement takes its kind, hash and run
  kRefresh,  // nothing changed (rolling expiration): a pending movement already carries it
};
// The INSERT for a SELECT yielding (partner, source_ref, destination, kind,
// content_hash, run_id).
std::string enqueueSql(const std::string& select, EnqueueReason reason);
// Runs it with the SELECT's parameters; returns how many were added or replaced.
template <typename... Params>
long enqueue(pqxx::transaction_base& tx, EnqueueReason reason, const std::string& select,
             Params&&... params) {
  return static_cast<long>(
      tx.exec_params(enqueueSql(select, reason), std::forward<Params>(params)...).affected_rows());
}

// Reconcile's repairs (operations.md "Reconciliation"): movements given a new
// life, or superseded when a newer movement of the offer carries it.
struct RequeueCounts {
  long requeued = 0;
  long superseded = 0;
};
// In flight under a lease that expired more than `grace` before `now`.
RequeueCounts requeueStuck(pqxx::transaction_base& tx, connectors::Clock::WallTime now,
                           std::chrono::minutes grace);
// Failed more than `after` before `now` with an error time can cure (5xx,
// 408, 429, a timeout, not processed yet).
RequeueCounts requeueTransientFailures(pqxx::transaction_base& tx, connectors::Clock::WallTime now,
                                       std::chrono::minutes after);

// A worker id unique across daemons: host, pid and a per-process counter.
std::string makeWorkerId(const std::string& role);

// Per-destination counts, for status and tests.
struct OutboxCounts {
  long pending = 0, in_flight = 0, sent = 0, failed = 0, not_eligible = 0, superseded = 0;
};
OutboxCounts outboxCounts(pqxx::transaction_base& tx, const std::string& destination);
// Only the movements still to act on (pending, in flight, failed; the other
// counts stay 0), read from the (destination, state, id) index without
// touching the sent ones: what `status` shows, fast on millions of movements.
OutboxCounts outboxBacklogCounts(pqxx::transaction_base& tx, const std::string& destination);

}  // namespace passerelle::daemon

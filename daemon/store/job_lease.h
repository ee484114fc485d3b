// JobLeases: a scheduled job (France Travail's batch at 05:30) runs once
// across the daemons sharing a store, per due slot (operations.md "Several
// daemons on one store": scheduled jobs run once).
//
// One row per (job, slot) in job_leases (schema 007). take() is a single
// upsert that succeeds only when no row exists, or when the row is neither
// done nor held under a live lease: PostgreSQL's INSERT ... ON CONFLICT DO
// UPDATE locks the conflicting row, so two daemons taking one slot at the
// same instant get one winner, without an explicit lock. The owner renews
// the lease while it works (renew()), marks the slot done when the job ran
// (finish()), or gives it back at once when the run failed (release()), so
// that the retry, its own or another daemon's, may take it. A daemon dying
// mid-job stops renewing: after the ttl another daemon's take() succeeds and
// it runs the job again. What it sends again is only what the first did
// not settle (the outbox's claims), so the batch gives no duplicate file;
// a file whose upload was cut by the death before its answer may be sent
// again, as the destination's unknown outcomes are everywhere.
//
// Thread safety: a JobLeases is immutable; its methods use the caller's
// transaction, which belongs to one thread.
#pragma once

#include <chrono>
#include <string>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"

namespace passerelle::daemon {

enum class JobSlot {
  kTaken,  // ours: run the job
  kDone,   // it already ran for this slot
  kHeld,   // another daemon runs it now (see `until`)
};

struct JobSlotState {
  JobSlot state = JobSlot::kTaken;
  std::string owner;                  // kHeld: who
  connectors::Clock::WallTime until;  // kHeld: when its lease ends
};

class JobLeases {
 public:
  JobLeases(connectors::Clock& clock, std::string owner, std::chrono::milliseconds ttl)
      : clock_(clock), owner_(std::move(owner)), ttl_(ttl) {}

  const std::string& owner() const { return owner_; }
  std::chrono::milliseconds ttl() const { return ttl_; }

  JobSlotState take(pqxx::transaction_base& tx, const std::string& job,
                    connectors::Clock::WallTime slot) const;
  // False when the slot is no longer ours (expired and taken by another).
  bool renew(pqxx::transaction_base& tx, const std::string& job,
             connectors::Clock::WallTime slot) const;
  void finish(pqxx::transaction_base& tx, const std::string& job,
              connectors::Clock::WallTime slot) const;
  void release(pqxx::transaction_base& tx, const std::string& job,
               connectors::Clock::WallTime slot) const;

 private:
  connectors::Clock& clock_;
  std::string owner_;
  std::chrono::milliseconds ttl_;
};

}  // namespace passerelle::daemon

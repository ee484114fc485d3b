// DaemonRegistry: the daemons sharing one store (operations.md "Several
// daemons on one store"): each one's identity, its heartbeat, which are
// alive, and forgetting the long gone.
//
// A daemon is identified by an id made at start (host, pid and random bits,
// so that a restarted daemon with a recycled pid is a new one) and writes
// its row in `daemons` (schema 007) at every heartbeat: heartbeat_at = now,
// expires_at = now + ttl (two poll intervals). A daemon is alive while its
// expires_at is ahead and it has not said goodbye (SIGTERM): that count
// spreads the partners (partner_lease.h). A daemon killed with SIGKILL just
// stops beating and is gone after ttl. Rows gone for a day are deleted.
//
// Each heartbeat is one upsert of the daemon's own row: no other daemon
// writes it, so no lock is needed; the live count is read in the caller's
// transaction (partner_lease.h serialises the balancing around it).
// Times are the Clock's wall time (hosts agree through NTP).
//
// The daemon's id also tags its store sessions (withSessionSetting()): the
// runs it makes (imports, pushes, reconciliations) record it by the column
// default of schema 007, without each writer passing it along.
//
// Thread safety: a DaemonRegistry is immutable after construction; its
// methods use the caller's transaction, which belongs to one thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"

namespace passerelle::daemon {

struct DaemonIdentity {
  std::string id;  // "host:pid:8 hex"
  std::string host;
  int pid = 0;
  std::string version;
};

// This process's identity: the host name, the pid and 32 random bits.
DaemonIdentity makeDaemonIdentity(const std::string& version);

// The setting that names the daemon in its sessions (schema 007's defaults).
inline constexpr const char* kDaemonIdSetting = "passerelle.daemon_id";

// `url` (a libpq URI) with `-c name=value` in its startup options, so that
// every session opened from it carries the setting. `value` must have no
// blanks or backslashes (a daemon id has none).
std::string withSessionSetting(const std::string& url, const std::string& name,
                               const std::string& value);

class DaemonRegistry {
 public:
  // `ttl`: how long a heartbeat keeps the daemon alive (two poll intervals).
  DaemonRegistry(connectors::Clock& clock, DaemonIdentity identity, std::chrono::milliseconds ttl);

  const DaemonIdentity& identity() const { return identity_; }
  std::chrono::milliseconds ttl() const { return ttl_; }
  connectors::Clock& clock() const { return clock_; }

  // Writes (or first inserts) this daemon's row: alive for ttl from now.
  void heartbeat(pqxx::transaction_base& tx) const;
  // SIGTERM: gone at once, and its partner leases given back, so that the
  // others take its partners without waiting for the expiry.
  void goodbye(pqxx::transaction_base& tx) const;
  // Daemons alive now (this one included once it has beaten).
  long liveCount(pqxx::transaction_base& tx) const;
  // Deletes the rows of daemons gone for longer than `after`; returns how many.
  long forgetGone(pqxx::transaction_base& tx, std::chrono::hours after) const;

 private:
  connectors::Clock& clock_;
  DaemonIdentity identity_;
  std::chrono::milliseconds ttl_;
};

// One daemon as `status` and /metrics show it.
struct DaemonView {
  std::string id, host, version;
  int pid = 0;
  connectors::Clock::WallTime started_at, heartbeat_at;
  bool alive = false;                 // heard from within its ttl, no goodbye
  std::vector<std::string> partners;  // leases held and not expired, by name
};
// Every daemon known to the store, alive first, then by id.
std::vector<DaemonView> listDaemons(pqxx::transaction_base& tx, connectors::Clock::WallTime now);

}  // namespace passerelle::daemon

// MetricsReport: what `/metrics` and `/healthz` answer (operations.md
// "Service"), in the Prometheus text format (version 0.0.4).
//
// The store's figures (files and rows imported, rejects, offers by status,
// outbox depths, destination errors and last successes) are read with a few
// aggregate queries at each scrape; the loop's own (poll failures and last
// successes by partner, push ones by destination) come from
// Service::health(). Names are prefixed `passerelle_`; every label value is
// escaped; the labels are `partner`, `destination` and the like, never `job`
// or `instance` (Prometheus sets those); each family's samples follow its
// HELP and TYPE lines; `passerelle_build_info{version}` is always 1.
// Several daemons: `passerelle_daemon_info{daemon,host,version}` (this one),
// `passerelle_daemon_alive{daemon}`, `..._heartbeat_timestamp_seconds` and
// `passerelle_partner_leases{daemon}` (every daemon the store knows).
//
// Thread safety: pure functions over the caller's connection and snapshot.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "daemon/service/service.h"

namespace passerelle::daemon {

// `daemon_id`: the answering daemon (passerelle_daemon_info); every daemon
// known to the store is listed with its heartbeat, liveness and leases.
std::string renderMetrics(pqxx::connection& store, const ServiceHealth& health,
                          const std::string& daemon_id = "");

// 200 with "ok" when the loop is alive and no job has been running for more
// than `stuck_after`; 503 with the reason otherwise.
struct HealthVerdict {
  bool healthy = false;
  std::string text;
};
HealthVerdict judgeHealth(const ServiceHealth& health, std::chrono::seconds stuck_after);

}  // namespace passerelle::daemon

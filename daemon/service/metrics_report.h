// MetricsReport: what `/metrics` and `/healthz` answer (operations.md
// "Service"), in the Prometheus text format (version 0.0.4).
//
// The store's figures (files and rows imported, rejects, offers by status,
// queue depths, destination errors and last successes) are read with a few
// aggregate queries at each scrape; the loop's own (poll failures and last
// successes by partner) come from Service::health(). Names are prefixed
// `passerelle_`; every label value is escaped.
//
// Thread safety: pure functions over the caller's connection and snapshot.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "daemon/service/service.h"

namespace passerelle::daemon {

std::string renderMetrics(pqxx::connection& store, const ServiceHealth& health);

// 200 with "ok" when the loop is alive and no job has been running for more
// than `stuck_after`; 503 with the reason otherwise.
struct HealthVerdict {
  bool healthy = false;
  std::string text;
};
HealthVerdict judgeHealth(const ServiceHealth& health, std::chrono::seconds stuck_after);

}  // namespace passerelle::daemon

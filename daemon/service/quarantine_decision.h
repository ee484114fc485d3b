// QuarantineDecision: an operator's decision on a quarantined file, the one
// implementation behind `passerelle approve` / `set-aside` and the
// dashboard's « Appliquer » / « Écarter » buttons.
//
// Approving applies the held snapshot in a new run (OfferImport::approve,
// checking a Sigma file's code against the partner's configuration);
// setting aside records that it is never applied and removes its held copy.
// Either way, once decided, the partner's report is written again in its
// folder (or marked due for its next poll when the folder is unreachable).
// Without `apply`, nothing is changed: approving gives the preview (what
// would be created, updated, withdrawn), setting aside only checks that the
// run waits for a decision.
//
// Errors: ApproveRefused (offer_import.h) when the run cannot be decided;
// store failures as exceptions.
//
// Thread safety: functions over the caller's connection, used by one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/store/offer_import.h"

namespace passerelle::daemon {

struct QuarantinedRun {
  std::string partner;
  std::string file_name;
};

// The run's partner and file, or nullopt when there is no such run.
std::optional<QuarantinedRun> findRun(pqxx::connection& store, std::int64_t run);

struct ApprovalOutcome {
  ImportResult result;
  bool report_written = false;  // the partner's report rewritten now (else at its next poll)
};
ApprovalOutcome approveQuarantined(pqxx::connection& store, const Config& config,
                                   const connectors::Host& host, const connectors::Clock& clock,
                                   std::int64_t run, bool apply);

// True when applied and the partner's report was rewritten now.
bool setAsideQuarantined(pqxx::connection& store, const Config& config,
                         const connectors::Host& host, const connectors::Clock& clock,
                         std::int64_t run, bool apply);

}  // namespace passerelle::daemon

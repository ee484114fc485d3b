#include "daemon/service/quarantine_decision.h"

#include <filesystem>

#include "daemon/log/event_log.h"
#include "daemon/service/partner_reports.h"
#include "daemon/store/run_report.h"

namespace passerelle::daemon {

std::optional<QuarantinedRun> findRun(pqxx::connection& store, std::int64_t run) {
  pqxx::read_transaction tx(store);
  const pqxx::result r =
      tx.exec_params("SELECT partner, file_name FROM import_runs WHERE id = $1", run);
  if (r.empty()) return std::nullopt;
  return QuarantinedRun{r[0][0].c_str(), r[0][1].c_str()};
}

ApprovalOutcome approveQuarantined(pqxx::connection& store, const Config& config,
                                   const connectors::Host& host, const connectors::Clock& clock,
                                   std::int64_t run, bool apply) {
  ApproveOptions options;
  if (const auto found = findRun(store, run)) {
    if (const PartnerConfig* partner = config.findPartner(found->partner))
      options.expected_partner_code = partner->sigma_code;
  }
  options.dry_run = !apply;
  OfferImport import(store, clock);
  ApprovalOutcome outcome{import.approve(run, options), false};
  if (apply) {
    logInfo(
        "quarantined file approved",
        {{"run", std::to_string(run)}, {"approving_run", std::to_string(outcome.result.run_id)}});
    outcome.report_written = PartnerReports(config, host, clock).rewriteRunReport(store, run);
  }
  return outcome;
}

bool setAsideQuarantined(pqxx::connection& store, const Config& config,
                         const connectors::Host& host, const connectors::Clock& clock,
                         std::int64_t run, bool apply) {
  pqxx::work tx(store);
  const std::optional<std::string> copy = setAsideRun(tx, run, clock.now());
  if (!apply) return false;  // rolled back: only checked
  tx.commit();
  if (copy) {
    std::error_code ignored;  // the decision is recorded; a leftover copy is harmless
    std::filesystem::remove(*copy, ignored);
  }
  logInfo("quarantined file set aside", {{"run", std::to_string(run)}});
  return PartnerReports(config, host, clock).rewriteRunReport(store, run);
}

}  // namespace passerelle::daemon

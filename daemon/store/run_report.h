// RunReport: what a file's report says (connectors/drop/partner_report.h),
// read back from what the store recorded of the file's run, so that the
// report can be written right after the import and again later, when an
// operator approves or sets aside a file that was put on hold.
//
// A quarantined run that was approved reports the approving run's figures
// and problems (the same file, applied); one set aside reports the
// quarantined run's, with the decision and its date (Europe/Paris).
//
// Set-aside lives here too: it is what a report tells after it.
//
// Thread safety: functions over the caller's transaction, which belongs to
// one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "connectors/drop/partner_report.h"
#include "connectors/host/clock.h"

namespace passerelle::daemon {

struct RunReport {
  std::string partner;
  std::string file_name;  // the file as dropped: the report is named after it
  connectors::PartnerReportInput input;
};

// The report of run `run_id`; nullopt if there is no such run.
std::optional<RunReport> loadRunReport(pqxx::transaction_base& tx, std::int64_t run_id);

// Sets a quarantined file aside: it is never applied (approve refuses it),
// its quarantined copy may go, and dropping the same content again is judged
// anew. Throws ApproveRefused (offer_import.h) when the run is not waiting
// for a decision. Returns the quarantined copy's path, for the caller to
// remove after the commit.
std::optional<std::string> setAsideRun(pqxx::transaction_base& tx, std::int64_t run_id,
                                       connectors::Clock::WallTime now);

// Reports that could not be written into the partner's folder when an
// operator decided: the partner's next poll writes them (and clears them).
void markReportDue(pqxx::transaction_base& tx, std::int64_t run_id, bool due);
std::vector<std::int64_t> reportsDue(pqxx::transaction_base& tx, const std::string& partner);

}  // namespace passerelle::daemon

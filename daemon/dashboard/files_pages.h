// FilesPages: « Fichiers » (dashboard.md "Pages"): every file received,
// newest first, 100 a page (keyset paging on import_runs' id), with its
// outcome in the partner's words and its counts; one file's page with the
// rows of its report (the same rows, column names and French messages as
// the CSV report: connectors/drop/partner_report.h); the report itself to
// download.
//
// Partner isolation: every query is filtered by PageContext::scope(); a run
// of another partner is nullopt, exactly like a missing one (the caller
// answers 404).
//
// Thread safety: functions over the caller's PageContext.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "daemon/dashboard/page_context.h"

namespace passerelle::daemon {

// import_runs.outcome in French ("pris en compte", "refusé", "en attente"...).
std::string runOutcomeLabel(const std::string& outcome, bool set_aside);

std::string filesPage(const PageContext& context);
std::optional<std::string> filePage(const PageContext& context, std::int64_t run);

struct ReportDownload {
  std::string file_name;  // "<file>.report.csv"
  std::string csv;
};
std::optional<ReportDownload> fileReport(const PageContext& context, std::int64_t run);

// The run's id when `text` is a positive number, else nullopt.
std::optional<std::int64_t> parseId(const std::string& text);

}  // namespace passerelle::daemon

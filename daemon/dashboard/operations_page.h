// OperationsPage: « Opérations » (dashboard.md "Pages", operators only): the
// destinations (movements waiting, pause, last success, last error), the
// quarantined files waiting for a decision, each with its preview page
// (what approving would do, as `passerelle approve` shows it) and its two
// buttons, and the recent reconciliations.
//
// Thread safety: functions over the caller's PageContext.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "daemon/dashboard/page_context.h"
#include "daemon/store/offer_import.h"

namespace passerelle::daemon {

std::string operationsPage(const PageContext& context);

// The decision page of a quarantined run: `preview` is approveQuarantined()'s
// dry run, or the reason it was refused.
std::string quarantinePage(const PageContext& context, std::int64_t run,
                           const std::string& file_name, const std::string& partner,
                           const ImportResult* preview, const std::string& refusal);

}  // namespace passerelle::daemon

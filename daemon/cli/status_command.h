// `passerelle status [--json] [--config FILE]` (operations.md): what the
// store says about each partner and each destination, without reading logs.
//
// Per partner (the configured ones plus any the store knows): the last poll
// (partner_polls: time, ok/failed, message, failures in a row), the last
// file (the newest import_runs row: file, outcome, time) and its offers by
// status. Per destination (lba, france-travail): movements pending, in
// flight and failed, offers not eligible by reason (destination_offers.
// not_eligible_reasons), the last success and whether it is paused (why).
// collectStatus() reads it in the caller's transaction; statusJson() is the
// one JSON object `--json` prints (and tests read). Both end with what needs
// attention (quarantined files waiting, paused destinations, partners whose
// last poll failed, failed movements, no reconciliation for two days), each
// with the command that acts on it. Times are RFC 3339, Europe/Paris
// (timestamp.h). Exit status: 0 all well, 1 something needs attention, 2 the
// store cannot be reached (or another failure).
//
// Thread safety: stateless functions over the caller's transaction;
// the command runs on the main thread only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "daemon/cli/command.h"

namespace passerelle::daemon {

struct PartnerStatus {
  std::string partner;
  bool configured = false;
  std::optional<std::string> last_poll_at, poll_outcome, poll_message;
  long consecutive_failures = 0;
  std::optional<std::string> last_file, last_file_outcome, last_file_at;
  std::optional<long> last_run;
  std::map<std::string, long> offers;  // by status
};

struct DestinationStatusReport {
  std::string destination;
  long pending = 0, in_flight = 0, failed = 0;
  long not_eligible = 0;  // offers with at least one reason
  std::map<std::string, long> not_eligible_by_reason;
  std::optional<std::string> last_success_at;
  std::optional<std::string> paused_reason, paused_at;
};

// Something a person must act on, and the command that does it.
struct AttentionItem {
  std::string kind;  // quarantined_file, destination_paused, failed_movements,
                     // poll_failed, partner_paused, reconcile_overdue
  std::string message;
  std::string command;
};

struct StatusReport {
  std::vector<PartnerStatus> partners;
  std::vector<DestinationStatusReport> destinations;
  std::vector<AttentionItem> attention;
};

// `now_unix`: the "now" a reconciliation's age is measured from (the
// server's when unset).
StatusReport collectStatus(pqxx::transaction_base& tx,
                           const std::vector<std::string>& configured_partners,
                           std::optional<std::int64_t> now_unix = std::nullopt);
nlohmann::ordered_json statusJson(const StatusReport& report);

void addStatusCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host);

}  // namespace passerelle::daemon

#include "daemon/cli/status_command.h"

#include "daemon/cli/text_table.h"
#include "daemon/cli/timestamp.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "daemon/cli/daemons_status.h"
#include "daemon/cli/store_commands.h"
#include "daemon/destinations/registry.h"
#include "daemon/store/outbox.h"
#include "daemon/store/partner_pause.h"

namespace passerelle::daemon {
namespace {

std::optional<std::string> opt(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return std::string(f.c_str());
}

nlohmann::ordered_json orNull(const std::optional<std::string>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
}

std::string orDash(const std::optional<std::string>& v) {
  return v ? *v : "-";
}

std::string counts(const std::map<std::string, long>& m) {
  std::string out;
  for (const auto& [key, n] : m) out += (out.empty() ? "" : " ") + key + "=" + std::to_string(n);
  return out.empty() ? "-" : out;
}

struct StatusOptions {
  std::optional<std::string> config_path;
  bool json = false;
};

int runStatus(const StatusOptions& o, const connectors::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  std::vector<std::string> configured;
  for (const PartnerConfig& p : session.config.partners) configured.push_back(p.id);
  pqxx::read_transaction tx(*session.connection);
  const StatusReport report = collectStatus(tx, configured);
  const auto daemons = collectDaemons(tx, std::chrono::system_clock::now());
  const int code = report.attention.empty() ? kExitOk : kExitRejects;
  if (o.json) {
    nlohmann::ordered_json j = statusJson(report);
    j["daemons"] = daemonsJson(daemons);
    std::printf("%s\n", j.dump().c_str());
    return code;
  }
  std::vector<std::vector<std::string>> rows;
  for (const PartnerStatus& p : report.partners) {
    std::string poll = orDash(p.poll_outcome);
    if (p.consecutive_failures > 1) poll += " (" + std::to_string(p.consecutive_failures) + "x)";
    rows.push_back({p.partner + (p.configured ? "" : " (not configured)"), orDash(p.last_poll_at),
                    poll, orDash(p.poll_message), orDash(p.last_file), orDash(p.last_file_outcome),
                    orDash(p.last_file_at), counts(p.offers)});
  }
  printTable({"PARTNER", "LAST_POLL", "POLL", "POLL_MESSAGE", "LAST_FILE", "FILE_OUTCOME",
              "FILE_AT", "OFFERS"},
             rows);
  std::printf("\n");
  rows.clear();
  for (const DestinationStatusReport& d : report.destinations) {
    rows.push_back({d.destination, std::to_string(d.pending), std::to_string(d.in_flight),
                    std::to_string(d.failed), counts(d.not_eligible_by_reason),
                    orDash(d.last_success_at),
                    d.paused_reason ? "PAUSED: " + *d.paused_reason : "no"});
  }
  printTable(
      {"DESTINATION", "PENDING", "IN_FLIGHT", "FAILED", "NOT_ELIGIBLE", "LAST_SUCCESS", "PAUSED"},
      rows);
  printDaemons(daemons);
  if (report.attention.empty()) {
    std::printf("\nall well: nothing needs attention\n");
    return code;
  }
  std::printf("\nneeds attention:\n");
  for (const AttentionItem& item : report.attention)
    std::printf("- %s\n    -> %s\n", item.message.c_str(), item.command.c_str());
  return code;
}

// Quarantined files waiting, paused destinations, partners whose last poll
// failed, failed movements, a reconciliation older than two days: each with
// the command that acts on it.
std::vector<AttentionItem> needsAttention(pqxx::transaction_base& tx, const StatusReport& report,
                                          std::optional<std::int64_t> now_unix) {
  std::vector<AttentionItem> items;
  for (const pqxx::row& row :
       tx.exec("SELECT id, partner, file_name, coalesce(quarantine_reason, '') FROM import_runs"
               " WHERE outcome = 'quarantined' AND approved_by_run IS NULL AND set_aside_at IS NULL"
               " ORDER BY id")) {
    const std::string run = row[0].c_str();
    items.push_back({"quarantined_file",
                     "run " + run + ": file " + std::string(row[2].c_str()) + " of " +
                         row[1].c_str() + " quarantined (" + row[3].c_str() + ")",
                     "passerelle approve --run " + run});
  }
  for (const DestinationStatusReport& d : report.destinations) {
    if (d.paused_reason) {
      items.push_back({"destination_paused",
                       d.destination + " is paused since " + d.paused_at.value_or("?") + ": " +
                           *d.paused_reason,
                       "passerelle retry --destination " + d.destination +
                           " (once the cause is fixed, e.g. the key replaced)"});
    }
    if (d.failed > 0) {
      items.push_back({"failed_movements",
                       std::to_string(d.failed) + " movement(s) to " + d.destination + " failed",
                       "passerelle retry --destination " + d.destination});
    }
  }
  for (const PartnerStatus& p : report.partners) {
    if (p.poll_outcome == std::optional<std::string>("failed")) {
      items.push_back({"poll_failed",
                       p.partner + ": last " + std::to_string(p.consecutive_failures) +
                           " poll(s) failed: " + p.poll_message.value_or(""),
                       "passerelle config check --connect"});
    }
  }
  for (const PartnerPause& pause : partnerPauses(tx)) {
    items.push_back({"partner_paused",
                     pause.partner + ": polling paused since " + pause.paused_at + " by " +
                         pause.paused_by + " (its files wait in its drop folder)",
                     "the dashboard's Opérations page: Reprendre la relève"});
  }
  const std::string now =
      now_unix ? "to_timestamp(" + std::to_string(*now_unix) + ")" : std::string("now()");
  const pqxx::row last = tx.exec1(
      "SELECT (SELECT " + sqlEpoch("max(finished_at)") +
      " FROM reconcile_runs WHERE outcome = 'done' AND NOT dry_run),"
      " (SELECT max(finished_at) FROM reconcile_runs WHERE outcome = 'done' AND NOT dry_run)"
      " < " +
      now + " - interval '2 days', EXISTS (SELECT 1 FROM offers)");
  if (last[2].as<bool>() && (last[0].is_null() || last[1].as<bool>())) {
    items.push_back({"reconcile_overdue",
                     last[0].is_null() ? std::string("no reconciliation has run yet")
                                       : "the last reconciliation finished at " +
                                             formatTimestamp(last[0].as<std::int64_t>()),
                     "passerelle reconcile (and check passerelle-reconcile.timer)"});
  }
  return items;
}

// One query per table whatever the number of partners (operations.md
// "Answers fast": a national store has a thousand partners, and a query per
// partner made `status` take seconds).
std::vector<PartnerStatus> collectPartners(pqxx::transaction_base& tx,
                                           const std::set<std::string>& configured) {
  std::map<std::string, PartnerStatus> by_name;
  auto partner = [&](const std::string& name) -> PartnerStatus& {
    PartnerStatus& p = by_name[name];
    p.partner = name;
    p.configured = configured.count(name) > 0;
    return p;
  };
  for (const std::string& name : configured) partner(name);
  // Runs and offers reference partners: these two list every known partner.
  for (const pqxx::row& row :
       tx.exec("SELECT id FROM partners UNION SELECT partner FROM partner_polls"))
    partner(row[0].as<std::string>());
  for (const pqxx::row& row : tx.exec("SELECT partner, " + sqlEpoch("last_poll_at") +
                                      ", outcome, message, consecutive_failures"
                                      " FROM partner_polls")) {
    PartnerStatus& p = partner(row[0].as<std::string>());
    p.last_poll_at = timestampField(row[1]);
    p.poll_outcome = opt(row[2]);
    p.poll_message = opt(row[3]);
    p.consecutive_failures = row[4].as<long>();
  }
  // The last run of each partner: one probe of import_runs_partner each.
  for (const pqxx::row& row :
       tx.exec("SELECT p.id, r.id, r.file_name, r.outcome, " + sqlEpoch("r.started_at") +
               " FROM partners p CROSS JOIN LATERAL (SELECT id, file_name, outcome, started_at"
               " FROM import_runs WHERE partner = p.id ORDER BY id DESC LIMIT 1) r")) {
    PartnerStatus& p = partner(row[0].as<std::string>());
    p.last_run = row[1].as<long>();
    p.last_file = opt(row[2]);
    p.last_file_outcome = opt(row[3]);
    p.last_file_at = timestampField(row[4]);
  }
  for (const pqxx::row& row :
       tx.exec("SELECT partner, status, count(*) FROM offers GROUP BY partner, status"))
    partner(row[0].as<std::string>()).offers[row[1].as<std::string>()] = row[2].as<long>();
  std::vector<PartnerStatus> partners;
  for (auto& [name, p] : by_name) partners.push_back(std::move(p));
  return partners;
}

DestinationStatusReport collectDestination(pqxx::transaction_base& tx, const std::string& name) {
  DestinationStatusReport d;
  d.destination = name;
  const OutboxCounts c = outboxBacklogCounts(tx, name);
  d.pending = c.pending;
  d.in_flight = c.in_flight;
  d.failed = c.failed;
  // Both from the partial index destination_offers_not_eligible (006).
  for (const pqxx::row& row :
       tx.exec_params("SELECT reason, count(DISTINCT (partner, source_ref))"
                      " FROM destination_offers, unnest(not_eligible_reasons) reason"
                      " WHERE destination = $1 AND cardinality(not_eligible_reasons) > 0"
                      " GROUP BY ROLLUP (reason)",
                      name)) {
    if (row[0].is_null())
      d.not_eligible = row[1].as<long>();
    else
      d.not_eligible_by_reason[row[0].as<std::string>()] = row[1].as<long>();
  }
  const pqxx::result s =
      tx.exec_params("SELECT " + sqlEpoch("last_success_at") + ", paused_reason, " +
                         sqlEpoch("paused_at") + " FROM destination_status WHERE destination = $1",
                     name);
  if (!s.empty()) {
    d.last_success_at = timestampField(s[0][0]);
    d.paused_reason = opt(s[0][1]);
    d.paused_at = timestampField(s[0][2]);
  }
  return d;
}

}  // namespace

StatusReport collectStatus(pqxx::transaction_base& tx,
                           const std::vector<std::string>& configured_partners,
                           std::optional<std::int64_t> now_unix) {
  StatusReport report;
  report.partners = collectPartners(
      tx, std::set<std::string>(configured_partners.begin(), configured_partners.end()));
  for (const std::string& name : destinationNames())
    report.destinations.push_back(collectDestination(tx, name));
  report.attention = needsAttention(tx, report, now_unix);
  return report;
}

nlohmann::ordered_json statusJson(const StatusReport& report) {
  nlohmann::ordered_json j;
  j["partners"] = nlohmann::ordered_json::array();
  for (const PartnerStatus& p : report.partners) {
    nlohmann::ordered_json e;
    e["partner"] = p.partner;
    e["configured"] = p.configured;
    e["last_poll"] = {{"at", orNull(p.last_poll_at)},
                      {"outcome", orNull(p.poll_outcome)},
                      {"message", orNull(p.poll_message)},
                      {"consecutive_failures", p.consecutive_failures}};
    e["last_file"] = {{"run", p.last_run ? nlohmann::ordered_json(*p.last_run) : nullptr},
                      {"file", orNull(p.last_file)},
                      {"outcome", orNull(p.last_file_outcome)},
                      {"at", orNull(p.last_file_at)}};
    e["offers"] = nlohmann::ordered_json::object();
    for (const char* status : {"active", "withdrawn", "expired"}) {
      auto it = p.offers.find(status);
      e["offers"][status] = it == p.offers.end() ? 0 : it->second;
    }
    j["partners"].push_back(std::move(e));
  }
  j["destinations"] = nlohmann::ordered_json::array();
  for (const DestinationStatusReport& d : report.destinations) {
    nlohmann::ordered_json e;
    e["destination"] = d.destination;
    e["pending"] = d.pending;
    e["in_flight"] = d.in_flight;
    e["failed"] = d.failed;
    e["not_eligible"] = d.not_eligible;
    e["not_eligible_by_reason"] = nlohmann::ordered_json::object();
    for (const auto& [reason, n] : d.not_eligible_by_reason)
      e["not_eligible_by_reason"][reason] = n;
    e["last_success_at"] = orNull(d.last_success_at);
    e["paused"] = d.paused_reason.has_value();
    e["paused_reason"] = orNull(d.paused_reason);
    e["paused_at"] = orNull(d.paused_at);
    j["destinations"].push_back(std::move(e));
  }
  j["needs_attention"] = nlohmann::ordered_json::array();
  for (const AttentionItem& item : report.attention)
    j["needs_attention"].push_back(
        {{"kind", item.kind}, {"message", item.message}, {"command", item.command}});
  return j;
}

void addStatusCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* command = app.add_subcommand(
      "status", "Per partner: last poll, last file, offers; per destination: queues and state");
  command->add_option("--config", options->config_path, "Configuration file");
  command->add_flag("--json", options->json, "One JSON object");
  command->callback([options, &status, &host] {
    status.code = runGuarded("status", {}, [&] { return runStatus(*options, host); });
  });
}

}  // namespace passerelle::daemon

#include "daemon/cli/status_command.h"

#include "daemon/cli/text_table.h"
#include "daemon/cli/timestamp.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>

#include "daemon/cli/store_commands.h"
#include "daemon/destinations/registry.h"
#include "daemon/store/outbox.h"

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
  const int code = report.attention.empty() ? kExitOk : kExitRejects;
  if (o.json) {
    std::printf("%s\n", statusJson(report).dump().c_str());
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

}  // namespace

StatusReport collectStatus(pqxx::transaction_base& tx,
                           const std::vector<std::string>& configured_partners,
                           std::optional<std::int64_t> now_unix) {
  StatusReport report;
  const std::set<std::string> configured(configured_partners.begin(), configured_partners.end());
  std::set<std::string> names = configured;
  for (const pqxx::row& row :
       tx.exec("SELECT id FROM partners UNION SELECT partner FROM partner_polls"
               " UNION SELECT DISTINCT partner FROM import_runs UNION SELECT DISTINCT partner FROM "
               "offers"))
    names.insert(row[0].as<std::string>());
  for (const std::string& name : names) {
    PartnerStatus p;
    p.partner = name;
    p.configured = configured.count(name) > 0;
    const pqxx::result poll = tx.exec_params(
        "SELECT " + sqlEpoch("last_poll_at") +
            ", outcome, message, consecutive_failures FROM partner_polls WHERE partner = $1",
        name);
    if (!poll.empty()) {
      p.last_poll_at = timestampField(poll[0][0]);
      p.poll_outcome = opt(poll[0][1]);
      p.poll_message = opt(poll[0][2]);
      p.consecutive_failures = poll[0][3].as<long>();
    }
    const pqxx::result run =
        tx.exec_params("SELECT id, file_name, outcome, " + sqlEpoch("started_at") +
                           " FROM import_runs WHERE partner = $1 ORDER BY id DESC LIMIT 1",
                       name);
    if (!run.empty()) {
      p.last_run = run[0][0].as<long>();
      p.last_file = opt(run[0][1]);
      p.last_file_outcome = opt(run[0][2]);
      p.last_file_at = timestampField(run[0][3]);
    }
    for (const pqxx::row& row : tx.exec_params(
             "SELECT status, count(*) FROM offers WHERE partner = $1 GROUP BY status", name))
      p.offers[row[0].as<std::string>()] = row[1].as<long>();
    report.partners.push_back(std::move(p));
  }
  for (const std::string& name : destinationNames()) {
    DestinationStatusReport d;
    d.destination = name;
    const OutboxCounts c = outboxCounts(tx, name);
    d.pending = c.pending;
    d.in_flight = c.in_flight;
    d.failed = c.failed;
    d.not_eligible = tx.exec_params1(
                           "SELECT count(*) FROM destination_offers WHERE"
                           " destination = $1 AND cardinality(not_eligible_reasons) > 0",
                           name)[0]
                         .as<long>();
    for (const pqxx::row& row : tx.exec_params(
             "SELECT reason, count(*) FROM destination_offers, unnest(not_eligible_reasons) reason"
             " WHERE destination = $1 GROUP BY reason",
             name))
      d.not_eligible_by_reason[row[0].as<std::string>()] = row[1].as<long>();
    const pqxx::result s = tx.exec_params("SELECT " + sqlEpoch("last_success_at") +
                                              ", paused_reason, " + sqlEpoch("paused_at") +
                                              " FROM destination_status WHERE destination = $1",
                                          name);
    if (!s.empty()) {
      d.last_success_at = timestampField(s[0][0]);
      d.paused_reason = opt(s[0][1]);
      d.paused_at = timestampField(s[0][2]);
    }
    report.destinations.push_back(std::move(d));
  }
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

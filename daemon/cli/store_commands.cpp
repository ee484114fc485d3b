#include "daemon/cli/store_commands.h"

#include "daemon/cli/known_partner.h"
#include "daemon/cli/text_table.h"
#include "daemon/cli/timestamp.h"
#include "daemon/cli/wrong_user_guard.h"

#include "daemon/log/event_log.h"
#include "daemon/store/copy_text_row.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "connectors/host/clock.h"
#include "daemon/service/partner_reports.h"
#include "daemon/service/quarantine_decision.h"
#include "daemon/store/embedded_postgres.h"
#include "daemon/store/offer_import.h"
#include "daemon/store/run_report.h"
#include "daemon/store/store_connection.h"
#include "daemon/store/store_migrations.h"
#include "formats/dialect_registry.h"
#include "formats/offer_json.h"

namespace passerelle::daemon {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

std::string text(const pqxx::field& f) {
  return f.is_null() ? std::string() : f.c_str();
}

// The readable tables: columns padded to their widest cell.

void addConfigOption(CLI::App* command, std::optional<std::string>& path) {
  command->add_option("--config", path,
                      "Configuration file (default: $PASSERELLE_CONFIG, else " +
                          std::string(kDefaultConfigPath) + ")");
}

// `passerelle migrate`
int runMigrate(const std::optional<std::string>& config_path, const connectors::Host& host) {
  const Config config = loadConfig(resolveConfigPath(config_path, host),
                                   formats::DialectRegistry::instance().names(), host);
  if (const auto refusal = wrongUserRefusal(host, config)) throw WrongUser(*refusal);
  std::unique_ptr<pqxx::connection> connection = openStore(resolveStoreUrl(config, host));
  const MigrationReport report = migrate(*connection);
  if (report.applied.empty()) {
    std::printf("schema up to date (version %d)\n", report.to_version);
  }
  for (const std::string& name : report.applied) std::printf("applied %s\n", name.c_str());
  if (!report.applied.empty()) {
    std::printf("schema at version %d (was %d)\n", report.to_version, report.from_version);
  }
  return kExitOk;
}

struct RunsOptions {
  std::optional<std::string> config_path, partner;
  int limit = 20;
  bool json = false;
};

int runRuns(const RunsOptions& o, const connectors::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  if (o.partner && !requireKnownPartner(session.config, *o.partner)) return kExitUsage;
  pqxx::read_transaction tx(*session.connection);
  pqxx::result r = tx.exec_params(
      "SELECT id, partner, format, file_name, outcome, records, offers, deletes, rejects,"
      " warnings, created, updated, unchanged, withdrawn, reactivated, expired, duration_ms, " +
          sqlEpoch("started_at") +
          ", file_error_code, message,"
          " approved_by_run, approves_run, daemon_id FROM import_runs"
          " WHERE $1::text IS NULL OR partner = $1 ORDER BY id DESC LIMIT $2",
      o.partner, o.limit);
  static const std::vector<std::string> kNames = {
      "run",        "partner",   "format",          "file",         "outcome",     "records",
      "offers",     "deletes",   "rejects",         "warnings",     "created",     "updated",
      "unchanged",  "withdrawn", "reactivated",     "expired",      "duration_ms", "started_at",
      "file_error", "message",   "approved_by_run", "approves_run", "daemon"};
  if (o.json) {
    for (const pqxx::row& row : r) {
      nlohmann::ordered_json j;
      for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (row[static_cast<int>(i)].is_null()) {
          j[kNames[i]] = nullptr;
        } else if (i == 17) {
          j[kNames[i]] = formatTimestamp(row[17].as<std::int64_t>());
        } else if ((i >= 5 && i <= 16) || i == 0 || i == 20 || i == 21) {
          j[kNames[i]] = row[static_cast<int>(i)].as<long>();
        } else {
          j[kNames[i]] = row[static_cast<int>(i)].c_str();
        }
      }
      std::printf("%s\n", j.dump().c_str());
    }
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const pqxx::row& row : r) {
    std::string note = text(row[18]).empty() ? text(row[19]) : text(row[18]);
    rows.push_back({text(row[0]), timestampField(row[17]).value_or("-"), text(row[1]), text(row[2]),
                    text(row[3]), text(row[4]), text(row[5]), text(row[8]),
                    text(row[10]) + "/" + text(row[11]) + "/" + text(row[12]) + "/" +
                        text(row[13]) + "/" + text(row[14]) + "/" + text(row[15]),
                    text(row[16]), row[22].is_null() ? "-" : text(row[22]), note});
  }
  printTable({"RUN", "STARTED", "PARTNER", "FORMAT", "FILE", "OUTCOME", "RECORDS", "REJECTS",
              "NEW/UPD/SAME/GONE/BACK/EXP", "MS", "DAEMON", "NOTE"},
             rows);
  return kExitOk;
}

struct RejectsOptions {
  std::optional<std::string> config_path;
  std::int64_t run = 0;
  bool json = false;
};

int runRejects(const RejectsOptions& o, const connectors::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  pqxx::read_transaction tx(*session.connection);
  if (tx.exec_params("SELECT 1 FROM import_runs WHERE id = $1", o.run).empty()) {
    std::fprintf(stderr, "passerelle: no run %lld\n", static_cast<long long>(o.run));
    return kExitFailure;
  }
  pqxx::result rejects = tx.exec_params(
      "SELECT line, source_ref, errors::text, warnings::text FROM run_rejects"
      " WHERE run_id = $1 ORDER BY seq",
      o.run);
  pqxx::result warnings = tx.exec_params(
      "SELECT origin, line, source_ref, field, code, message, value FROM run_warnings"
      " WHERE run_id = $1 ORDER BY seq",
      o.run);
  if (o.json) {
    for (const pqxx::row& row : rejects) {
      // Stored as written by offer_json.h: printed back byte for byte.
      std::string line = "{\"kind\":\"reject\",\"line\":" + text(row[0]) + ",\"source_ref\":";
      if (row[1].is_null()) {
        line += "null";
      } else {
        formats::appendJsonString(text(row[1]), line);
      }
      line += ",\"errors\":" + text(row[2]) + ",\"warnings\":" + text(row[3]) + "}";
      std::printf("%s\n", line.c_str());
    }
    for (const pqxx::row& row : warnings) {
      nlohmann::ordered_json j;
      j["kind"] = "warning";
      j["origin"] = text(row[0]);
      j["line"] =
          row[1].is_null() ? nlohmann::ordered_json() : nlohmann::ordered_json(row[1].as<long>());
      const char* keys[] = {"source_ref", "field", "code", "message", "value"};
      for (int i = 0; i < 5; ++i) {
        j[keys[i]] = row[i + 2].is_null() ? nlohmann::ordered_json()
                                          : nlohmann::ordered_json(row[i + 2].c_str());
      }
      std::printf("%s\n", j.dump().c_str());
    }
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const pqxx::row& row : rejects) {
    for (const auto& e : nlohmann::json::parse(text(row[2]))) {
      rows.push_back({text(row[0]), text(row[1]), "error", e["field"].is_null() ? "" : e["field"],
                      e["code"], e["message"]});
    }
  }
  for (const pqxx::row& row : warnings) {
    rows.push_back({text(row[1]), text(row[2]), "warning (" + text(row[0]) + ")", text(row[3]),
                    text(row[4]), text(row[5])});
  }
  printTable({"LINE", "REF", "SEVERITY", "FIELD", "CODE", "MESSAGE"}, rows);
  return kExitOk;
}

struct OffersOptions {
  std::optional<std::string> config_path, partner, status, ref;
  bool json = false;
};

// The canonical JSON plus the store's own keys, appended before its closing
// brace so that the offer.md part stays byte for byte as stored.
std::string epochText(const CopyTextRow& row, std::size_t i) {
  std::int64_t seconds = 0;
  const std::string& t = row.text(i);
  if (row.isNull(i) || std::from_chars(t.data(), t.data() + t.size(), seconds).ec != std::errc())
    return "";
  return formatTimestamp(seconds);
}

std::string offerLine(const CopyTextRow& row) {
  std::string json = row.text(0);
  json.pop_back();
  json += ",\"status\":";
  formats::appendJsonString(row.text(1), json);
  json += ",\"first_seen\":";
  formats::appendJsonString(epochText(row, 2), json);
  json += ",\"last_changed\":";
  formats::appendJsonString(epochText(row, 3), json);
  json += ",\"destinations\":{";
  // "lba=sent,france-travail=pending", in no particular order (see
  // latestMovementsJoin): sorted here by destination.
  std::vector<std::pair<std::string, std::string>> latest;
  const std::string& destinations = row.text(4);
  for (std::size_t start = 0; start < destinations.size();) {
    std::size_t end = destinations.find(',', start);
    if (end == std::string::npos) end = destinations.size();
    const std::size_t eq = destinations.find('=', start);
    latest.emplace_back(destinations.substr(start, eq - start),
                        destinations.substr(eq + 1, end - eq - 1));
    start = end + 1;
  }
  std::sort(latest.begin(), latest.end());
  for (std::size_t i = 0; i < latest.size(); ++i) {
    if (i > 0) json += ',';
    formats::appendJsonString(latest[i].first, json);
    json += ':';
    formats::appendJsonString(latest[i].second, json);
  }
  json += "}}\n";
  return json;
}

// Each offer's latest movement per destination, "lba=sent,france-travail=
// pending". For one reference (a handful of offers, every partner) it is a
// probe of the index of schema/009 per offer and destination. Otherwise it is
// one walk of that index in key order (DISTINCT ON keeps the first, i.e.
// latest, movement of each offer and destination), merged with the offers in
// the same order: no probe per offer, so a full listing streams (operations.md
// "Answers fast") and a partner's listing reads only that partner's range.
std::string latestMovementsSql(const OffersOptions& o) {
  if (o.ref) {
    return "(SELECT string_agg(d.name || '=' || m.state, ',' ORDER BY d.name)"
           " FROM destinations d CROSS JOIN LATERAL (SELECT state FROM outbox_movements m"
           " WHERE m.partner = o.partner AND m.source_ref = o.source_ref"
           " AND m.destination = d.name ORDER BY m.id DESC LIMIT 1) m)";
  }
  return "m.destinations";
}

std::string latestMovementsJoin(pqxx::transaction_base& tx, const OffersOptions& o) {
  if (o.ref) return "";
  const std::string range = o.partner ? " WHERE partner = " + tx.quote(*o.partner) : "";
  // No ORDER BY in the aggregate: it would sort every offer's two items, a
  // quarter of the listing's time; offerLine() sorts them.
  return " LEFT JOIN (SELECT partner, source_ref,"
         " string_agg(destination || '=' || state, ',') destinations"
         " FROM (SELECT DISTINCT ON (partner, source_ref, destination)"
         " partner, source_ref, destination, state FROM outbox_movements" +
         range +
         " ORDER BY partner, source_ref, destination, id DESC) latest"
         " GROUP BY partner, source_ref) m"
         " ON m.partner = o.partner AND m.source_ref = o.source_ref";
}

std::string offersQuery(pqxx::transaction_base& tx, const OffersOptions& o) {
  std::string where = "true";
  if (o.partner) where += " AND o.partner = " + tx.quote(*o.partner);
  if (o.status) where += " AND o.status = " + tx.quote(*o.status);
  if (o.ref) where += " AND o.source_ref = " + tx.quote(*o.ref);
  return "SELECT o.json, o.status, " + sqlEpoch("o.first_seen") + ", " +
         sqlEpoch("o.last_changed") + ", " + latestMovementsSql(o) +
         ", o.partner, o.source_ref, o.department, o.siret, o.contract_type, " +
         // The title is only shown in the table: parsing every offer's JSON
         // for it would halve the speed of a JSON listing.
         (o.json ? "NULL" : "(o.json::json)->>'title'") + " FROM offers o" +
         latestMovementsJoin(tx, o) + " WHERE " + where + " ORDER BY o.partner, o.source_ref";
}

// Rows stream through COPY: the server produces them while this process
// writes them (two cores, no FETCH round trips), and memory stays the same
// whatever the number of offers.
int runOffers(const OffersOptions& o, const connectors::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  if (o.partner && !requireKnownPartner(session.config, *o.partner)) return kExitUsage;
  pqxx::read_transaction tx(*session.connection);
  // JIT compiles the plan of a full listing for a fifth of a second, and
  // then saves nothing on a query that only walks two indexes; parallel
  // workers would each rebuild the latest movements instead of merging them.
  tx.exec("SET LOCAL jit = off");
  tx.exec("SET LOCAL max_parallel_workers_per_gather = 0");
  // libpqxx 6.4 writes "COPY <name> TO STDOUT": a parenthesised query is a name.
  pqxx::stream_from stream(tx, "(" + offersQuery(tx, o) + ")");
  std::vector<std::vector<std::string>> rows;
  std::string line;
  CopyTextRow row;
  while (stream.get_raw_line(line)) {
    if (!row.parse(line) || row.size() != 11)
      throw std::runtime_error("offers: unexpected COPY row from the store");
    if (o.json) {
      const std::string out = offerLine(row);
      std::fwrite(out.data(), 1, out.size(), stdout);
    } else {
      rows.push_back({row.text(5), row.text(6), row.text(1), row.text(7), row.text(8), row.text(9),
                      row.isNull(3) ? "-" : epochText(row, 3), row.text(10)});
    }
  }
  stream.complete();
  if (!o.json) {
    printTable({"PARTNER", "REF", "STATUS", "DEPT", "SIRET", "CONTRACT", "LAST_CHANGED", "TITLE"},
               rows);
  }
  return kExitOk;
}

struct ApproveCommandOptions {
  std::optional<std::string> config_path;
  std::int64_t run = 0;
  bool yes = false;
};

void printCounts(const ImportResult& result) {
  const MergeCounts& c = result.counts;
  std::printf(
      "created=%ld updated=%ld unchanged=%ld withdrawn=%ld reactivated=%ld expired=%ld"
      " rejects=%ld\n",
      c.created, c.updated, c.unchanged, c.withdrawn, c.reactivated, c.expired,
      result.summary.rejects);
}

// The report in the partner's folder says what the operator decided; when
// the folder cannot be reached now, the partner's next poll writes it.
void tellPartner(bool report_written) {
  std::printf(report_written
                  ? "the partner's report was written again\n"
                  : "the partner's folder cannot be reached: the next poll writes the report\n");
}

int runSetAside(const ApproveCommandOptions& o, const connectors::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  connectors::SystemClock clock;
  try {
    const auto run = findRun(*session.connection, o.run);
    if (run && !requireKnownPartner(session.config, run->partner)) return kExitUsage;
    const bool written =
        setAsideQuarantined(*session.connection, session.config, host, clock, o.run, o.yes);
    if (!o.yes) {
      std::printf("setting run %lld aside would leave file %s of %s unapplied for good\n",
                  static_cast<long long>(o.run), run->file_name.c_str(), run->partner.c_str());
      std::printf("nothing done: run `passerelle set-aside --run %lld --yes` to set it aside\n",
                  static_cast<long long>(o.run));
      return kExitRejects;
    }
    std::printf("run %lld set aside: file %s of %s will not be applied\n",
                static_cast<long long>(o.run), run->file_name.c_str(), run->partner.c_str());
    tellPartner(written);
    return kExitOk;
  } catch (const ApproveRefused& e) {
    std::fprintf(stderr, "passerelle: set-aside refused: %s\n", e.what());
    logEvent("set-aside refused", {{"run", std::to_string(o.run)}, {"reason", e.what()}});
    return kExitFailure;
  }
}

int runApprove(const ApproveCommandOptions& o, const connectors::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  const auto run = findRun(*session.connection, o.run);
  if (run && !requireKnownPartner(session.config, run->partner)) return kExitUsage;
  connectors::SystemClock clock;
  try {
    const ApprovalOutcome outcome =
        approveQuarantined(*session.connection, session.config, host, clock, o.run, o.yes);
    const ImportResult& result = outcome.result;
    if (!o.yes) {
      std::printf("approving run %lld would apply: ", static_cast<long long>(o.run));
      printCounts(result);
      printWithdrawnPreview(result.withdrawn_refs, result.counts.withdrawn);
      std::printf("nothing applied: run `passerelle approve --run %lld --yes` to apply it\n",
                  static_cast<long long>(o.run));
      return kExitRejects;
    }
    std::printf("run %lld approved run %lld: ", static_cast<long long>(result.run_id),
                static_cast<long long>(o.run));
    printCounts(result);
    tellPartner(outcome.report_written);
    return result.summary.rejects > 0 ? kExitRejects : kExitOk;
  } catch (const ApproveRefused& e) {
    std::fprintf(stderr, "passerelle: approve refused: %s\n", e.what());
    logEvent("approve refused", {{"run", std::to_string(o.run)}, {"reason", e.what()}});
    return kExitFailure;
  }
}

}  // namespace

void printWithdrawnPreview(const std::vector<std::string>& refs, long total) {
  if (refs.empty()) return;
  std::string list;
  for (const std::string& ref : refs) list += (list.empty() ? "" : ", ") + ref;
  const long more = total - static_cast<long>(refs.size());
  std::printf("would withdraw: %s%s\n", list.c_str(),
              more > 0 ? (" and " + std::to_string(more) + " more").c_str() : "");
}

StoreSession openStoreSession(const std::optional<std::string>& config_path,
                              const connectors::Host& host) {
  StoreSession session;
  session.config = loadConfig(resolveConfigPath(config_path, host),
                              formats::DialectRegistry::instance().names(), host);
  if (const auto refusal = wrongUserRefusal(host, session.config)) throw WrongUser(*refusal);
  session.connection = openStore(resolveStoreUrl(session.config, host));
  migrate(*session.connection);
  return session;
}

void logEvent(const std::string& message, const Fields& fields) {
  std::vector<LogField> f;
  for (const auto& [key, value] : fields) f.emplace_back(key, value);
  EventLog::write(LogLevel::kInfo, message, f);
}

int runGuarded(const std::string& what, const Fields& context, const std::function<int()>& body) {
  try {
    return body();
  } catch (const WrongUser& e) {
    std::fprintf(stderr, "passerelle: %s\n", e.what());
    return kExitUsage;
  } catch (const ConfigError& e) {
    for (const auto& problem : e.problems()) std::fprintf(stderr, "%s\n", problem.c_str());
    logEvent(what + " failed: configuration refused", context);
  } catch (const std::exception& e) {
    Fields fields = context;
    fields.emplace_back("error", e.what());
    logEvent(what + " failed", fields);
  }
  return kExitFailure;
}

void addStoreCommands(CLI::App& app, ExitStatus& status, const connectors::Host& host) {
  auto migrate_config = std::make_shared<std::optional<std::string>>();
  CLI::App* m = app.add_subcommand("migrate", "Bring the store's schema up to date");
  addConfigOption(m, *migrate_config);
  m->callback([migrate_config, &status, &host] {
    status.code = runGuarded("migrate", {}, [&] { return runMigrate(*migrate_config, host); });
  });

  auto runs = std::make_shared<RunsOptions>();
  CLI::App* r = app.add_subcommand("runs", "Import history: file, format, counts, outcome");
  addConfigOption(r, runs->config_path);
  r->add_option("--partner", runs->partner, "Only this partner's runs");
  r->add_option("--limit", runs->limit, "At most N runs, newest first (default 20)")
      ->check(CLI::PositiveNumber);
  r->add_flag("--json", runs->json, "One JSON object per run");
  r->callback([runs, &status, &host] {
    status.code = runGuarded("runs", {}, [&] { return runRuns(*runs, host); });
  });

  auto rejects = std::make_shared<RejectsOptions>();
  CLI::App* j = app.add_subcommand("rejects", "Rejected rows and warnings of a run");
  addConfigOption(j, rejects->config_path);
  j->add_option("--run", rejects->run, "Run id")->required();
  j->add_flag("--json", rejects->json, "One JSON object per reject or warning");
  j->callback([rejects, &status, &host] {
    status.code = runGuarded("rejects", {{"run", std::to_string(rejects->run)}},
                             [&] { return runRejects(*rejects, host); });
  });

  auto offers = std::make_shared<OffersOptions>();
  CLI::App* o = app.add_subcommand("offers", "Offers in the store");
  addConfigOption(o, offers->config_path);
  o->add_option("--partner", offers->partner, "Only this partner's offers");
  o->add_option("--status", offers->status, "active, withdrawn or expired")
      ->check(CLI::IsMember({"active", "withdrawn", "expired"}));
  o->add_option("--ref", offers->ref, "Only the offer with this source_ref");
  o->add_flag("--json", offers->json, "Canonical JSON lines plus status and dates");
  o->callback([offers, &status, &host] {
    status.code = runGuarded("offers", {}, [&] { return runOffers(*offers, host); });
  });

  auto approve = std::make_shared<ApproveCommandOptions>();
  CLI::App* a = app.add_subcommand(
      "approve", "Show what a quarantined snapshot would do; apply it with --yes");
  addConfigOption(a, approve->config_path);
  a->add_option("--run", approve->run, "The quarantined run")->required();
  a->add_flag("--yes", approve->yes, "Apply it (without: show what it would do, apply nothing)");
  a->callback([approve, &status, &host] {
    status.code = runGuarded("approve", {{"run", std::to_string(approve->run)}},
                             [&] { return runApprove(*approve, host); });
  });

  auto set_aside = std::make_shared<ApproveCommandOptions>();
  CLI::App* sa = app.add_subcommand(
      "set-aside", "Never apply a quarantined snapshot; tell the partner (with --yes)");
  addConfigOption(sa, set_aside->config_path);
  sa->add_option("--run", set_aside->run, "The quarantined run")->required();
  sa->add_flag("--yes", set_aside->yes, "Set it aside (without: say what it would do)");
  sa->callback([set_aside, &status, &host] {
    status.code = runGuarded("set-aside", {{"run", std::to_string(set_aside->run)}},
                             [&] { return runSetAside(*set_aside, host); });
  });
}

}  // namespace passerelle::daemon

#include "daemon/store/run_report.h"

#include <nlohmann/json.hpp>

#include "connectors/drop/offer_state_report.h"
#include "daemon/store/offer_import.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

namespace {

std::optional<std::string> optText(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional(f.as<std::string>());
}
std::optional<long> optLong(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional(f.as<long>());
}

std::vector<formats::FieldError> fieldErrors(const std::string& json_text) {
  std::vector<formats::FieldError> out;
  auto parsed = nlohmann::json::parse(json_text, nullptr, false);
  if (!parsed.is_array()) return out;
  for (const auto& e : parsed) {
    formats::FieldError fe;
    if (e.contains("field") && e["field"].is_string()) fe.field = e["field"].get<std::string>();
    fe.code = e.value("code", "");
    fe.message = e.value("message", "");
    if (e.contains("value") && e["value"].is_string()) fe.value = e["value"].get<std::string>();
    out.push_back(std::move(fe));
  }
  return out;
}

std::map<std::string, std::string> columnsOf(const std::optional<std::string>& json_text) {
  std::map<std::string, std::string> columns;
  if (!json_text) return columns;
  auto parsed = nlohmann::json::parse(*json_text, nullptr, false);
  if (!parsed.is_object()) return columns;
  for (const auto& [field, names] : parsed.items())
    if (names.is_string()) columns[field] = names.get<std::string>();
  return columns;
}

// Rejected rows, then every warning (file, rows, the store's own).
void loadProblems(pqxx::transaction_base& tx, std::int64_t run_id, pc::PartnerReportInput& in) {
  for (const auto& row :
       tx.exec_params("SELECT line, coalesce(record, 0), source_ref, errors::text, warnings::text"
                      " FROM run_rejects WHERE run_id = $1 ORDER BY seq",
                      run_id)) {
    pc::ReportRecord rec;
    rec.line = row[0].as<long>();
    rec.record = row[1].as<long>();
    rec.reference = optText(row[2]);
    rec.errors = fieldErrors(row[3].as<std::string>());
    rec.warnings = fieldErrors(row[4].as<std::string>());
    in.records_with_problems.push_back(std::move(rec));
  }
  for (const auto& row : tx.exec_params(
           "SELECT origin, line, coalesce(record, 0), source_ref, field, code, message, value"
           " FROM run_warnings WHERE run_id = $1 ORDER BY seq",
           run_id)) {
    if (row[0].as<std::string>() == "file") {
      in.file_warnings.push_back(formats::FileIssue{
          row[5].as<std::string>(), row[6].as<std::string>(), optText(row[7]), optLong(row[1])});
      continue;
    }
    pc::ReportRecord rec;
    rec.line = row[1].is_null() ? 0 : row[1].as<long>();
    rec.record = row[2].as<long>();
    rec.reference = optText(row[3]);
    rec.warnings.push_back(formats::FieldError{optText(row[4]), row[5].as<std::string>(),
                                               row[6].as<std::string>(), optText(row[7])});
    in.records_with_problems.push_back(std::move(rec));
  }
}

std::optional<std::string> dayOf(const pqxx::field& unix_seconds) {
  if (unix_seconds.is_null()) return std::nullopt;
  return pc::parisDay(unix_seconds.as<std::int64_t>());
}

pc::ReportOutcome outcomeOf(const std::string& outcome, bool approved, bool set_aside) {
  if (outcome == "rejected_file") return pc::ReportOutcome::kRefused;
  if (outcome == "duplicate") return pc::ReportOutcome::kAlreadyReceived;
  if (outcome == "approved" || approved) return pc::ReportOutcome::kApplied;
  if (outcome == "quarantined")
    return set_aside ? pc::ReportOutcome::kSetAside : pc::ReportOutcome::kOnHold;
  return pc::ReportOutcome::kTaken;
}

}  // namespace

std::optional<RunReport> loadRunReport(pqxx::transaction_base& tx, std::int64_t run_id) {
  // `f`: the run whose figures and problems the report shows (the approving
  // run of an approved file); `d`: the first receipt of a duplicate.
  const pqxx::result r = tx.exec_params(
      "SELECT r.partner, r.file_name, r.format, r.semantics, r.outcome,"
      " f.records, f.offers, f.rejects, f.withdrawn, f.id,"
      " r.file_error_code, r.file_error_message, r.file_error_line, r.file_error_value,"
      " coalesce(f.columns_as_written, r.columns_as_written)::text,"
      " coalesce(r.quarantine_withdraw, q.quarantine_withdraw, 0),"
      " coalesce(r.quarantine_active, q.quarantine_active, 0),"
      " r.approved_by_run IS NOT NULL, r.set_aside_at IS NOT NULL,"
      " extract(epoch FROM CASE WHEN r.approved_by_run IS NOT NULL THEN f.finished_at"
      "   WHEN r.outcome = 'approved' THEN r.finished_at ELSE r.set_aside_at END)::bigint,"
      " extract(epoch FROM d.started_at)::bigint"
      " FROM import_runs r"
      " JOIN import_runs f ON f.id = coalesce(r.approved_by_run, r.id)"
      " LEFT JOIN import_runs q ON q.id = r.approves_run"
      " LEFT JOIN import_runs d ON d.id = r.duplicate_of_run"
      " WHERE r.id = $1",
      run_id);
  if (r.empty()) return std::nullopt;
  const pqxx::row row = r[0];
  RunReport report;
  report.partner = row[0].as<std::string>();
  report.file_name = row[1].as<std::string>();
  pc::PartnerReportInput& in = report.input;
  in.format = row[2].as<std::string>();
  in.snapshot = row[3].as<std::string>() == "snapshot";
  const std::string outcome = row[4].as<std::string>();
  in.outcome = outcomeOf(outcome, row[17].as<bool>(), row[18].as<bool>());
  in.records = row[5].as<long>();
  in.accepted = row[6].as<long>();
  in.rejected = row[7].as<long>();
  in.withdrawn = row[8].as<long>();
  if (!row[10].is_null())
    in.file_error = formats::FileIssue{row[10].as<std::string>(), row[11].as<std::string>(),
                                       optText(row[13]), optLong(row[12])};
  in.columns = columnsOf(optText(row[14]));
  in.withdraw_forecast = row[15].as<long>();
  in.active_before = row[16].as<long>();
  in.decided_on =
      in.outcome == pc::ReportOutcome::kAlreadyReceived ? dayOf(row[20]) : dayOf(row[19]);
  if (in.outcome != pc::ReportOutcome::kRefused &&
      in.outcome != pc::ReportOutcome::kAlreadyReceived)
    loadProblems(tx, row[9].as<std::int64_t>(), in);
  return report;
}

std::optional<std::string> setAsideRun(pqxx::transaction_base& tx, std::int64_t run_id,
                                       connectors::Clock::WallTime now) {
  const pqxx::result r = tx.exec_params(
      "SELECT outcome, approved_by_run, set_aside_at IS NOT NULL, quarantine_path"
      " FROM import_runs WHERE id = $1 FOR UPDATE",
      run_id);
  const std::string id = std::to_string(run_id);
  if (r.empty()) throw ApproveRefused("no run " + id);
  if (!r[0][1].is_null())
    throw ApproveRefused("run " + id + " was already approved: run " + r[0][1].as<std::string>() +
                         " applied it");
  if (r[0][2].as<bool>()) throw ApproveRefused("run " + id + " was already set aside");
  if (r[0][0].as<std::string>() != "quarantined")
    throw ApproveRefused("run " + id + " is not waiting for a decision (outcome " +
                         r[0][0].as<std::string>() + ")");
  tx.exec_params("UPDATE import_runs SET set_aside_at = $2::timestamptz WHERE id = $1", run_id,
                 sqlTimestamp(now));
  // Dropping the same content again is judged anew, not a duplicate of this.
  tx.exec_params(
      "UPDATE file_ledger SET outcome = 'rejected_file' WHERE run_id = $1 AND outcome = "
      "'quarantined'",
      run_id);
  return optText(r[0][3]);
}

void markReportDue(pqxx::transaction_base& tx, std::int64_t run_id, bool due) {
  tx.exec_params("UPDATE import_runs SET report_due = $2 WHERE id = $1", run_id, due);
}

std::vector<std::int64_t> reportsDue(pqxx::transaction_base& tx, const std::string& partner) {
  std::vector<std::int64_t> runs;
  for (const auto& row : tx.exec_params(
           "SELECT id FROM import_runs WHERE partner = $1 AND report_due ORDER BY id", partner))
    runs.push_back(row[0].as<std::int64_t>());
  return runs;
}

}  // namespace passerelle::daemon

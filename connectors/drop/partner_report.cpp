#include "connectors/drop/partner_report.h"

#include "connectors/drop/remote_name.h"

#include <algorithm>

namespace passerelle::connectors {

namespace {

void row(std::string& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ';';
    out += reportCell(cells[i]);
  }
  out += "\r\n";
}

std::string plural(long n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 || n == 0 ? one : many);
}

}  // namespace

std::string reportCell(const std::string& text) {
  std::string cell = text;
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                        cell[0] == '\t' || cell[0] == '\r')) {
    cell.insert(cell.begin(), '\'');
  }
  if (cell.find_first_of(";\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

ReportRecord reportRecordOf(const formats::Reject& reject) {
  return ReportRecord{reject.line, reject.source_ref, reject.errors, reject.warnings};
}

ReportRecord reportRecordOf(const formats::Offer& offer) {
  return ReportRecord{offer.line, offer.source_ref, {}, offer.warnings};
}

std::string reportFileName(const std::string& file_name) {
  // Room for the "." and ".tmp" of the temporary name the report is written under.
  return boundedName(file_name, ".report.csv", kMaxNameBytes - 5);
}

std::string renderPartnerReport(const PartnerReportInput& in) {
  std::string out = "\xEF\xBB\xBF";
  row(out, {"ligne", "reference", "gravite", "champ", "code", "message", "valeur"});

  std::string summary;
  if (in.file_error) {
    summary = "Fichier refusé : aucune offre importée.";
  } else {
    summary = plural(in.records, "enregistrement lu", "enregistrements lus") + " : " +
              plural(in.accepted, "offre acceptée", "offres acceptées") + ", " +
              plural(in.rejected, "rejetée", "rejetées") + ", " +
              plural(in.withdrawn, "retirée", "retirées") + ".";
  }
  if (in.note) summary += " " + *in.note;
  row(out, {"", "", "info", "", "RESUME", summary,
            "enregistrements=" + std::to_string(in.records) + " acceptees=" +
                std::to_string(in.accepted) + " rejetees=" + std::to_string(in.rejected) +
                " retirees=" + std::to_string(in.withdrawn)});

  auto fileRow = [&](const formats::FileIssue& issue, const char* severity) {
    std::string message = issue.message;
    if (issue.line) message += " (ligne " + std::to_string(*issue.line) + ")";
    row(out, {"", "", severity, "", issue.code, message, issue.value.value_or("")});
  };
  if (in.file_error) fileRow(*in.file_error, "erreur");
  for (const auto& w : in.file_warnings) fileRow(w, "avertissement");

  std::vector<const ReportRecord*> records;
  for (const auto& r : in.records_with_problems) records.push_back(&r);
  std::stable_sort(records.begin(), records.end(),
                   [](const ReportRecord* a, const ReportRecord* b) { return a->line < b->line; });
  for (const ReportRecord* r : records) {
    auto fieldRow = [&](const formats::FieldError& e, const char* severity) {
      row(out, {std::to_string(r->line), r->reference.value_or(""), severity, e.field.value_or(""),
                e.code, e.message, e.value.value_or("")});
    };
    for (const auto& e : r->errors) fieldRow(e, "erreur");
    for (const auto& w : r->warnings) fieldRow(w, "avertissement");
  }
  return out;
}

}  // namespace passerelle::connectors

// PartnerReport: the report written back into a partner's drop folder after
// each file, reports/<file name>.report.csv (drop-folders.md "Reports back to
// the partner"), and written again when an operator approves or sets aside a
// file that was put on hold.
//
// The bytes (report_csv.h): a UTF-8 BOM; rows of eight cells separated by
// ';' and ended by CRLF:
//   ligne;enregistrement;reference;gravite;colonne;code;message;valeur
// - the first row is the summary (`gravite` = `synthese`): one French
//   sentence with the records read, the offers taken, the rows refused and
//   the offers withdrawn because absent from the file; for a file on hold,
//   why (it would withdraw N of the partner's M online offers) and that the
//   portal's team checks it; after an operator's decision, that decision.
//   Its `code` says what became of the file (FICHIER_PRIS, FICHIER_REFUSE,
//   FICHIER_EN_ATTENTE, FICHIER_APPLIQUE, FICHIER_ECARTE, FICHIER_DEJA_RECU),
//   its `valeur` the counts;
// - then the file's error (`erreur`) or warnings (`avertissement`), `ligne`
//   and `enregistrement` empty (the line is in the message);
// - then each problem of each record, in file order (errors before warnings
//   within a record): `ligne` the physical line where the record starts,
//   `enregistrement` its number among the data records, `colonne` the
//   column's name as written in the partner's header ("ROME1, ROME2" for a
//   field built from several), never one of our field names;
// - `message`: what is wrong and what to change (report_messages.h).
//
// Thread safety: pure functions on plain values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "formats/field_error.h"
#include "formats/offer.h"

namespace passerelle::connectors {

// The problems of one record (a reject, or an accepted offer's warnings).
struct ReportRecord {
  long line = 0;
  long record = 0;  // 0: unknown (files taken before records were counted)
  std::optional<std::string> reference;
  std::vector<formats::FieldError> errors;
  std::vector<formats::FieldError> warnings;
};

// What became of the file, as the partner is told.
enum class ReportOutcome {
  kTaken,           // imported
  kRefused,         // refused as a whole: file_error
  kOnHold,          // quarantined: nothing applied, the portal's team checks it
  kApplied,         // on hold, then approved by the portal's team
  kSetAside,        // on hold, then set aside by the portal's team: never applied
  kAlreadyReceived  // the same content was received before: nothing changed
};

struct PartnerReportInput {
  ReportOutcome outcome = ReportOutcome::kTaken;
  std::string format;    // the dialect: names its columns when the header's are unknown
  bool snapshot = true;  // a snapshot withdraws what it lacks; a delta file by its rows
  long records = 0;      // records read (offers + deletions + rejects)
  long accepted = 0;     // offers taken (created, updated or unchanged)
  long rejected = 0;
  long withdrawn = 0;  // absent from a snapshot, or deleted by a delta row
  // On hold: it would withdraw `withdraw_forecast` of `active_before` online offers.
  long withdraw_forecast = 0;
  long active_before = 0;
  // JJ/MM/AAAA: when the portal's team decided (kApplied, kSetAside), or
  // when the same content was first received (kAlreadyReceived).
  std::optional<std::string> decided_on;
  std::optional<formats::FileIssue> file_error;  // kRefused
  std::vector<formats::FileIssue> file_warnings;
  std::vector<ReportRecord> records_with_problems;  // any order
  // Field path ("rome_codes") -> the header's columns as the partner wrote
  // them ("ROME1, ROME2"); a field missing here is named by the dialect.
  std::map<std::string, std::string> columns;
};

ReportRecord reportRecordOf(const formats::Reject& reject);
ReportRecord reportRecordOf(const formats::Offer& offer);  // its warnings

// The report's file name for a drop file: "<name>.report.csv", bounded
// (remote_name.h boundedName()) so that it and its temporary name
// (".<report>.tmp") fit in a path component whatever the name's length.
std::string reportFileName(const std::string& file_name);

// One row of the report, its eight cells as the partner reads them (the
// CSV's columns; the dashboard shows the same rows as a table).
struct ReportRow {
  std::string line, record, reference, severity, column, code, message, value;
};

// The rows after the CSV's header: the summary, the file's issues, then each
// record's problems in file order.
std::vector<ReportRow> partnerReportRows(const PartnerReportInput& input);

// The report's bytes: the BOM, the header, partnerReportRows() as CSV.
std::string renderPartnerReport(const PartnerReportInput& input);

// The summary sentence alone (the first row's message).
std::string reportSummary(const PartnerReportInput& input);

}  // namespace passerelle::connectors

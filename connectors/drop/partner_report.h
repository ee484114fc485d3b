// PartnerReport: the report written back into a partner's drop folder after
// each file, reports/<file name>.report.csv (drop-folders.md "Reports back to
// the partner").
//
// The bytes are: a UTF-8 BOM; then rows of seven cells separated by ';' and
// ended by CRLF: the header `ligne;reference;gravite;champ;code;message;valeur`,
// a summary row (code RESUME, gravite `info`, a French sentence with the
// counts, and the counts again in `valeur` as `enregistrements=N acceptees=N
// rejetees=N retirees=N`), then one row per problem: the file-level error
// (empty `ligne`), file warnings, then every error and warning of the rows in
// line order (errors before warnings within a line), `gravite` being `erreur`
// or `avertissement`.
//
// Cells are quoted ("...", inner quotes doubled) when they hold ';', '"', CR
// or LF. A cell starting with '=', '+', '-', '@', tab or CR gets a leading
// "'" first, so that a spreadsheet never evaluates it (formula injection).
//
// Thread safety: pure functions on plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "formats/field_error.h"
#include "formats/offer.h"

namespace passerelle::connectors {

// The problems of one record (a reject, or an accepted offer's warnings).
struct ReportRecord {
  long line = 0;
  std::optional<std::string> reference;
  std::vector<formats::FieldError> errors;
  std::vector<formats::FieldError> warnings;
};

struct PartnerReportInput {
  long records = 0;   // records read (offers + deletions + rejects)
  long accepted = 0;  // offers accepted (created, updated or unchanged)
  long rejected = 0;
  long withdrawn = 0;  // offers withdrawn (deletion rows, or absent from a snapshot)
  // The file refused as a whole (all counts are then zero).
  std::optional<formats::FileIssue> file_error;
  std::vector<formats::FileIssue> file_warnings;
  std::vector<ReportRecord> records_with_problems;  // any order
  // An extra French sentence appended to the summary (e.g. why a snapshot
  // was quarantined). Optional.
  std::optional<std::string> note;
};

ReportRecord reportRecordOf(const formats::Reject& reject);
ReportRecord reportRecordOf(const formats::Offer& offer);  // its warnings

// The report's file name for a drop file: "<name>.report.csv", bounded
// (remote_name.h boundedName()) so that it and its temporary name
// (".<report>.tmp") fit in a path component whatever the name's length.
std::string reportFileName(const std::string& file_name);

std::string renderPartnerReport(const PartnerReportInput& input);

// One cell, guarded and quoted as above (exposed for the tests).
std::string reportCell(const std::string& text);

}  // namespace passerelle::connectors

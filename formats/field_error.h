// FieldError: one problem found in one field of one row (or in a whole file).
//
// A row's problems are values, never exceptions: validation collects every
// FieldError of a row, and the row becomes an offer (with warnings) or a
// reject (with errors). Codes are the stable part of the contract
// (shared/specs/offer.md); messages are French and go back to partners.
//
// Thread safety: plain values; no shared state.
#pragma once

#include <optional>
#include <string>

namespace passerelle::formats {

struct FieldError {
  std::optional<std::string>
      field;            // normalised path, e.g. "employer.siret"; null for FIELD_COUNT...
  std::string code;     // e.g. "SIRET_CHECKSUM"
  std::string message;  // French, for partners
  std::optional<std::string> value;  // the field as decoded and folded, before normalisation

  bool operator==(const FieldError&) const = default;
};

// A problem that concerns the whole file: a file error (the file is refused)
// or a file warning (HEADER_UNKNOWN_COLUMNS).
struct FileIssue {
  std::string code;
  std::string message;
  std::optional<std::string> value;
  std::optional<long> line;

  bool operator==(const FileIssue&) const = default;
};

}  // namespace passerelle::formats

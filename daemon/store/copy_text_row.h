// CopyTextRow: one row of PostgreSQL's COPY ... TO STDOUT text format, split
// into its fields and unescaped (the format of the PostgreSQL manual, COPY,
// "Text Format": fields separated by a tab, NULL written \N, backslash escapes
// \b \f \n \r \t \v \\, \NNN octal and \xHH hexadecimal bytes, and any other
// escaped character standing for itself; the line ends with a newline).
//
// Why: a large read (the full `offers` listing) streams through COPY so that
// the server produces rows while the client writes them, on two cores,
// instead of alternating with a cursor's FETCH round trips; libpqxx 6.4's
// stream_from only parses rows into tuples of known types, so the raw lines
// are split here.
//
// Thread safety: a CopyTextRow belongs to one thread; parse() reuses its
// buffers from row to row.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace passerelle::daemon {

class CopyTextRow {
 public:
  // Splits and unescapes `line` (its final newline optional). Returns false
  // when the line is not a well-formed COPY text row (a lone trailing
  // backslash); the fields are then unspecified.
  bool parse(std::string_view line);

  std::size_t size() const { return count_; }
  bool isNull(std::size_t i) const { return !fields_[i].has_value(); }
  // The field's text; empty for NULL.
  const std::string& text(std::size_t i) const;

 private:
  std::vector<std::optional<std::string>> fields_;
  std::size_t count_ = 0;
  std::string empty_;
};

}  // namespace passerelle::daemon

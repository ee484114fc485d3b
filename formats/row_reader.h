// RowReader: decodes one data record of a file and applies the field rules to
// it, making an offer or a reject: the part of reading a file that depends on
// no other record, so that it may run on any thread.
//
// What a row needs of the records before it comes in a RowLayout (the
// encoding chosen, the header's columns); what depends on the rows before it
// (DUPLICATE_REF, the counts, delivery) is the caller's, in file order.
//
// Thread safety: one RowReader per thread. A RowLayout is immutable once
// made and may be shared between threads.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/csv_tokenizer.h"
#include "formats/dialect.h"
#include "formats/encoding.h"
#include "formats/offer.h"
#include "formats/row_validator.h"

namespace passerelle::formats {

// Stands for the part of a field past CsvLimits::field_bytes when it holds
// content: no rule reads that far, but the value must still count as longer
// (TITLE_TRUNCATED, REF_INVALID) and never as a valid code.
inline constexpr std::string_view kElided = "\xE2\x80\xA6";  // U+2026

// What the file's earlier records decided for the rows after them.
struct RowLayout {
  Encoding encoding = Encoding::kUtf8;
  std::size_t header_fields = 0;    // fields of the header record
  std::vector<int> column_of_spec;  // file column of each spec column, or -1
};

// One row's result, before file order is applied to it.
struct RowOutcome {
  bool is_offer = false;
  // A reject of the row as a whole (CSV_QUOTE, FIELD_COUNT, ENCODING): its
  // reference, when known, is claimed but never a DUPLICATE_REF itself.
  bool whole = false;
  Offer offer;    // when is_offer
  Reject reject;  // otherwise
};

class RowReader {
 public:
  RowReader(const Dialect& dialect, std::string partner);

  // Reads data record `r`, the `record`th of the file, into `out`.
  void read(const CsvRecord& r, long record, const RowLayout& layout, RowOutcome& out);

 private:
  void rejectWhole(long line, long record, FieldError error, std::optional<std::string> source_ref,
                   RowOutcome& out);
  bool decodeRow(const CsvRecord& r, long record, const RowLayout& layout, RowOutcome& out);
  std::string_view decodedField(std::size_t i) const;

  const DialectSpec& spec_;
  RowValidator validator_;
  std::string decoded_;  // the row's fields decoded, one after another; room, not content
  std::vector<std::size_t> decoded_ends_;  // end of each field in decoded_
};

}  // namespace passerelle::formats

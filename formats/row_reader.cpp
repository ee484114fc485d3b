#include "formats/row_reader.h"

#include <cstdio>
#include <utility>

namespace passerelle::formats {

namespace {

std::string hexByte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

// Appends kept field `i` decoded (with kElided for a tail with content);
// returns the first byte the encoding refuses in the whole field, if any.
std::optional<unsigned char> decodeKept(Encoding encoding, const CsvRecord& r, std::size_t i,
                                        std::string& out) {
  if (auto err = decodeAppend(encoding, r.field(i), out)) return err->byte;
  if (const FieldTail* t = r.tail(i)) {
    if (auto byte = t->firstUndefinedByte(encoding)) return byte;
    if (t->hasContent()) out += kElided;
  }
  return std::nullopt;
}

}  // namespace

RowReader::RowReader(const Dialect& dialect, std::string partner)
    : spec_(dialect.spec()), validator_(dialect, std::move(partner)) {}

void RowReader::read(const CsvRecord& r, long record, const RowLayout& layout, RowOutcome& out) {
  if (r.quote_error) {
    rejectWhole(
        r.line, record,
        FieldError{std::nullopt, "CSV_QUOTE",
                   "Guillemet fermant suivi d'autres caractères (ex. \"abc\"def) : ligne illisible",
                   std::nullopt},
        std::nullopt, out);
    return;
  }
  if (r.fieldCount() != layout.header_fields) {
    rejectWhole(r.line, record,
                FieldError{std::nullopt, "FIELD_COUNT",
                           "La ligne compte " + std::to_string(r.fieldCount()) +
                               " champs, l'en-tête " + std::to_string(layout.header_fields),
                           std::to_string(r.fieldCount())},
                std::nullopt, out);
    return;
  }
  if (!decodeRow(r, record, layout, out)) return;
  validator_.beginRow(r.line, record);
  for (std::size_t s = 0; s < spec_.columns.size(); ++s) {
    int c = layout.column_of_spec[s];
    if (c >= 0) validator_.addColumn(spec_.columns[s].field, decodedField(c));
  }
  out.whole = false;
  out.is_offer = validator_.finish();
  if (out.is_offer) {
    validator_.takeOffer(out.offer);
  } else {
    validator_.takeReject(out.reject);
  }
}

void RowReader::rejectWhole(long line, long record, FieldError error,
                            std::optional<std::string> source_ref, RowOutcome& out) {
  out.is_offer = false;
  out.whole = true;
  out.reject = validator_.rejectWhole(line, record, std::move(error), std::move(source_ref));
}

// Decodes every field of a row (an undefined byte anywhere rejects the row).
bool RowReader::decodeRow(const CsvRecord& r, long record, const RowLayout& layout,
                          RowOutcome& out) {
  decoded_.clear();
  decoded_ends_.clear();
  std::optional<unsigned char> bad_byte;
  std::size_t bad_field = 0;
  for (std::size_t i = 0; i < r.keptFieldCount(); ++i) {
    if (!bad_byte) {
      bad_byte = decodeKept(layout.encoding, r, i, decoded_);
      if (bad_byte) bad_field = i;
    }
    decoded_ends_.push_back(decoded_.size());
  }
  if (!bad_byte && r.dropped_fields > 0) {
    bad_byte = r.dropped.firstUndefinedByte(layout.encoding);
    bad_field = r.keptFieldCount();
  }
  if (!bad_byte) return true;
  // The row keeps its reference when the reference column itself decodes
  // cleanly, wherever it stands (offer.md, Precisions).
  std::optional<std::string> ref;
  for (std::size_t s = 0; s < spec_.columns.size(); ++s) {
    int c = layout.column_of_spec[s];
    if (spec_.columns[s].field != FieldId::kSourceRef || c < 0) continue;
    const auto column = static_cast<std::size_t>(c);
    std::string text;
    if (column != bad_field && column < r.keptFieldCount() &&
        !decodeKept(layout.encoding, r, column, text))
      ref = validator_.validSourceRef(text);
  }
  rejectWhole(r.line, record,
              FieldError{std::nullopt, "ENCODING",
                         "Octet " + hexByte(*bad_byte) + " non défini dans l'encodage " +
                             std::string(encodingName(layout.encoding)) + " (champ " +
                             std::to_string(bad_field + 1) + ")",
                         hexByte(*bad_byte)},
              std::move(ref), out);
  return false;
}

// A decoded field; empty for a field past CsvLimits::fields.
std::string_view RowReader::decodedField(std::size_t i) const {
  if (i >= decoded_ends_.size()) return {};
  std::size_t begin = i == 0 ? 0 : decoded_ends_[i - 1];
  return std::string_view(decoded_).substr(begin, decoded_ends_[i] - begin);
}

}  // namespace passerelle::formats

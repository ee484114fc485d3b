#include "formats/row_reader.h"

#include <cstdio>
#include <cstring>
#include <utility>

namespace passerelle::formats {

namespace {

std::string hexByte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

// What decoding one kept field wrote, and the first byte its encoding
// refuses anywhere in the field (its tail included), if any.
struct FieldDecode {
  std::size_t written = 0;
  std::optional<unsigned char> refused;
};

// Room decodeKeptInto() may use for kept field `i`.
std::size_t keptRoom(Encoding encoding, const CsvRecord& r, std::size_t i) {
  return maxDecodedSize(encoding, r.field(i).size()) + kElided.size();
}

// Decodes kept field `i` at w (with kElided for a tail with content).
FieldDecode decodeKeptInto(Encoding encoding, const CsvRecord& r, std::size_t i, char* w) {
  const DecodeResult d = decodeInto(encoding, r.field(i), w);
  if (d.error) return {d.written, d.error->byte};
  if (const FieldTail* t = r.tail(i)) {
    if (auto byte = t->firstUndefinedByte(encoding)) return {d.written, byte};
    if (t->hasContent()) {
      std::memcpy(w + d.written, kElided.data(), kElided.size());
      return {d.written + kElided.size(), std::nullopt};
    }
  }
  return {d.written, std::nullopt};
}

// Kept field `i` decoded into `out` (a one-off: the reference of a row
// rejected as a whole); the refused byte, if any.
std::optional<unsigned char> decodeKept(Encoding encoding, const CsvRecord& r, std::size_t i,
                                        std::string& out) {
  out.resize(keptRoom(encoding, r, i));
  const FieldDecode d = decodeKeptInto(encoding, r, i, out.data());
  out.resize(d.written);
  return d.refused;
}

// decoded_ is grown, never shrunk, so that it is not zero-filled for every
// row; a buffer grown past this by an exceptional record is given back.
constexpr std::size_t kDecodedBufferKeep = 256 * 1024;

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
  const std::size_t room =
      maxDecodedSize(layout.encoding, r.bytes.size()) + r.keptFieldCount() * kElided.size();
  if (decoded_.size() > kDecodedBufferKeep && room <= kDecodedBufferKeep)
    std::string().swap(decoded_);
  if (decoded_.size() < room) decoded_.resize(room);
  decoded_ends_.clear();
  std::size_t used = 0;
  std::optional<unsigned char> bad_byte;
  std::size_t bad_field = 0;
  for (std::size_t i = 0; i < r.keptFieldCount(); ++i) {
    if (!bad_byte) {
      const FieldDecode d = decodeKeptInto(layout.encoding, r, i, decoded_.data() + used);
      used += d.written;
      bad_byte = d.refused;
      if (bad_byte) bad_field = i;
    }
    decoded_ends_.push_back(used);
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

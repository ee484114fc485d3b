#include "formats/known_records.h"

#include <cstdint>
#include <cstring>

namespace passerelle::formats {

namespace {

// Fixed-width, so that no two different identities write the same bytes.
void appendNumber(std::string& out, std::uint64_t n) {
  char bytes[sizeof n];
  std::memcpy(bytes, &n, sizeof n);
  out.append(bytes, sizeof n);
}

void appendText(std::string& out, std::string_view text) {
  appendNumber(out, text.size());
  out += text;
}

}  // namespace

bool recordIdentity(const CsvRecord& record, const RowLayout& layout, std::string_view dialect,
                    std::string_view partner, std::string& out) {
  if (record.quote_error || record.has_nul || !record.overflows.empty() ||
      record.dropped_fields != 0)
    return false;
  out.clear();
  appendText(out, dialect);
  appendText(out, partner);
  appendNumber(out, static_cast<std::uint64_t>(layout.encoding));
  appendNumber(out, layout.header_fields);
  appendNumber(out, layout.column_of_spec.size());
  for (int column : layout.column_of_spec) appendNumber(out, static_cast<std::uint64_t>(column));
  appendNumber(out, record.ends.size());
  for (std::uint32_t end : record.ends) appendNumber(out, end);
  out += record.bytes;
  return true;
}

}  // namespace passerelle::formats

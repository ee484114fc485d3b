// FieldTail: what the reader still knows of the part of a field that it does
// not keep (issue 11 item 5: memory bounded per record).
//
// The tokenizer keeps at most CsvLimits::field_bytes of a field (no field
// rule reads further: the description's 10,000 characters are the longest);
// the rest goes through a FieldTail, which keeps only what a verdict may need:
// its length, whether it holds anything but ASCII blanks and line ends (a
// field padded with spaces is not "too long"), the first byte each encoding
// would refuse (ENCODING rejects the row wherever the bad byte stands) and
// the file's first non-ASCII bytes when they stand there (they decide the
// file's encoding). Memory is constant whatever the length of the field.
//
// Thread safety: a plain value; one owner.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "formats/encoding.h"

namespace passerelle::formats {

class FieldTail {
 public:
  // Appends the next bytes of the field's tail.
  void add(std::string_view bytes);
  // The field ended: a UTF-8 sequence still open is ill-formed.
  void finish();

  std::uint64_t bytes() const { return bytes_; }
  // True if the tail holds a byte other than space, tab, CR and LF.
  bool hasContent() const { return has_content_; }
  // The first byte decodeAppend() would refuse in the tail, in `enc`.
  std::optional<unsigned char> firstUndefinedByte(Encoding enc) const;
  // Up to four bytes from the tail's first non-ASCII byte; empty if none.
  std::string_view firstNonAscii() const {
    return std::string_view(first_non_ascii_.data(), first_non_ascii_size_);
  }

 private:
  void checkUtf8(std::string_view bytes);

  std::uint64_t bytes_ = 0;
  bool has_content_ = false;
  bool seen_non_ascii_ = false;
  bool non_ascii_closed_ = false;  // the field holding it ended
  std::array<char, 4> first_non_ascii_{};
  std::size_t first_non_ascii_size_ = 0;
  // Per Encoding (by its enum value): the first refused byte, once found.
  std::array<std::optional<unsigned char>, 3> undefined_;
  std::string utf8_open_;  // a UTF-8 sequence cut by a chunk boundary (< 4 bytes)
};

}  // namespace passerelle::formats

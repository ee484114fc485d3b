// Character encodings of partners' exports (shared/specs/formats/README.md).
//
// Decoding is table-driven: Windows-1252 and ISO-8859-15 map each byte
// through a 256-entry table to UTF-8 (undefined bytes flagged); UTF-8 is
// validated (well-formed per Unicode: no overlong forms, no surrogates,
// nothing above U+10FFFF). ASCII runs are copied as they are.
//
// Thread safety: pure functions over immutable tables.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace passerelle::formats {

enum class Encoding { kWindows1252, kIso8859_15, kUtf8 };

std::string_view encodingName(Encoding e);  // "windows-1252", "iso-8859-15", "utf-8"

struct DecodeError {
  std::size_t offset = 0;  // byte offset of the offending byte in the input
  unsigned char byte = 0;  // the offending byte (first byte of an ill-formed sequence)
};

struct DecodeResult {
  std::size_t written = 0;           // UTF-8 bytes written
  std::optional<DecodeError> error;  // where decoding stopped, if it did
};

// The most UTF-8 bytes decoding `n` bytes of `enc` can write.
std::size_t maxDecodedSize(Encoding enc, std::size_t n);

// Decodes `bytes` from `enc` into UTF-8 at `out`, which must have room for
// maxDecodedSize(enc, bytes.size()) bytes (it may write anywhere in that
// room, not only the bytes it reports). No allocation: a caller decoding
// every field of every row keeps one buffer and never zero-fills it again.
// On an undefined byte or ill-formed sequence, stops and reports it (what
// was written before stays).
DecodeResult decodeInto(Encoding enc, std::string_view bytes, char* out);

// Decodes `bytes` from `enc` into UTF-8, appending to `out`.
// On an undefined byte or ill-formed sequence, stops and returns the error
// (what was appended so far stays in `out`).
std::optional<DecodeError> decodeAppend(Encoding enc, std::string_view bytes, std::string& out);

// The first error decodeAppend() would report for `bytes`, without decoding
// (a field's part that is checked but not kept: field_tail.h).
std::optional<DecodeError> firstDecodeError(Encoding enc, std::string_view bytes);

// Length of the UTF-8 sequence left open at the end of `bytes` (a lead byte
// and fewer continuation bytes than it announces), 0 if there is none. Where
// a kept prefix is cut, these bytes go with the rest, so that the prefix
// decodes as it would have inside the whole value.
std::size_t incompleteUtf8Suffix(std::string_view bytes);

// True if a well-formed UTF-8 sequence (of 2 to 4 bytes) starts at bytes[0],
// which must be a non-ASCII byte. Used for the "first non-ASCII byte" rule.
bool startsWellFormedUtf8(std::string_view bytes);

// Length of the well-formed UTF-8 character at the start of `bytes` (1 for
// ASCII; Unicode table 3-7: no overlong form, no surrogate, nothing above
// U+10FFFF), 0 when `bytes` is empty or does not start with one.
std::size_t wellFormedUtf8Length(std::string_view bytes);

// Length of the UTF-8 BOM (3) if `bytes` starts with one, else 0.
std::size_t utf8BomLength(std::string_view bytes);

}  // namespace passerelle::formats

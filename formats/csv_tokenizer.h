// CsvTokenizer: a streaming RFC 4180 tokenizer with the rules of
// shared/specs/formats/README.md ("CSV").
//
// Fed with chunks of bytes in file order, it emits one CsvRecord per record
// through a callback, so memory is bounded by the largest record, not by the
// file. It knows nothing of encodings: fields are raw bytes (quotes removed,
// doubled quotes undone). Rules:
//  - a field may be quoted with '"'; a doubled quote inside is one quote;
//    quoted fields may hold the delimiter, CR and LF;
//  - a quote inside a field that does not start with one is data;
//  - spaces and tabs around an unquoted field are not data; a quote after
//    leading spaces opens a quoted field;
//  - a closing quote followed by anything but spaces/tabs and then the
//    delimiter or the end of the record marks the record `quote_error`
//    (CSV_QUOTE); the rest of the field is read as unquoted data and the
//    record ends where it normally would;
//  - CRLF and LF end records; a lone CR is data;
//  - `line` is the 1-based physical line (counted by LF) where the record
//    starts;
//  - a quote still open at the end of input is reported by finish().
//
//
// Memory is bounded per record too (CsvLimits): a field keeps at most
// `field_bytes` bytes and a record `record_bytes`; the rest of a field goes
// through a FieldTail (its length, whether it holds content, the bytes each
// encoding refuses), and fields past `fields` are only counted. No field
// rule reads that far: a 100 MB line costs what a 64 KiB field costs.
//
// Why not libcsv: its strict mode aborts the whole parse on `"abc"def` (the
// spec wants the row rejected and reading to go on), its lenient mode merges
// rows, it treats a lone CR as a record end, and it reports no line numbers.
// See bench/README.md for the speed comparison.
//
// Thread safety: one tokenizer per thread; no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/field_tail.h"

namespace passerelle::formats {

// What one record may keep. Defaults: the description's 10,000 characters
// take at most 40,000 bytes (UTF-8), 80,000 with Sigma's `\n` escapes in the
// worst case; 64 KiB leaves room for any realistic text while a record of
// some thirty such fields stays within 2 MiB.
struct CsvLimits {
  std::size_t field_bytes = 64 * 1024;
  std::size_t record_bytes = 2 * 1024 * 1024;
  std::size_t fields = 4096;  // fields past this one are counted, not kept
};

// A field cut at CsvLimits::field_bytes (or at the record's budget).
struct CsvFieldOverflow {
  std::uint32_t field = 0;
  FieldTail tail;
};

struct CsvRecord {
  long line = 0;                            // physical line where the record starts
  std::string bytes;                        // all kept fields' bytes, concatenated
  std::vector<std::uint32_t> ends;          // end offset of each kept field in `bytes`
  bool quote_error = false;                 // "abc"def somewhere in the record
  bool has_nul = false;                     // a NUL byte somewhere in the record
  std::vector<CsvFieldOverflow> overflows;  // kept fields that were cut, in field order
  std::size_t dropped_fields = 0;           // fields past CsvLimits::fields
  FieldTail dropped;                        // their bytes, all together

  // Every field of the record, kept or not.
  std::size_t fieldCount() const { return ends.size() + dropped_fields; }
  std::size_t keptFieldCount() const { return ends.size(); }
  // A kept field's bytes (up to the limit); empty for a field not kept.
  std::string_view field(std::size_t i) const {
    if (i >= ends.size()) return {};
    std::uint32_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(begin, ends[i] - begin);
  }
  // The part of kept field `i` past the limit, or nullptr if it was whole.
  const FieldTail* tail(std::size_t i) const {
    for (const CsvFieldOverflow& o : overflows)
      if (o.field == i) return &o.tail;
    return nullptr;
  }
  // True for a blank line and for records whose fields are all empty.
  bool allEmpty() const { return bytes.empty() && overflows.empty() && dropped.bytes() == 0; }
  // Gives back a buffer grown by an exceptional record, so that a batch of
  // reused records does not keep the largest record's size for each slot.
  void releaseLargeBuffers(std::size_t keep_bytes) {
    if (bytes.capacity() > keep_bytes) std::string().swap(bytes);
    if (ends.capacity() * sizeof(std::uint32_t) > keep_bytes)
      std::vector<std::uint32_t>().swap(ends);
  }
};

class CsvTokenizer {
 public:
  // The handler may take the record's buffers (swap it with its own CsvRecord):
  // the tokenizer clears whatever it gets back before the next record.
  using RecordHandler = std::function<void(CsvRecord&)>;

  explicit CsvTokenizer(char delimiter, CsvLimits limits = {});

  // Tokenizes a chunk; calls `on_record` for each record completed in it.
  void feed(std::string_view chunk, const RecordHandler& on_record);
  // End of input: emits the last record if it had no line end. Returns false
  // if a quoted field was still open (the file was cut short); that record is
  // then not emitted and unterminatedLine() tells where it started.
  bool finish(const RecordHandler& on_record);

  long unterminatedLine() const { return record_.line; }
  bool unterminatedHasNul() const { return record_.has_nul; }
  long linesSeen() const { return line_; }

 private:
  enum class State : std::uint8_t {
    kFieldStart,     // at the start of a field (leading spaces skipped)
    kUnquoted,       // inside an unquoted field
    kQuoted,         // inside a quoted field
    kQuoteInQuoted,  // just read a quote inside a quoted field
    kAfterQuoted,    // after a closing quote: only spaces/tabs may follow
    kCr,             // read a CR outside quotes: LF ends the record, else CR is data
  };

  void beginField();
  void endField();
  void endRecord(const RecordHandler& on_record);
  void startRecordIfNeeded();
  // Appends field data, up to the field's limit; the rest goes to its tail.
  void append(const char* begin, const char* end);
  void appendByte(char c) { append(&c, &c + 1); }
  void startTail();
  // The scans of the two fast paths, 16 bytes at a time (byte_block.h).
  const char* ordinaryRunEnd(const char* p, const char* end) const;
  const char* quotedRunEnd(const char* p, const char* end);

  char delimiter_;
  CsvLimits limits_;
  std::size_t field_limit_ = 0;  // offset in record_.bytes where the current field must stop
  FieldTail* tail_ = nullptr;    // where the current field's bytes go past its limit
  State state_ = State::kFieldStart;
  State state_before_cr_ = State::kFieldStart;
  long line_ = 1;
  bool in_record_ = false;
  std::size_t field_begin_ = 0;
  CsvRecord record_;
  std::uint8_t cls_[256];  // byte classes for the unquoted fast path
};

}  // namespace passerelle::formats

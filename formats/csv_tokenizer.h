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

namespace passerelle::formats {

struct CsvRecord {
  long line = 0;                    // physical line where the record starts
  std::string bytes;                // all fields' bytes, concatenated
  std::vector<std::uint32_t> ends;  // end offset of each field in `bytes`
  bool quote_error = false;         // "abc"def somewhere in the record
  bool has_nul = false;             // a NUL byte somewhere in the record

  std::size_t fieldCount() const { return ends.size(); }
  std::string_view field(std::size_t i) const {
    std::uint32_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(begin, ends[i] - begin);
  }
  // True for a blank line and for records whose fields are all empty.
  bool allEmpty() const { return bytes.empty(); }
};

class CsvTokenizer {
 public:
  // The handler may take the record's buffers (swap it with its own CsvRecord):
  // the tokenizer clears whatever it gets back before the next record.
  using RecordHandler = std::function<void(CsvRecord&)>;

  explicit CsvTokenizer(char delimiter);

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

  void endField();
  void endRecord(const RecordHandler& on_record);
  void startRecordIfNeeded();

  char delimiter_;
  State state_ = State::kFieldStart;
  State state_before_cr_ = State::kFieldStart;
  long line_ = 1;
  bool in_record_ = false;
  std::size_t field_begin_ = 0;
  CsvRecord record_;
  std::uint8_t cls_[256];  // byte classes for the unquoted fast path
};

}  // namespace passerelle::formats

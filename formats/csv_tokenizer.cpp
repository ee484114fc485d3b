#include "formats/csv_tokenizer.h"

#include <algorithm>
#include <cstring>

namespace passerelle::formats {

namespace {
// Byte classes for the unquoted fast path: anything not "ordinary" stops the scan.
constexpr std::uint8_t kOrdinary = 0;
constexpr std::uint8_t kSpecial = 1;

bool isBlank(char c) {
  return c == ' ' || c == '\t';
}
}  // namespace

CsvTokenizer::CsvTokenizer(char delimiter) : delimiter_(delimiter) {
  std::memset(cls_, kOrdinary, sizeof cls_);
  for (unsigned char c : {static_cast<unsigned char>(delimiter), static_cast<unsigned char>('\n'),
                          static_cast<unsigned char>('\r'), static_cast<unsigned char>('\0')}) {
    cls_[c] = kSpecial;
  }
  record_.line = 1;
}

void CsvTokenizer::startRecordIfNeeded() {
  if (in_record_) return;
  in_record_ = true;
  record_.line = line_;
  record_.bytes.clear();
  record_.ends.clear();
  record_.quote_error = false;
  record_.has_nul = false;
  field_begin_ = 0;
}

void CsvTokenizer::endField() {
  // Spaces and tabs after an unquoted field are not data. They are cut here,
  // once per field, so that the fast path need not stop at every space.
  if (state_ == State::kUnquoted) {
    std::string& b = record_.bytes;
    while (b.size() > field_begin_ && isBlank(b.back())) b.pop_back();
  }
  record_.ends.push_back(static_cast<std::uint32_t>(record_.bytes.size()));
  field_begin_ = record_.bytes.size();
  state_ = State::kFieldStart;
}

void CsvTokenizer::endRecord(const RecordHandler& on_record) {
  endField();
  // A record of empty fields only is a blank line or a spreadsheet's ";;;":
  // CsvRecord::allEmpty() tells, the reader skips it.
  on_record(record_);
  in_record_ = false;
  state_ = State::kFieldStart;
}

void CsvTokenizer::feed(std::string_view chunk, const RecordHandler& on_record) {
  const char* p = chunk.data();
  const char* const end = p + chunk.size();
  while (p < end) {
    char c = *p;
    switch (state_) {
      case State::kCr:
        // CR outside quotes: CRLF ends the record; a lone CR is data of the
        // field it interrupted (or starts an unquoted field).
        if (c == '\n') {
          state_ = state_before_cr_;
          ++line_;
          ++p;
          endRecord(on_record);
          continue;
        }
        // A character other than blanks after a closing quote: CSV_QUOTE.
        if (state_before_cr_ == State::kAfterQuoted) record_.quote_error = true;
        state_ = State::kUnquoted;
        record_.bytes.push_back('\r');
        continue;  // re-read c in the new state
      case State::kFieldStart:
        startRecordIfNeeded();
        if (isBlank(c)) {
          ++p;
          continue;
        }
        if (c == '"') {
          state_ = State::kQuoted;
          ++p;
          continue;
        }
        state_ = State::kUnquoted;
        continue;  // re-read c as unquoted
      case State::kUnquoted: {
        // Fast path: copy a run of ordinary bytes at once.
        const char* run = p;
        while (run < end && cls_[static_cast<unsigned char>(*run)] == kOrdinary) ++run;
        if (run != p) {
          record_.bytes.append(p, run);
          p = run;
          continue;
        }
        ++p;
        if (c == delimiter_) {
          endField();
        } else if (c == '\n') {
          ++line_;
          endRecord(on_record);
        } else if (c == '\r') {
          state_before_cr_ = State::kUnquoted;
          state_ = State::kCr;
        } else {  // NUL
          record_.has_nul = true;
          record_.bytes.push_back(c);
        }
        continue;
      }
      case State::kQuoted: {
        // Descriptions are mostly quoted: find the next quote, then count
        // line ends and look for NUL bytes in the run (vectorised scans).
        const char* quote = static_cast<const char*>(std::memchr(p, '"', end - p));
        const char* run = quote ? quote : end;
        line_ += std::count(p, run, '\n');
        if (std::memchr(p, '\0', run - p) != nullptr) record_.has_nul = true;
        record_.bytes.append(p, run);
        p = run;
        if (p != end) {
          ++p;
          state_ = State::kQuoteInQuoted;
        }
        continue;
      }
      case State::kQuoteInQuoted:
        if (c == '"') {  // doubled quote
          record_.bytes.push_back('"');
          state_ = State::kQuoted;
          ++p;
          continue;
        }
        state_ = State::kAfterQuoted;
        continue;  // re-read c after the closing quote
      case State::kAfterQuoted:
        ++p;
        if (c == delimiter_) {
          state_ = State::kQuoted;  // so endField keeps every byte
          endField();
        } else if (c == '\n') {
          ++line_;
          state_ = State::kQuoted;
          endRecord(on_record);
        } else if (c == '\r') {
          state_before_cr_ = State::kAfterQuoted;
          state_ = State::kCr;
        } else if (!isBlank(c)) {
          // "abc"def: the row is rejected (CSV_QUOTE); read on as unquoted
          // data so that the record ends where it normally would.
          record_.quote_error = true;
          if (c == '\0') record_.has_nul = true;
          record_.bytes.push_back(c);
          state_ = State::kUnquoted;
        }
        continue;
    }
  }
}

bool CsvTokenizer::finish(const RecordHandler& on_record) {
  switch (state_) {
    case State::kQuoted:
      return false;  // a quote left open: the file was cut short
    case State::kCr:
      // A CR at the very end: data of its field.
      if (state_before_cr_ == State::kAfterQuoted) record_.quote_error = true;
      state_ = State::kUnquoted;
      record_.bytes.push_back('\r');
      endRecord(on_record);
      return true;
    case State::kQuoteInQuoted:
    case State::kAfterQuoted:
      state_ = State::kQuoted;
      endRecord(on_record);
      return true;
    case State::kUnquoted:
      endRecord(on_record);
      return true;
    case State::kFieldStart:
      if (in_record_) endRecord(on_record);
      return true;
  }
  return true;
}

}  // namespace passerelle::formats

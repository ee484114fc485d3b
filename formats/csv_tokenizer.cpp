#include "formats/csv_tokenizer.h"

#include <algorithm>
#include <cstring>

#include "formats/byte_block.h"

namespace passerelle::formats {

namespace {
// Byte classes for the unquoted fast path: anything not "ordinary" stops the scan.
constexpr std::uint8_t kOrdinary = 0;
constexpr std::uint8_t kSpecial = 1;

bool isBlank(char c) {
  return c == ' ' || c == '\t';
}
}  // namespace

CsvTokenizer::CsvTokenizer(char delimiter, CsvLimits limits)
    : delimiter_(delimiter), limits_(limits) {
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
  record_.overflows.clear();
  record_.dropped_fields = 0;
  record_.dropped = FieldTail{};
  beginField();
}

void CsvTokenizer::beginField() {
  field_begin_ = record_.bytes.size();
  tail_ = nullptr;
  if (record_.ends.size() >= limits_.fields) {
    tail_ = &record_.dropped;  // counted, not kept
    return;
  }
  const std::size_t budget_left =
      limits_.record_bytes > field_begin_ ? limits_.record_bytes - field_begin_ : 0;
  field_limit_ = field_begin_ + std::min(limits_.field_bytes, budget_left);
}

void CsvTokenizer::append(const char* begin, const char* end) {
  const auto n = static_cast<std::size_t>(end - begin);
  if (tail_ != nullptr) {
    tail_->add(std::string_view(begin, n));
    return;
  }
  std::string& b = record_.bytes;
  if (b.size() + n <= field_limit_) {
    b.append(begin, n);
    return;
  }
  const std::size_t room = field_limit_ - b.size();
  b.append(begin, room);
  startTail();
  tail_->add(std::string_view(begin + room, n - room));
}

void CsvTokenizer::startTail() {
  record_.overflows.push_back(
      CsvFieldOverflow{static_cast<std::uint32_t>(record_.ends.size()), FieldTail{}});
  tail_ = &record_.overflows.back().tail;
  // A UTF-8 sequence cut by the limit goes with the tail, so that the kept
  // part decodes as it would have inside the whole field.
  std::string& b = record_.bytes;
  const std::size_t open =
      incompleteUtf8Suffix(std::string_view(b).substr(field_begin_, b.size() - field_begin_));
  if (open > 0) {
    tail_->add(std::string_view(b).substr(b.size() - open));
    b.resize(b.size() - open);
  }
}

void CsvTokenizer::endField() {
  if (tail_ == &record_.dropped) {
    tail_->finish();
    ++record_.dropped_fields;
    state_ = State::kFieldStart;
    return;  // the next field is dropped too
  }
  if (tail_ != nullptr) {
    tail_->finish();
    tail_ = nullptr;
  } else if (state_ == State::kUnquoted) {
    // Spaces and tabs after an unquoted field are not data. They are cut
    // here, once per field, so that the fast path need not stop at every
    // space.
    std::string& b = record_.bytes;
    while (b.size() > field_begin_ && isBlank(b.back())) b.pop_back();
  }
  record_.ends.push_back(static_cast<std::uint32_t>(record_.bytes.size()));
  beginField();
  state_ = State::kFieldStart;
}

void CsvTokenizer::endRecord(const RecordHandler& on_record) {
  endField();
  // A record of empty fields only is a blank line or a spreadsheet's ";;;":
  // CsvRecord::allEmpty() tells, the reader skips it.
  tail_ = nullptr;
  on_record(record_);
  in_record_ = false;
  state_ = State::kFieldStart;
}

// End of the run of ordinary bytes (not the delimiter, LF, CR or NUL) from p.
const char* CsvTokenizer::ordinaryRunEnd(const char* p, const char* end) const {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  const auto* const u_end = reinterpret_cast<const unsigned char*>(end);
  while (u_end - u >= static_cast<std::ptrdiff_t>(ByteBlock::kSize)) {
    const ByteBlock block(u);
    const std::uint32_t stops = block.equalTo(static_cast<unsigned char>(delimiter_)) |
                                block.equalTo('\n') | block.equalTo('\r') | block.equalTo(0);
    if (stops != 0) return reinterpret_cast<const char*>(u + firstSetBit(stops));
    u += ByteBlock::kSize;
  }
  while (u < u_end && cls_[*u] == kOrdinary) ++u;
  return reinterpret_cast<const char*>(u);
}

// End of the quoted data from p: the next quote, or `end`. Counts the line
// ends it passes and notes a NUL byte.
const char* CsvTokenizer::quotedRunEnd(const char* p, const char* end) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  const auto* const u_end = reinterpret_cast<const unsigned char*>(end);
  while (u_end - u >= static_cast<std::ptrdiff_t>(ByteBlock::kSize)) {
    const ByteBlock block(u);
    const std::uint32_t quotes = block.equalTo('"');
    // Only the bytes before the quote count.
    const std::uint32_t before = quotes != 0 ? (quotes & -quotes) - 1 : 0xFFFFu;
    if (const std::uint32_t ends = block.equalTo('\n') & before) line_ += setBitCount(ends);
    if ((block.equalTo(0) & before) != 0) record_.has_nul = true;
    if (quotes != 0) return reinterpret_cast<const char*>(u + firstSetBit(quotes));
    u += ByteBlock::kSize;
  }
  for (; u < u_end && *u != '"'; ++u) {
    if (*u == '\n') ++line_;
    if (*u == 0) record_.has_nul = true;
  }
  return reinterpret_cast<const char*>(u);
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
        appendByte('\r');
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
        const char* run = ordinaryRunEnd(p, end);
        if (run != p) {
          append(p, run);
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
          appendByte(c);
        }
        continue;
      }
      case State::kQuoted: {
        // Descriptions are mostly quoted: find the next quote, counting line
        // ends and looking for NUL bytes on the way (one scan).
        const char* run = quotedRunEnd(p, end);
        append(p, run);
        p = run;
        if (p != end) {
          ++p;
          state_ = State::kQuoteInQuoted;
        }
        continue;
      }
      case State::kQuoteInQuoted:
        if (c == '"') {  // doubled quote
          appendByte('"');
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
          appendByte(c);
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
      appendByte('\r');
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

#include "formats/field_tail.h"

namespace passerelle::formats {

namespace {

constexpr Encoding kEncodings[] = {Encoding::kWindows1252, Encoding::kIso8859_15, Encoding::kUtf8};

std::size_t indexOf(Encoding enc) {
  return static_cast<std::size_t>(enc);
}

bool isBlankOrLineEnd(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

void FieldTail::add(std::string_view bytes) {
  bytes_ += bytes.size();
  if (!has_content_) {
    for (char c : bytes) {
      if (!isBlankOrLineEnd(c)) {
        has_content_ = true;
        break;
      }
    }
  }
  // The file's first non-ASCII byte and what follows it (a sequence may be
  // split between two calls: fill up to four bytes).
  std::string_view rest = bytes;
  if (!seen_non_ascii_) {
    std::size_t i = 0;
    while (i < rest.size() && static_cast<unsigned char>(rest[i]) < 0x80) ++i;
    if (i < rest.size()) seen_non_ascii_ = true;
    rest.remove_prefix(i);
  }
  while (seen_non_ascii_ && !non_ascii_closed_ && first_non_ascii_size_ < 4 && !rest.empty()) {
    first_non_ascii_[first_non_ascii_size_++] = rest.front();
    rest.remove_prefix(1);
  }
  for (Encoding enc : kEncodings) {
    if (enc == Encoding::kUtf8) {
      checkUtf8(bytes);
    } else if (!undefined_[indexOf(enc)]) {
      if (auto err = firstDecodeError(enc, bytes)) undefined_[indexOf(enc)] = err->byte;
    }
  }
}

void FieldTail::checkUtf8(std::string_view bytes) {
  std::optional<unsigned char>& found = undefined_[indexOf(Encoding::kUtf8)];
  if (found || bytes.empty()) return;
  if (!utf8_open_.empty()) {
    // Complete the sequence left open by the previous call first.
    std::string joined = utf8_open_;
    const std::size_t take = std::min<std::size_t>(bytes.size(), 4);
    joined.append(bytes.substr(0, take));
    const std::size_t open = incompleteUtf8Suffix(joined);
    if (open == joined.size()) {  // still open (a 4-byte sequence fed byte by byte)
      utf8_open_ = joined;
      return;
    }
    if (auto err = firstDecodeError(Encoding::kUtf8, joined.substr(0, joined.size() - open))) {
      found = err->byte;
      return;
    }
    // `joined` ended on a boundary inside the first `take` bytes: go on from there.
    const std::size_t consumed = joined.size() - open - utf8_open_.size();
    utf8_open_.clear();
    bytes.remove_prefix(consumed);
  }
  const std::size_t open = incompleteUtf8Suffix(bytes);
  if (auto err = firstDecodeError(Encoding::kUtf8, bytes.substr(0, bytes.size() - open))) {
    found = err->byte;
    return;
  }
  utf8_open_.assign(bytes.substr(bytes.size() - open));
}

void FieldTail::finish() {
  // What follows is another field: not part of the sequence.
  if (seen_non_ascii_) non_ascii_closed_ = true;
  std::optional<unsigned char>& found = undefined_[indexOf(Encoding::kUtf8)];
  if (!found && !utf8_open_.empty()) found = static_cast<unsigned char>(utf8_open_.front());
  utf8_open_.clear();
}

std::optional<unsigned char> FieldTail::firstUndefinedByte(Encoding enc) const {
  return undefined_[indexOf(enc)];
}

}  // namespace passerelle::formats

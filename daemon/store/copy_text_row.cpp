#include "daemon/store/copy_text_row.h"

#include <algorithm>

namespace passerelle::daemon {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isOctal(char c) {
  return c >= '0' && c <= '7';
}

// Appends the unescaped `raw` to `out`; false on a lone trailing backslash.
bool unescape(std::string_view raw, std::string& out) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    // The text up to the next backslash, in one piece.
    const std::size_t escape = std::min(raw.find('\\', i), raw.size());
    out.append(raw.substr(i, escape - i));
    i = escape;
    if (i == raw.size()) break;
    if (++i == raw.size()) return false;
    const char e = raw[i];
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        int value = 0, digits = 0;
        while (digits < 2 && i + 1 < raw.size() && hexValue(raw[i + 1]) >= 0) {
          value = value * 16 + hexValue(raw[++i]);
          ++digits;
        }
        if (digits == 0) {
          out += 'x';  // "\x" with no digit is an x, as the server reads it
        } else {
          out += static_cast<char>(value);
        }
        break;
      }
      default:
        if (isOctal(e)) {
          int value = e - '0';
          for (int digits = 1; digits < 3 && i + 1 < raw.size() && isOctal(raw[i + 1]); ++digits)
            value = value * 8 + (raw[++i] - '0');
          out += static_cast<char>(value);
        } else {
          out += e;  // any other escaped character stands for itself
        }
    }
  }
  return true;
}

}  // namespace

bool CopyTextRow::parse(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  count_ = 0;
  std::size_t start = 0;
  for (;;) {
    // A tab inside a value is always escaped: every raw tab separates fields.
    const std::size_t end = std::min(line.find('\t', start), line.size());
    const std::string_view raw = line.substr(start, end - start);
    if (count_ == fields_.size()) fields_.emplace_back();
    std::optional<std::string>& field = fields_[count_++];
    if (raw == "\\N") {
      field.reset();
    } else {
      if (!field) field.emplace();
      field->clear();
      if (!unescape(raw, *field)) return false;
    }
    if (end == line.size()) return true;
    start = end + 1;
  }
}

const std::string& CopyTextRow::text(std::size_t i) const {
  return fields_[i] ? *fields_[i] : empty_;
}

}  // namespace passerelle::daemon

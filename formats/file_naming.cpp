// File names read into ordering keys by plain scans (file_naming.h).
#include "formats/file_naming.h"

namespace passerelle::formats {

namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

bool isAsciiAlnum(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char asciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool startsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (asciiLower(text[i]) != asciiLower(prefix[i])) return false;
  }
  return true;
}

bool allDigits(std::string_view text) {
  for (char c : text)
    if (!isDigit(c)) return false;
  return true;
}

std::size_t trailingDigits(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && isDigit(text[text.size() - 1 - n])) ++n;
  return n;
}

int twoDigits(std::string_view digits, std::size_t at) {
  return (digits[at] - '0') * 10 + (digits[at + 1] - '0');
}

// 8 digits AAAAMMJJ or 14 AAAAMMJJhhmmss that look like a date: month 01-12,
// day 01-31, hh <= 23, mm <= 59, ss <= 60. Loose on purpose: it only tells a
// date in a name from other digits, it does not validate a calendar.
bool looksLikeDate(std::string_view digits) {
  const int month = twoDigits(digits, 4), day = twoDigits(digits, 6);
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  if (digits.size() < 14) return true;
  return twoDigits(digits, 8) <= 23 && twoDigits(digits, 10) <= 59 && twoDigits(digits, 12) <= 60;
}

std::string withoutLeadingZeros(std::string_view digits) {
  const auto first = digits.find_first_not_of('0');
  return first == std::string_view::npos ? "0" : std::string(digits.substr(first));
}

// `<prefix><code>_<stamp>[_<NNN>].<ext>`, read from the right: the extension
// (letters and digits, after the last dot), the sequence number, the stamp
// right after an underscore, and at least one character of partner code.
std::optional<NameOrder> conventionalOrder(const FileNaming& naming, std::string_view name) {
  if (naming.stamp == NameStamp::kNone) return std::nullopt;
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == name.size()) return std::nullopt;
  for (char c : name.substr(dot + 1))
    if (!isAsciiAlnum(c)) return std::nullopt;
  std::string_view rest = name.substr(0, dot);
  if (!startsWithIgnoringCase(rest, naming.prefix)) return std::nullopt;
  rest.remove_prefix(naming.prefix.size());

  NameOrder order;
  if (naming.sequence) {
    const std::size_t n = trailingDigits(rest);
    if (n == 0 || n == rest.size() || rest[rest.size() - n - 1] != '_') return std::nullopt;
    order.sequence = withoutLeadingZeros(rest.substr(rest.size() - n));
    rest.remove_suffix(n + 1);
  }
  const std::size_t width = naming.stamp == NameStamp::kDateTime ? 14 : 8;
  if (rest.size() < width + 2) return std::nullopt;  // code, '_', stamp
  const std::string_view stamp = rest.substr(rest.size() - width);
  if (!allDigits(stamp) || rest[rest.size() - width - 1] != '_' || !looksLikeDate(stamp)) {
    return std::nullopt;
  }
  order.datetime = std::string(stamp);
  if (width == 8) order.datetime += "000000";
  return order;
}

// Any other name: its last run of exactly 14 digits that is a date and time,
// else its last run of exactly 8 digits that is a date.
NameOrder genericOrder(std::string_view name) {
  std::string_view date_time, date;
  std::size_t i = 0;
  while (i < name.size()) {
    if (!isDigit(name[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < name.size() && isDigit(name[i])) ++i;
    const std::string_view run = name.substr(start, i - start);
    if ((run.size() == 14 || run.size() == 8) && looksLikeDate(run)) {
      (run.size() == 14 ? date_time : date) = run;
    }
  }
  NameOrder order;
  if (!date_time.empty()) {
    order.datetime = std::string(date_time);
  } else if (!date.empty()) {
    order.datetime = std::string(date) + "000000";
  }
  return order;
}

}  // namespace

NameOrder nameOrderOf(const FileNaming& naming, std::string_view name) {
  if (auto order = conventionalOrder(naming, name)) return std::move(*order);
  return genericOrder(name);
}

std::weak_ordering compareNameOrder(const NameOrder& a, const NameOrder& b) {
  const bool a_dated = !a.datetime.empty(), b_dated = !b.datetime.empty();
  if (a_dated != b_dated) return a_dated ? std::weak_ordering::less : std::weak_ordering::greater;
  if (auto c = a.datetime <=> b.datetime; c != 0) return c;
  if (a.sequence.has_value() != b.sequence.has_value()) {
    return a.sequence ? std::weak_ordering::greater : std::weak_ordering::less;
  }
  if (a.sequence) {
    // Digits without leading zeros: the shorter is the smaller integer.
    if (auto c = a.sequence->size() <=> b.sequence->size(); c != 0) return c;
    return *a.sequence <=> *b.sequence;
  }
  return std::weak_ordering::equivalent;
}

}  // namespace passerelle::formats

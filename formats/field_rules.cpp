// The field rules of shared/specs/offer.md, written as hand-made byte scans
// rather than std::regex: the rules are tiny fixed patterns, std::regex is
// slow and allocates, and these run on every field of every row.
//
// Everything here works on bytes. The only non-ASCII characters a rule cares
// about are the no-break spaces a SIRET may hold (and white space in e-mail
// addresses); any other non-ASCII byte simply makes a pattern fail, which is
// the right answer for codes that are ASCII by definition. This file does
// not use text_fold.h on purpose: inputs are already folded by the caller.
#include "formats/field_rules.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

namespace passerelle::formats::rules {
namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isUpperLetter(char c) {
  return c >= 'A' && c <= 'Z';
}
char toUpperAscii(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), isDigit);
}

std::string upperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = toUpperAscii(c);
  return out;
}

// A byte loop, not string_view's compare: the prefixes are two or three
// bytes and a call to memcmp for each cost more than the rule itself.
bool startsWith(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k)
    if (s[k] != prefix[k]) return false;
  return true;
}

// Value of a run of ASCII digits already checked by the caller (at most a few
// digits, so no overflow).
int digitsValue(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// UTF-8 encodings of U+00A0 and U+202F, the no-break spaces French software
// puts in numbers ("510 245 678 00014" with thin spaces).
constexpr std::string_view kNbsp = "\xC2\xA0";
constexpr std::string_view kNarrowNbsp = "\xE2\x80\xAF";

// Length in bytes of a Unicode white space (offer.md's list) starting at
// s[i], 0 if there is none. ASCII white space and control bytes count too.
std::size_t whiteSpaceLength(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b <= 0x20 || b == 0x7F) return 1;
  if (b != 0xC2 && b != 0xE2 && b != 0xE3) return 0;  // The only lead bytes of the rest.
  const std::string_view rest = s.substr(i);
  if (startsWith(rest, kNbsp)) return 2;
  if (b == 0xE2 && rest.size() >= 3) {
    const auto b1 = static_cast<unsigned char>(rest[1]);
    const auto b2 = static_cast<unsigned char>(rest[2]);
    if (b1 == 0x80 && b2 >= 0x80 && b2 <= 0x8A) return 3;  // U+2000..U+200A
    if (b1 == 0x80 && b2 == 0xAF) return 3;                // U+202F
    if (b1 == 0x81 && b2 == 0x9F) return 3;                // U+205F
  }
  if (startsWith(rest, "\xE3\x80\x80")) return 3;  // U+3000
  return 0;
}

// Date pieces: a one- or two-digit field, and the shared range checks.
bool isOneOrTwoDigits(std::string_view s) {
  return (s.size() == 1 || s.size() == 2) && allDigits(s);
}

std::optional<CivilDate> makeDate(int year, int month, int day) {
  // 1900..2099: formats/README.md ("Dates") and offer.md (contract.start).
  if (year < 1900 || year > 2099 || !isValidDate(year, month, day)) return std::nullopt;
  return CivilDate{year, month, day};
}

// "HH:MM" or "HH:MM:SS" (seconds only when allowed); the hour may have one
// digit when `short_hour` (day-first exports write "9:05"), minutes and
// seconds always two.
bool parseTime(std::string_view s, bool allow_seconds, bool short_hour, CivilDateTime& out) {
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view hh = s.substr(0, colon);
  if (!(short_hour ? isOneOrTwoDigits(hh) : (hh.size() == 2 && allDigits(hh)))) return false;
  std::string_view rest = s.substr(colon + 1);
  std::string_view mm = rest.substr(0, 2);
  if (mm.size() != 2 || !allDigits(mm)) return false;
  rest.remove_prefix(2);
  int second = 0;
  if (!rest.empty()) {
    if (!allow_seconds || rest.size() != 3 || rest[0] != ':' || !allDigits(rest.substr(1))) {
      return false;
    }
    second = digitsValue(rest.substr(1));
  }
  const int hour = digitsValue(hh);
  const int minute = digitsValue(mm);
  // No leap second and no "24:00": neither is something an export writes for
  // a modification time, and 24:00 would need a date carry.
  if (hour > 23 || minute > 59 || second > 59) return false;
  out.hour = hour;
  out.minute = minute;
  out.second = second;
  return true;
}

}  // namespace

SiretResult checkSiret(std::string_view folded) {
  SiretResult result;
  std::string digits;
  digits.reserve(14);
  for (std::size_t i = 0; i < folded.size();) {
    const char c = folded[i];
    if (c == ' ' || c == '.' || c == '-') {
      ++i;
    } else if (startsWith(folded.substr(i), kNbsp)) {
      i += kNbsp.size();
    } else if (startsWith(folded.substr(i), kNarrowNbsp)) {
      i += kNarrowNbsp.size();
    } else if (isDigit(c)) {
      // Cap the copy: a 200-digit value is a format error, not a reason to
      // grow a string.
      if (digits.size() > 14) return result;
      digits.push_back(c);
      ++i;
    } else {
      return result;  // a letter, another symbol, any other non-ASCII byte
    }
  }
  if (digits.size() != 14 || digits.find_first_not_of('0') == std::string::npos) return result;

  // Luhn: from the right, every second digit is doubled (minus 9 when it
  // exceeds 9). With 14 digits these are the even indexes from the left.
  int luhn = 0;
  int digit_sum = 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    int d = digits[i] - '0';
    digit_sum += d;
    if (i % 2 == 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    luhn += d;
  }
  // La Poste's establishments share the SIREN 356000000 and outgrew the Luhn
  // key; INSEE numbers them so that the plain digit sum is a multiple of 5.
  const bool ok = luhn % 10 == 0 || (startsWith(digits, "356000000") && digit_sum % 5 == 0);
  result.status = ok ? SiretStatus::kOk : SiretStatus::kChecksum;
  result.digits = std::move(digits);
  return result;
}

std::optional<std::string> normaliseNaf(std::string_view folded) {
  std::string code;
  for (char c : folded) {
    if (c == '.' || c == ' ') continue;  // "56.10A", "56 10 a"
    if (code.size() >= 5) return std::nullopt;
    code.push_back(toUpperAscii(c));
  }
  if (code.size() != 5 || !allDigits(std::string_view(code).substr(0, 4)) ||
      !isUpperLetter(code[4])) {
    return std::nullopt;
  }
  return code;
}

RomeResult parseRomeCodes(std::string_view folded, std::string_view separators) {
  RomeResult result;
  auto add_unique = [](std::vector<std::string>& list, std::string value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
  };
  std::size_t start = 0;
  while (start <= folded.size()) {
    std::size_t end = folded.find_first_of(separators, start);
    if (end == std::string_view::npos) end = folded.size();
    const std::string_view token = trimSpaces(folded.substr(start, end - start));
    start = end + 1;
    if (token.empty()) continue;  // "D1106,,D1105", a trailing separator
    std::string code = upperAscii(token);
    const bool valid = code.size() == 5 && code[0] >= 'A' && code[0] <= 'N' &&
                       allDigits(std::string_view(code).substr(1));
    if (valid) {
      add_unique(result.codes, std::move(code));
    } else {
      // Kept as the partner wrote it (trimmed, not upper-cased): it is quoted
      // back in the warning or reject message.
      add_unique(result.invalid, std::string(token));
    }
  }
  return result;
}

std::optional<CivilDate> parseDateDayFirst(std::string_view folded) {
  const std::size_t slash1 = folded.find('/');
  if (slash1 == std::string_view::npos) return std::nullopt;
  const std::size_t slash2 = folded.find('/', slash1 + 1);
  if (slash2 == std::string_view::npos) return std::nullopt;
  const std::string_view day = folded.substr(0, slash1);
  const std::string_view month = folded.substr(slash1 + 1, slash2 - slash1 - 1);
  const std::string_view year = folded.substr(slash2 + 1);
  // Exactly four year digits: "1/9/26" is refused rather than guessed.
  if (!isOneOrTwoDigits(day) || !isOneOrTwoDigits(month) || year.size() != 4 || !allDigits(year)) {
    return std::nullopt;
  }
  return makeDate(digitsValue(year), digitsValue(month), digitsValue(day));
}

std::optional<CivilDate> parseDateIso(std::string_view folded) {
  if (folded.size() != 10 || folded[4] != '-' || folded[7] != '-') return std::nullopt;
  const std::string_view year = folded.substr(0, 4);
  const std::string_view month = folded.substr(5, 2);
  const std::string_view day = folded.substr(8, 2);
  if (!allDigits(year) || !allDigits(month) || !allDigits(day)) return std::nullopt;
  return makeDate(digitsValue(year), digitsValue(month), digitsValue(day));
}

std::optional<CivilDateTime> parseDateTimeDayFirst(std::string_view folded, bool allow_seconds) {
  // Exactly one space between date and time (the input is folded, so several
  // spaces cannot reach here; a 'T' or no space at all is refused).
  const std::size_t space = folded.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto date = parseDateDayFirst(folded.substr(0, space));
  if (!date) return std::nullopt;
  CivilDateTime t;
  t.date = *date;
  if (!parseTime(folded.substr(space + 1), allow_seconds, /*short_hour=*/true, t)) {
    return std::nullopt;
  }
  // Already Europe/Paris local time, kept as written (even in the skipped
  // March hour: the value is a label the vendor wrote, and
  // unixFromParisLocal reads it with the winter offset when needed).
  return t;
}

std::optional<CivilDateTime> parseDateTimeIso(std::string_view folded) {
  // "AAAA-MM-JJTHH:MM:SS" is 19 bytes; ISO requires two-digit hours here.
  if (folded.size() < 19 || folded[10] != 'T') return std::nullopt;
  const auto date = parseDateIso(folded.substr(0, 10));
  if (!date) return std::nullopt;
  CivilDateTime t;
  t.date = *date;
  if (folded[13] != ':' || folded[16] != ':' ||
      !parseTime(folded.substr(11, 8), /*allow_seconds=*/true, /*short_hour=*/false, t)) {
    return std::nullopt;
  }
  std::string_view rest = folded.substr(19);

  // Fractional seconds: at least one digit after the dot; dropped, not
  // rounded (rounding could carry into the next day).
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    const std::size_t n = std::min(rest.find_first_not_of("0123456789"), rest.size());
    if (n == 0) return std::nullopt;
    rest.remove_prefix(n);
  }

  if (rest.empty()) return t;  // no suffix: already Europe/Paris local time

  int offset_seconds = 0;
  if (rest == "Z") {
    offset_seconds = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
             allDigits(rest.substr(1, 2)) && allDigits(rest.substr(4, 2))) {
    const int hours = digitsValue(rest.substr(1, 2));
    const int minutes = digitsValue(rest.substr(4, 2));
    // Real UTC offsets run from -12:00 to +14:00; anything beyond 14:00 is a
    // corrupted value rather than a time zone.
    if (minutes > 59 || hours * 60 + minutes > 14 * 60) return std::nullopt;
    offset_seconds = (rest[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  } else {
    return std::nullopt;
  }
  // Local = UTC + offset, so UTC = written time - offset.
  const std::int64_t utc = unixFromUtc(t) - offset_seconds;
  const CivilDateTime local = parisLocalFromUnix(utc);
  // The converted value must still be a date the rules accept (an offset can
  // push 2099-12-31 into 2100).
  if (local.date.year < 1900 || local.date.year > 2099) return std::nullopt;
  return local;
}

std::optional<int> parseIntInRange(std::string_view folded, int lo, int hi) {
  if (!allDigits(folded)) return std::nullopt;  // no sign, no spaces, not empty
  // Accumulate in 64 bits and stop growing past int's range, so that a long
  // run of digits cannot overflow; leading zeros cost nothing.
  constexpr std::int64_t kCap = static_cast<std::int64_t>(std::numeric_limits<int>::max()) + 1;
  std::int64_t value = 0;
  for (char c : folded) {
    value = value * 10 + (c - '0');
    if (value > kCap) value = kCap;
  }
  if (value < lo || value > hi) return std::nullopt;
  return static_cast<int>(value);
}

std::optional<std::string> normaliseRncp(std::string_view folded) {
  std::string_view rest = folded;
  if (rest.size() >= 4 && upperAscii(rest.substr(0, 4)) == "RNCP") {
    rest.remove_prefix(4);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);  // "RNCP 12345"
  }
  if (rest.size() < 3 || rest.size() > 6 || !allDigits(rest)) return std::nullopt;
  return "RNCP" + std::string(rest);
}

std::optional<std::string> normalisePostalCode(std::string_view folded) {
  if (!allDigits(folded)) return std::nullopt;
  if (folded.size() == 5) return std::string(folded);
  // A spreadsheet read "01000" as the number 1000 and dropped the zero.
  if (folded.size() == 4) return "0" + std::string(folded);
  return std::nullopt;
}

std::optional<std::string> normaliseInsee(std::string_view folded) {
  if (folded.size() != 5) return std::nullopt;
  const std::string code = upperAscii(folded);
  if (!allDigits(std::string_view(code).substr(2))) return std::nullopt;
  const char a = code[0];
  const char b = code[1];
  bool ok = false;
  if (a == '0') {
    ok = b >= '1' && b <= '9';  // 01..09
  } else if (a == '1') {
    ok = isDigit(b);  // 10..19
  } else if (a == '2') {
    ok = (b >= '1' && b <= '9') || b == 'A' || b == 'B';  // 21..29, Corsica 2A/2B (no 20)
  } else if (a >= '3' && a <= '8') {
    ok = isDigit(b);  // 30..89
  } else if (a == '9') {
    ok = (b >= '0' && b <= '5') || b == '7' || b == '8';  // 90..95, overseas 97/98
  }
  if (!ok) return std::nullopt;
  return code;
}

std::optional<std::string> departmentOf(const std::optional<std::string>& insee,
                                        const std::optional<std::string>& postal_code) {
  // Validate again rather than trust the caller: an invalid INSEE code is
  // only a warning, and must not give a department.
  if (insee) {
    if (const auto code = normaliseInsee(*insee)) {
      // Literal spec: three characters for 97x only (98x INSEE codes give
      // "98"), two otherwise ("2A", "35").
      return code->substr(0, startsWith(*code, "97") ? 3 : 2);
    }
  }
  if (postal_code) {
    if (const auto code = normalisePostalCode(*postal_code)) {
      if (startsWith(*code, "97") || startsWith(*code, "98")) return code->substr(0, 3);
      if (startsWith(*code, "20")) {
        // Corsica: every postal code below 20200 is in Corse-du-Sud, every
        // one from 20200 in Haute-Corse (offer.md).
        return digitsValue(*code) < 20200 ? "2A" : "2B";
      }
      return code->substr(0, 2);
    }
  }
  return std::nullopt;
}

bool isPlausibleEmail(std::string_view folded) {
  const std::size_t at = folded.find('@');
  if (at == std::string_view::npos || at == 0) return false;  // a non-empty local part
  if (folded.find('@', at + 1) != std::string_view::npos) return false;
  for (std::size_t i = 0; i < folded.size(); ++i) {
    if (whiteSpaceLength(folded, i) != 0) return false;
  }
  // A domain of at least two dot-separated labels, none empty (offer.md,
  // Precisions: a@.fr, a@b., a@b.fr. are invalid).
  const std::string_view domain = folded.substr(at + 1);
  std::size_t labels = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = domain.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? domain.size() : dot;
    if (end == start) return false;  // an empty label
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2;
}

std::optional<std::string> phoneToE164(std::string_view folded) {
  // 1. Drop the usual separators (spaces, no-break spaces, dots, dashes,
  //    slashes). Parentheses are kept for now: "(0)" means something.
  std::string s;
  for (std::size_t i = 0; i < folded.size();) {
    const char c = folded[i];
    if (c == ' ' || c == '.' || c == '-' || c == '/') {
      ++i;
    } else if (startsWith(folded.substr(i), kNbsp)) {
      i += kNbsp.size();
    } else if (startsWith(folded.substr(i), kNarrowNbsp)) {
      i += kNarrowNbsp.size();
    } else {
      if (s.size() > 32) return std::nullopt;  // far too long for any number
      s.push_back(c);
      ++i;
    }
  }
  // 2. A country code in brackets is read without them: "(+33) 2 99...".
  if (startsWith(s, "(+") || startsWith(s, "(00")) {
    const std::size_t close = s.find(')');
    if (close != std::string::npos) {
      s.erase(close, 1);
      s.erase(0, 1);
    }
  }
  //    "+44 (0)20 ..." writes the national trunk 0 that callers from abroad
  //    must not dial: it goes away after any country code (one to three
  //    digits after + or 00).
  const std::size_t country_start = startsWith(s, "+") ? 1 : startsWith(s, "00") ? 2 : 0;
  if (country_start > 0) {
    std::size_t end = country_start;
    while (end < s.size() && end - country_start < 3 && isDigit(s[end])) ++end;
    if (end > country_start && s.compare(end, 3, "(0)") == 0) s.erase(end, 3);
  }
  // 3. Brackets anywhere else are no usual way of writing a number (offer.md,
  //    Precisions: only "(0)" after a country code and a country code in
  //    brackets): "0 (0)2 99..." is not read as the Greenland "+299...".
  if (s.find_first_of("()") != std::string::npos) return std::nullopt;

  // 4. International prefix "00" becomes "+".
  if (startsWith(s, "00")) s.replace(0, 2, "+");

  if (!s.empty() && s.front() == '+') {
    std::string digits = s.substr(1);
    if (!allDigits(digits) || digits.front() == '0') return std::nullopt;  // no country code 0
    if (startsWith(digits, "33")) {
      std::string national = digits.substr(2);
      // "+33 0 2 99...": offer.md wants 9 digits after +33, the first 1 to 9;
      // only a bracketed "(0)" is dropped (step 2).
      if (national.size() != 9 || national.front() == '0') return std::nullopt;
      return "+33" + national;
    }
    if (digits.size() < 8 || digits.size() > 15) return std::nullopt;  // E.164: at most 15
    return "+" + digits;
  }

  // 5. National French writing: 0 and nine digits.
  if (s.size() != 10 || s.front() != '0' || !allDigits(s)) return std::nullopt;
  struct Overseas {
    std::string_view prefix;
    std::string_view country;
  };
  // Overseas departments keep their own country code (offer.md): Réunion and
  // Mayotte +262, Guadeloupe (and Saint-Martin, Saint-Barthélemy) +590,
  // Guyane +594, Martinique +596.
  static constexpr std::array<Overseas, 14> kOverseas = {{
      {"0262", "+262"},
      {"0263", "+262"},
      {"0269", "+262"},
      {"0639", "+262"},
      {"0692", "+262"},
      {"0693", "+262"},
      {"0590", "+590"},
      {"0690", "+590"},
      {"0691", "+590"},
      {"0594", "+594"},
      {"0694", "+594"},
      {"0596", "+596"},
      {"0696", "+596"},
      {"0697", "+596"},
  }};
  for (const Overseas& o : kOverseas) {
    if (startsWith(s, o.prefix)) return std::string(o.country) + s.substr(1);
  }
  if (s[1] == '0') return std::nullopt;  // unreachable after step 4, kept for clarity
  return "+33" + s.substr(1);
}

}  // namespace passerelle::formats::rules

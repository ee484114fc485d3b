// Calendar arithmetic and Europe/Paris local time, by hand: GCC 12's
// libstdc++ has no std::chrono time-zone database, and the spec fixes the EU
// rule anyway (formats/README.md), so no tzdata is consulted.
#include "formats/paris_time.h"

#include <cstdio>

namespace passerelle::formats {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;
constexpr int kWinterOffset = 3600;  // CET, UTC+1
constexpr int kSummerOffset = 7200;  // CEST, UTC+2

bool isLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// Floor division: the Unix helpers must also work before 1970 (the date rules
// accept 1900..2099), where plain `/` would round towards zero.
std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Day of the week of a day count since 1970-01-01, 0 = Sunday. 1970-01-01 was
// a Thursday (4).
int weekdayFromDays(std::int64_t days) {
  return static_cast<int>(days + 4 - floorDiv(days + 4, 7) * 7);
}

// Day count of the last Sunday of a month.
std::int64_t lastSundayOf(int year, int month) {
  std::int64_t last = daysFromCivil({year, month, daysInMonth(year, month)});
  return last - weekdayFromDays(last);
}

// Summer time window of a year, as UTC instants [start, end): the EU rule
// switches at 01:00 UTC on both last Sundays.
std::int64_t summerStartUtc(int year) {
  return lastSundayOf(year, 3) * kSecondsPerDay + 3600;
}
std::int64_t summerEndUtc(int year) {
  return lastSundayOf(year, 10) * kSecondsPerDay + 3600;
}

}  // namespace

bool isValidDate(int year, int month, int day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

int daysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && isLeapYear(year)) return 29;
  return kDays[month - 1];
}

// Howard Hinnant's days_from_civil
// (https://howardhinnant.github.io/date_algorithms.html): years start in
// March so that the leap day is the last day of the "year", and eras are
// 400-year cycles of exactly 146097 days.
std::int64_t daysFromCivil(CivilDate d) {
  const std::int64_t y = static_cast<std::int64_t>(d.year) - (d.month <= 2 ? 1 : 0);
  const std::int64_t era = floorDiv(y, 400);
  const std::int64_t yoe = y - era * 400;                           // [0, 399]
  const std::int64_t mp = d.month > 2 ? d.month - 3 : d.month + 9;  // [0, 11]
  const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;          // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;   // [0, 146096]
  return era * 146097 + doe - 719468;
}

// Hinnant's civil_from_days, the inverse of the above.
CivilDate civilFromDays(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = floorDiv(z, 146097);
  const std::int64_t doe = z - era * 146097;                                       // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;                           // [1, 31]
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;                            // [1, 12]
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return {static_cast<int>(year), static_cast<int>(month), static_cast<int>(day)};
}

std::int64_t unixFromUtc(const CivilDateTime& t) {
  return daysFromCivil(t.date) * kSecondsPerDay + t.hour * 3600 + t.minute * 60 + t.second;
}

CivilDateTime utcFromUnix(std::int64_t seconds) {
  const std::int64_t days = floorDiv(seconds, kSecondsPerDay);
  const std::int64_t rest = seconds - days * kSecondsPerDay;  // [0, 86399]
  CivilDateTime t;
  t.date = civilFromDays(days);
  t.hour = static_cast<int>(rest / 3600);
  t.minute = static_cast<int>(rest % 3600 / 60);
  t.second = static_cast<int>(rest % 60);
  return t;
}

int parisOffsetAtUtc(std::int64_t unix_seconds) {
  // The window lies inside one UTC year, so the instant's own UTC year is the
  // only one to look at.
  const int year = civilFromDays(floorDiv(unix_seconds, kSecondsPerDay)).year;
  return unix_seconds >= summerStartUtc(year) && unix_seconds < summerEndUtc(year) ? kSummerOffset
                                                                                   : kWinterOffset;
}

int parisOffsetForLocal(const CivilDateTime& local) {
  // Try the summer reading first: if the instant it gives is indeed in summer
  // time, the local time exists with UTC+2. That is the first occurrence of
  // the repeated October hour (02:00-02:59 local exists with both offsets),
  // as the spec wants. In the skipped March hour (02:00-02:59 local) the
  // summer reading gives an instant before the switch, so it falls back to
  // the winter offset, as the spec wants too.
  const std::int64_t as_if_utc = unixFromUtc(local);
  return parisOffsetAtUtc(as_if_utc - kSummerOffset) == kSummerOffset ? kSummerOffset
                                                                      : kWinterOffset;
}

CivilDateTime parisLocalFromUnix(std::int64_t unix_seconds) {
  return utcFromUnix(unix_seconds + parisOffsetAtUtc(unix_seconds));
}

std::int64_t unixFromParisLocal(const CivilDateTime& local) {
  return unixFromUtc(local) - parisOffsetForLocal(local);
}

namespace {

// Zero-padded decimal digits written at p, by hand, into a buffer on the
// stack: these run for every date of every offer, and snprintf, then
// push_back per character, showed in the profile of `check`. Returns the end.
char* writePadded(char* p, int value, int width) {
  char digits[12];
  int n = 0;
  unsigned v = value < 0 ? 0u : static_cast<unsigned>(value);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < 11);
  for (int i = n; i < width; ++i) *p++ = '0';
  while (n > 0) *p++ = digits[--n];
  return p;
}

// YYYY-MM-DD (a sign first for a year before 0) at p; returns the end.
char* writeDate(char* p, const CivilDate& d) {
  if (d.year < 0) *p++ = '-';
  p = writePadded(p, d.year < 0 ? -d.year : d.year, 4);
  *p++ = '-';
  p = writePadded(p, d.month, 2);
  *p++ = '-';
  return writePadded(p, d.day, 2);
}

}  // namespace

std::string formatDate(const CivilDate& d) {
  char buf[48];
  return std::string(buf, writeDate(buf, d));
}

std::string formatDateTime(const CivilDateTime& t) {
  char buf[96];
  char* p = writeDate(buf, t.date);
  *p++ = 'T';
  p = writePadded(p, t.hour, 2);
  *p++ = ':';
  p = writePadded(p, t.minute, 2);
  *p++ = ':';
  p = writePadded(p, t.second, 2);
  return std::string(buf, p);
}

std::string formatParisOffset(const CivilDateTime& local) {
  return parisOffsetForLocal(local) == kSummerOffset ? "+02:00" : "+01:00";
}

}  // namespace passerelle::formats

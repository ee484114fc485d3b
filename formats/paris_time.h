// Calendar dates and Europe/Paris local time without a time-zone database.
//
// Europe/Paris is UTC+1, and UTC+2 from the last Sunday of March 01:00 UTC
// to the last Sunday of October 01:00 UTC (the EU rule). A local time in the
// repeated October hour is read as its first occurrence (UTC+2); a local
// time in the skipped March hour is read with the winter offset.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace passerelle::formats {

struct CivilDate {
  int year = 0, month = 0, day = 0;
  bool operator==(const CivilDate&) const = default;
  auto operator<=>(const CivilDate&) const = default;
};

struct CivilDateTime {
  CivilDate date;
  int hour = 0, minute = 0, second = 0;
  bool operator==(const CivilDateTime&) const = default;
  auto operator<=>(const CivilDateTime&) const = default;
};

bool isValidDate(int year, int month, int day);  // real calendar date (proleptic Gregorian)
int daysInMonth(int year, int month);

// Days since 1970-01-01 and back.
std::int64_t daysFromCivil(CivilDate d);
CivilDate civilFromDays(std::int64_t days);

// Seconds since the Unix epoch of a UTC civil time, and back.
std::int64_t unixFromUtc(const CivilDateTime& t);
CivilDateTime utcFromUnix(std::int64_t seconds);

// Offset of Europe/Paris at a UTC instant, in seconds (3600 or 7200).
int parisOffsetAtUtc(std::int64_t unix_seconds);
// Offset of Europe/Paris for a local wall-clock time (first occurrence rule).
int parisOffsetForLocal(const CivilDateTime& local);

CivilDateTime parisLocalFromUnix(std::int64_t unix_seconds);
std::int64_t unixFromParisLocal(const CivilDateTime& local);

std::string formatDate(const CivilDate& d);          // YYYY-MM-DD
std::string formatDateTime(const CivilDateTime& t);  // YYYY-MM-DDTHH:MM:SS
// "+01:00" / "+02:00" for a Paris local time.
std::string formatParisOffset(const CivilDateTime& local);

}  // namespace passerelle::formats

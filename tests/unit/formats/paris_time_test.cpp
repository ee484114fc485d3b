// Calendar arithmetic and the Europe/Paris EU rule. Expected Unix values were
// computed independently (Python's datetime/zoneinfo), not with this code.
#include "formats/paris_time.h"

#include <doctest/doctest.h>

namespace pf = passerelle::formats;
using pf::CivilDate;
using pf::CivilDateTime;

namespace {
CivilDateTime dt(int y, int mo, int d, int h, int mi, int s) {
  return {{y, mo, d}, h, mi, s};
}
}  // namespace

TEST_SUITE("paris_time") {
  TEST_CASE("daysInMonth and isValidDate follow the Gregorian calendar") {
    CHECK(pf::daysInMonth(2026, 1) == 31);
    CHECK(pf::daysInMonth(2026, 4) == 30);
    CHECK(pf::daysInMonth(2026, 2) == 28);
    CHECK(pf::daysInMonth(2024, 2) == 29);
    CHECK(pf::daysInMonth(2000, 2) == 29);  // divisible by 400
    CHECK(pf::daysInMonth(1900, 2) == 28);  // divisible by 100 only
    CHECK(pf::daysInMonth(2100, 2) == 28);
    CHECK(pf::daysInMonth(2026, 0) == 0);
    CHECK(pf::daysInMonth(2026, 13) == 0);

    CHECK(pf::isValidDate(2024, 2, 29));
    CHECK_FALSE(pf::isValidDate(2026, 2, 29));
    CHECK_FALSE(pf::isValidDate(1900, 2, 29));
    CHECK(pf::isValidDate(2026, 12, 31));
    CHECK_FALSE(pf::isValidDate(2026, 4, 31));
    CHECK_FALSE(pf::isValidDate(2026, 1, 0));
    CHECK_FALSE(pf::isValidDate(2026, 0, 1));
    CHECK_FALSE(pf::isValidDate(2026, 13, 1));
    CHECK_FALSE(pf::isValidDate(2026, 1, 32));
  }

  TEST_CASE("daysFromCivil / civilFromDays") {
    CHECK(pf::daysFromCivil({1970, 1, 1}) == 0);
    CHECK(pf::daysFromCivil({1970, 1, 2}) == 1);
    CHECK(pf::daysFromCivil({1969, 12, 31}) == -1);
    CHECK(pf::daysFromCivil({2000, 3, 1}) == 11017);
    CHECK(pf::daysFromCivil({1900, 1, 1}) == -25567);
    CHECK(pf::civilFromDays(0) == CivilDate{1970, 1, 1});
    CHECK(pf::civilFromDays(-1) == CivilDate{1969, 12, 31});
    CHECK(pf::civilFromDays(11017) == CivilDate{2000, 3, 1});
    CHECK(pf::civilFromDays(11016) == CivilDate{2000, 2, 29});

    // Round trip over every day of the accepted range (and a bit beyond):
    // consecutive days, valid dates, no gap.
    std::int64_t expected = pf::daysFromCivil({1899, 12, 31});
    for (int y = 1899; y <= 2100; ++y) {
      for (int m = 1; m <= 12; ++m) {
        for (int d = 1; d <= pf::daysInMonth(y, m); ++d) {
          if (y == 1899 && !(m == 12 && d == 31)) continue;
          const std::int64_t days = pf::daysFromCivil({y, m, d});
          REQUIRE(days == expected);
          REQUIRE(pf::civilFromDays(days) == CivilDate{y, m, d});
          ++expected;
        }
      }
    }
  }

  TEST_CASE("unixFromUtc / utcFromUnix") {
    CHECK(pf::unixFromUtc(dt(1970, 1, 1, 0, 0, 0)) == 0);
    CHECK(pf::unixFromUtc(dt(2026, 3, 2, 9, 0, 0)) == 1772442000);
    CHECK(pf::unixFromUtc(dt(2000, 2, 29, 12, 34, 56)) == 951827696);
    CHECK(pf::unixFromUtc(dt(1900, 1, 1, 0, 0, 0)) == -2208988800LL);
    CHECK(pf::unixFromUtc(dt(2099, 12, 31, 23, 59, 59)) == 4102444799LL);

    CHECK(pf::utcFromUnix(0) == dt(1970, 1, 1, 0, 0, 0));
    CHECK(pf::utcFromUnix(-1) == dt(1969, 12, 31, 23, 59, 59));  // floor, not truncation
    CHECK(pf::utcFromUnix(-2208988800LL) == dt(1900, 1, 1, 0, 0, 0));
    CHECK(pf::utcFromUnix(951827696) == dt(2000, 2, 29, 12, 34, 56));
    CHECK(pf::utcFromUnix(4102444799LL) == dt(2099, 12, 31, 23, 59, 59));
  }

  TEST_CASE("Paris offset at a UTC instant: 2026 switches (29 March, 25 October)") {
    const std::int64_t spring = 1774746000;  // 2026-03-29T01:00:00Z
    const std::int64_t autumn = 1792890000;  // 2026-10-25T01:00:00Z
    CHECK(pf::utcFromUnix(spring) == dt(2026, 3, 29, 1, 0, 0));
    CHECK(pf::utcFromUnix(autumn) == dt(2026, 10, 25, 1, 0, 0));

    CHECK(pf::parisOffsetAtUtc(spring - 1) == 3600);
    CHECK(pf::parisOffsetAtUtc(spring) == 7200);
    CHECK(pf::parisOffsetAtUtc(autumn - 1) == 7200);
    CHECK(pf::parisOffsetAtUtc(autumn) == 3600);
    CHECK(pf::parisOffsetAtUtc(pf::unixFromUtc(dt(2026, 1, 15, 12, 0, 0))) == 3600);
    CHECK(pf::parisOffsetAtUtc(pf::unixFromUtc(dt(2026, 7, 1, 12, 0, 0))) == 7200);
    CHECK(pf::parisOffsetAtUtc(pf::unixFromUtc(dt(2026, 12, 31, 23, 30, 0))) == 3600);

    CHECK(pf::parisLocalFromUnix(spring - 1) == dt(2026, 3, 29, 1, 59, 59));
    CHECK(pf::parisLocalFromUnix(spring) == dt(2026, 3, 29, 3, 0, 0));
    CHECK(pf::parisLocalFromUnix(autumn - 1) == dt(2026, 10, 25, 2, 59, 59));
    CHECK(pf::parisLocalFromUnix(autumn) == dt(2026, 10, 25, 2, 0, 0));
    // Crossing midnight and the year in local time.
    CHECK(pf::parisLocalFromUnix(pf::unixFromUtc(dt(2026, 12, 31, 23, 30, 0))) ==
          dt(2027, 1, 1, 0, 30, 0));
  }

  TEST_CASE("last Sundays of other years") {
    // 2025: 30 March / 26 October; 2024: 31 March / 27 October;
    // 2027: 28 March / 31 October (last day of the month is a Sunday).
    struct Case {
      int year, march, october;
    };
    for (const Case c : {Case{2024, 31, 27}, Case{2025, 30, 26}, Case{2027, 28, 31}}) {
      CAPTURE(c.year);
      const std::int64_t on = pf::unixFromUtc(dt(c.year, 3, c.march, 1, 0, 0));
      const std::int64_t off = pf::unixFromUtc(dt(c.year, 10, c.october, 1, 0, 0));
      CHECK(pf::parisOffsetAtUtc(on - 1) == 3600);
      CHECK(pf::parisOffsetAtUtc(on) == 7200);
      CHECK(pf::parisOffsetAtUtc(off - 1) == 7200);
      CHECK(pf::parisOffsetAtUtc(off) == 3600);
      // A week earlier nothing happens.
      CHECK(pf::parisOffsetAtUtc(on - 7 * 86400) == 3600);
      CHECK(pf::parisOffsetAtUtc(off - 7 * 86400) == 7200);
    }
  }

  TEST_CASE("local to UTC: skipped March hour and repeated October hour") {
    // Ordinary times.
    CHECK(pf::parisOffsetForLocal(dt(2026, 1, 15, 12, 0, 0)) == 3600);
    CHECK(pf::parisOffsetForLocal(dt(2026, 7, 1, 12, 0, 0)) == 7200);
    CHECK(pf::unixFromParisLocal(dt(2026, 3, 2, 10, 0, 0)) == 1772442000);

    // 29 March 2026: 02:00..02:59 local does not exist; read with +01:00.
    CHECK(pf::parisOffsetForLocal(dt(2026, 3, 29, 1, 59, 59)) == 3600);
    CHECK(pf::parisOffsetForLocal(dt(2026, 3, 29, 2, 0, 0)) == 3600);
    CHECK(pf::parisOffsetForLocal(dt(2026, 3, 29, 2, 30, 0)) == 3600);
    CHECK(pf::parisOffsetForLocal(dt(2026, 3, 29, 2, 59, 59)) == 3600);
    CHECK(pf::parisOffsetForLocal(dt(2026, 3, 29, 3, 0, 0)) == 7200);
    CHECK(pf::unixFromParisLocal(dt(2026, 3, 29, 2, 30, 0)) ==
          pf::unixFromUtc(dt(2026, 3, 29, 1, 30, 0)));
    CHECK(pf::parisLocalFromUnix(pf::unixFromParisLocal(dt(2026, 3, 29, 2, 30, 0))) ==
          dt(2026, 3, 29, 3, 30, 0));
    CHECK(pf::unixFromParisLocal(dt(2026, 3, 29, 3, 0, 0)) == 1774746000);

    // 25 October 2026: 02:00..02:59 local happens twice; the first (+02:00).
    CHECK(pf::parisOffsetForLocal(dt(2026, 10, 25, 1, 59, 59)) == 7200);
    CHECK(pf::parisOffsetForLocal(dt(2026, 10, 25, 2, 0, 0)) == 7200);
    CHECK(pf::parisOffsetForLocal(dt(2026, 10, 25, 2, 30, 0)) == 7200);
    CHECK(pf::parisOffsetForLocal(dt(2026, 10, 25, 2, 59, 59)) == 7200);
    CHECK(pf::parisOffsetForLocal(dt(2026, 10, 25, 3, 0, 0)) == 3600);
    CHECK(pf::unixFromParisLocal(dt(2026, 10, 25, 2, 30, 0)) ==
          pf::unixFromUtc(dt(2026, 10, 25, 0, 30, 0)));
    CHECK(pf::unixFromParisLocal(dt(2026, 10, 25, 3, 0, 0)) ==
          pf::unixFromUtc(dt(2026, 10, 25, 2, 0, 0)));

    // Round trip for every quarter hour of 2026 outside the skipped hour.
    const std::int64_t start = pf::unixFromUtc(dt(2026, 1, 1, 0, 0, 0));
    const std::int64_t end = pf::unixFromUtc(dt(2027, 1, 1, 0, 0, 0));
    const std::int64_t first_repeat = pf::unixFromUtc(dt(2026, 10, 25, 1, 0, 0));
    for (std::int64_t t = start; t < end; t += 900) {
      const CivilDateTime local = pf::parisLocalFromUnix(t);
      // The second pass of the repeated hour maps back to the first one.
      const std::int64_t expected = (t >= first_repeat && t < first_repeat + 3600) ? t - 3600 : t;
      REQUIRE(pf::unixFromParisLocal(local) == expected);
    }
  }

  TEST_CASE("formatting") {
    CHECK(pf::formatDate({2026, 9, 1}) == "2026-09-01");
    CHECK(pf::formatDate({1900, 1, 1}) == "1900-01-01");
    CHECK(pf::formatDateTime(dt(2026, 3, 2, 9, 5, 7)) == "2026-03-02T09:05:07");
    CHECK(pf::formatDateTime(dt(2099, 12, 31, 23, 59, 59)) == "2099-12-31T23:59:59");
    CHECK(pf::formatParisOffset(dt(2026, 1, 15, 12, 0, 0)) == "+01:00");
    CHECK(pf::formatParisOffset(dt(2026, 7, 1, 12, 0, 0)) == "+02:00");
    CHECK(pf::formatParisOffset(dt(2026, 10, 25, 2, 30, 0)) == "+02:00");
    CHECK(pf::formatParisOffset(dt(2026, 3, 29, 2, 30, 0)) == "+01:00");
  }
}

// What the destinations share: given texts, ISO dates read, day offsets,
// today in Paris, the text of ineligibility reasons.
#include "connectors/destination/destination_common.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

namespace pc = passerelle::connectors;
using passerelle::formats::CivilDate;

TEST_CASE("present: set and not empty") {
  CHECK(pc::present(std::string("x")));
  CHECK(pc::present(std::string(" ")));
  CHECK_FALSE(pc::present(std::string()));
  CHECK_FALSE(pc::present(std::nullopt));
}

TEST_CASE("parseIsoDate reads what the reader accepts, nothing else") {
  CivilDate d;
  REQUIRE(pc::parseIsoDate("2026-03-02", d));
  CHECK(d == CivilDate{2026, 3, 2});
  REQUIRE(pc::parseIsoDate("2024-02-29", d));
  CHECK(d == CivilDate{2024, 2, 29});
  for (const char* bad : {"2026-3-02", "2026-02-30", "2025-02-29", "2026/03/02", "20260302",
                          "2026-03-0x", "1899-12-31", "2100-01-01", ""}) {
    CAPTURE(bad);
    CivilDate untouched{1, 1, 1};
    CHECK_FALSE(pc::parseIsoDate(bad, untouched));
    CHECK(untouched == CivilDate{1, 1, 1});
  }
}

TEST_CASE("addDays crosses months, years and leap days") {
  CHECK(pc::addDays({2026, 1, 31}, 1) == CivilDate{2026, 2, 1});
  CHECK(pc::addDays({2024, 2, 28}, 1) == CivilDate{2024, 2, 29});
  CHECK(pc::addDays({2026, 12, 31}, 1) == CivilDate{2027, 1, 1});
  CHECK(pc::addDays({2026, 3, 1}, -1) == CivilDate{2026, 2, 28});
  CHECK(pc::addDays({2026, 3, 2}, 60) == CivilDate{2026, 5, 1});
}

TEST_CASE("parisToday: the Paris date, not the UTC one") {
  // 2026-06-30T22:30:00Z is already 1 July in Paris (UTC+2 in summer).
  pc::ManualClock clock(pc::Clock::WallTime(std::chrono::seconds(1'782'858'600)));
  CHECK(pc::parisToday(clock) == CivilDate{2026, 7, 1});
}

TEST_CASE("reasonsText joins the reasons with commas") {
  CHECK(pc::reasonsText({}) == "");
  CHECK(pc::reasonsText({"NO_TITLE"}) == "NO_TITLE");
  CHECK(pc::reasonsText({"NO_TITLE", "EXPIRED", "ROME"}) == "NO_TITLE,EXPIRED,ROME");
}

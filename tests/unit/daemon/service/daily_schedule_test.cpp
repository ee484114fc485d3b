// DailySchedule: next run of Europe/Paris times of day, across midnight and
// the clock changes.
#include "daemon/service/daily_schedule.h"

#include <doctest/doctest.h>

#include "formats/paris_time.h"

using namespace passerelle::daemon;
using passerelle::formats::CivilDateTime;
using passerelle::formats::formatDateTime;
using passerelle::formats::parisLocalFromUnix;
using passerelle::formats::unixFromParisLocal;

namespace {

std::int64_t paris(int y, int mo, int d, int h, int mi) {
  return unixFromParisLocal(CivilDateTime{{y, mo, d}, h, mi, 0});
}
std::string local(std::int64_t unix) {
  return formatDateTime(parisLocalFromUnix(unix));
}

}  // namespace

TEST_CASE("the next run is later today, or tomorrow") {
  std::vector<DailyTime> at = {{5, 30}};
  CHECK(local(nextDailyRun(at, paris(2026, 11, 26, 4, 0))) == "2026-11-26T05:30:00");
  CHECK(local(nextDailyRun(at, paris(2026, 11, 26, 5, 30))) == "2026-11-27T05:30:00");
  CHECK(local(nextDailyRun(at, paris(2026, 12, 31, 23, 0))) == "2027-01-01T05:30:00");
}

TEST_CASE("several times a day: the nearest one") {
  std::vector<DailyTime> at = {{18, 0}, {5, 30}, {12, 15}};
  CHECK(local(nextDailyRun(at, paris(2026, 11, 26, 6, 0))) == "2026-11-26T12:15:00");
  CHECK(local(nextDailyRun(at, paris(2026, 11, 26, 19, 0))) == "2026-11-27T05:30:00");
}

TEST_CASE("summer time: 05:30 is 03:30 UTC in July and 04:30 UTC in January") {
  std::vector<DailyTime> at = {{5, 30}};
  CHECK(nextDailyRun(at, paris(2026, 7, 1, 0, 0)) % 86400 == 3 * 3600 + 1800);
  CHECK(nextDailyRun(at, paris(2026, 1, 10, 0, 0)) % 86400 == 4 * 3600 + 1800);
}

TEST_CASE("the last run at or before now names a job lease's slot") {
  std::vector<DailyTime> at = {{5, 30}, {14, 0}};
  CHECK(local(lastDailyRun(at, paris(2026, 11, 26, 5, 30))) == "2026-11-26T05:30:00");
  CHECK(local(lastDailyRun(at, paris(2026, 11, 26, 13, 59))) == "2026-11-26T05:30:00");
  CHECK(local(lastDailyRun(at, paris(2026, 11, 26, 14, 0))) == "2026-11-26T14:00:00");
  CHECK(local(lastDailyRun(at, paris(2026, 11, 27, 1, 0))) == "2026-11-26T14:00:00");
  CHECK(local(lastDailyRun({{5, 30}}, paris(2027, 1, 1, 5, 29))) == "2026-12-31T05:30:00");
}

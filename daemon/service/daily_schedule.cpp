#include "daemon/service/daily_schedule.h"

#include <algorithm>
#include <limits>

#include "formats/paris_time.h"

namespace passerelle::daemon {

std::int64_t nextDailyRun(const std::vector<DailyTime>& times, std::int64_t now_unix) {
  using formats::CivilDateTime;
  const CivilDateTime local_now = formats::parisLocalFromUnix(now_unix);
  const std::int64_t today = formats::daysFromCivil(local_now.date);
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  // Today and tomorrow always hold the next run of a daily schedule.
  for (std::int64_t day = today; day <= today + 1; ++day) {
    for (const DailyTime& t : times) {
      CivilDateTime local{formats::civilFromDays(day), t.hour, t.minute, 0};
      std::int64_t at = formats::unixFromParisLocal(local);
      if (at > now_unix) best = std::min(best, at);
    }
  }
  return best;
}

std::int64_t lastDailyRun(const std::vector<DailyTime>& times, std::int64_t now_unix) {
  // Three days back always hold a run; walk forward to the last one not after now.
  std::int64_t at = nextDailyRun(times, now_unix - 3 * 86400);
  for (std::int64_t next = nextDailyRun(times, at); next <= now_unix;
       next = nextDailyRun(times, at))
    at = next;
  return at;
}

}  // namespace passerelle::daemon

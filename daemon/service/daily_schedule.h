// DailySchedule: the next moment a job runs, given times of day in
// Europe/Paris (France Travail's batches, default 05:30).
//
// Pure arithmetic on Unix seconds, with Paris offsets from formats/paris_time
// (EU rule). A time of day that does not exist on a spring-forward day is
// read with the winter offset (so 02:30 runs at 03:30 local that day); one
// that exists twice in October runs at its first occurrence.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

namespace passerelle::daemon {

struct DailyTime {
  int hour = 0;
  int minute = 0;
};

// The first scheduled instant strictly after `now_unix` (Unix seconds).
// `times` must not be empty.
std::int64_t nextDailyRun(const std::vector<DailyTime>& times, std::int64_t now_unix);

// The last scheduled instant at or before `now_unix`: the slot a run that
// starts now belongs to (a job lease's key, store/job_lease.h).
std::int64_t lastDailyRun(const std::vector<DailyTime>& times, std::int64_t now_unix);

}  // namespace passerelle::daemon

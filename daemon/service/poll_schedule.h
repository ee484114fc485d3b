// PollSchedule: when each partner's drop folder is polled next.
//
// Every partner has its own rhythm: the poll interval with a random jitter
// (so that partners configured alike do not poll in step), and after
// failures a delay that doubles up to a ceiling, reset by the next success.
// One partner's failures never change another's schedule. Pure arithmetic:
// time and randomness come in as arguments, so tests need no clock.
//
// Thread safety: a PollSchedule is a value; guard it if shared.
#pragma once

#include <chrono>
#include <cstdint>

namespace passerelle::daemon {

struct PollTiming {
  std::chrono::milliseconds interval{60'000};
  double jitter_fraction = 0.1;                        // ± this share of the interval
  std::chrono::milliseconds first_retry{30'000};       // after the first failure
  std::chrono::milliseconds retry_ceiling{3'600'000};  // never wait longer than this
};

class PollSchedule {
 public:
  explicit PollSchedule(PollTiming timing) : timing_(timing) {}

  // The delay before the next poll, after a poll that succeeded or failed.
  // `random01` is a uniform draw in [0, 1).
  std::chrono::milliseconds afterSuccess(double random01);
  std::chrono::milliseconds afterFailure(double random01);
  // The first poll after start: a random point within one interval, so that
  // a restart does not poll every partner at once.
  std::chrono::milliseconds initialDelay(double random01) const;

  int consecutiveFailures() const { return failures_; }

 private:
  std::chrono::milliseconds jittered(std::chrono::milliseconds base, double random01) const;

  PollTiming timing_;
  int failures_ = 0;
};

}  // namespace passerelle::daemon

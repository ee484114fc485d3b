#include "daemon/service/poll_schedule.h"

#include <algorithm>
#include <cmath>

namespace passerelle::daemon {

std::chrono::milliseconds PollSchedule::jittered(std::chrono::milliseconds base,
                                                 double random01) const {
  double spread = timing_.jitter_fraction * static_cast<double>(base.count());
  double offset = (2.0 * std::clamp(random01, 0.0, 1.0) - 1.0) * spread;
  auto ms = static_cast<std::int64_t>(std::llround(static_cast<double>(base.count()) + offset));
  return std::chrono::milliseconds(std::max<std::int64_t>(ms, 1));
}

std::chrono::milliseconds PollSchedule::afterSuccess(double random01) {
  failures_ = 0;
  return jittered(timing_.interval, random01);
}

std::chrono::milliseconds PollSchedule::afterFailure(double random01) {
  ++failures_;
  // first_retry * 2^(failures-1), computed in double to stay clear of overflow.
  double delay =
      static_cast<double>(timing_.first_retry.count()) * std::pow(2.0, std::min(failures_ - 1, 40));
  double ceiling = static_cast<double>(timing_.retry_ceiling.count());
  auto base = std::chrono::milliseconds(static_cast<std::int64_t>(std::min(delay, ceiling)));
  // Jitter below the ceiling only, so the ceiling is never exceeded.
  auto d = jittered(base, random01);
  return std::min(d, timing_.retry_ceiling);
}

std::chrono::milliseconds PollSchedule::initialDelay(double random01) const {
  return std::chrono::milliseconds(static_cast<std::int64_t>(
      std::clamp(random01, 0.0, 1.0) * static_cast<double>(timing_.interval.count())));
}

}  // namespace passerelle::daemon

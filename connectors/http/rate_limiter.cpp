#include "connectors/http/rate_limiter.h"

#include <algorithm>

namespace passerelle::connectors {

namespace {
// A quota of zero would block forever; treat it as one (the slowest rate).
WindowQuota atLeastOne(WindowQuota quota) {
  if (quota.requests < 1) quota.requests = 1;
  return quota;
}
}  // namespace

bool Quota::acquire(const StopSignal* stop) {
  for (;;) {
    if (stop && *stop) return false;
    const auto wait = tryAcquire();
    if (wait == std::chrono::nanoseconds(0)) return true;
    if (stop) {
      if (!clock_.sleepUnlessStopped(wait, *stop)) return false;
    } else {
      clock_.sleepFor(wait);
    }
  }
}

SlidingWindowLimiter::SlidingWindowLimiter(Clock& clock, WindowQuota quota)
    : Quota(clock), quota_(atLeastOne(quota)) {}

// Time until both the pause is over and the oldest of the last N grants has
// left the (window + margin) span.
std::chrono::nanoseconds SlidingWindowLimiter::waitLocked(Clock::SteadyTime now) const {
  Clock::SteadyTime earliest = paused_until_;
  if (grants_.size() >= static_cast<std::size_t>(quota_.requests)) {
    earliest = std::max(earliest, grants_.front() + quota_.window + quota_.margin);
  }
  return earliest > now ? std::chrono::nanoseconds(earliest - now) : std::chrono::nanoseconds(0);
}

std::chrono::nanoseconds SlidingWindowLimiter::tryAcquire() {
  std::lock_guard lock(mutex_);
  const Clock::SteadyTime now = clock_.steady();
  const auto wait = waitLocked(now);
  if (wait > std::chrono::nanoseconds(0)) return wait;
  grants_.push_back(now);
  // Only the last N grants matter to the rule.
  while (grants_.size() > static_cast<std::size_t>(quota_.requests)) grants_.pop_front();
  return std::chrono::nanoseconds(0);
}

void SlidingWindowLimiter::pauseFor(std::chrono::nanoseconds delay) {
  pauseUntil(clock_.steady() + delay);
}

void SlidingWindowLimiter::pauseUntil(Clock::SteadyTime until) {
  std::lock_guard lock(mutex_);
  paused_until_ = std::max(paused_until_, until);
}

Clock::SteadyTime SlidingWindowLimiter::pausedUntil() const {
  std::lock_guard lock(mutex_);
  return paused_until_;
}

std::size_t SlidingWindowLimiter::grantsInWindow() const {
  std::lock_guard lock(mutex_);
  const Clock::SteadyTime now = clock_.steady();
  return static_cast<std::size_t>(std::count_if(grants_.begin(), grants_.end(),
                                                [&](auto t) { return t + quota_.window > now; }));
}

RateLimiter::RateLimiter(Clock& clock, RateLimitSettings settings)
    : writes_(std::make_unique<SlidingWindowLimiter>(
          clock,
          WindowQuota{settings.writes_per_minute, std::chrono::seconds(60), settings.margin})),
      reads_(std::make_unique<SlidingWindowLimiter>(
          clock,
          WindowQuota{settings.reads_per_minute, std::chrono::seconds(60), settings.margin})) {}

RateLimiter::RateLimiter(std::unique_ptr<Quota> writes, std::unique_ptr<Quota> reads)
    : writes_(std::move(writes)), reads_(std::move(reads)) {}

}  // namespace passerelle::connectors

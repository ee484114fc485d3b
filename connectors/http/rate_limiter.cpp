#include "connectors/http/rate_limiter.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace passerelle::connectors {

namespace {
// A quota of zero would block forever; treat it as one (the slowest rate).
WindowQuota atLeastOne(WindowQuota quota) {
  if (quota.requests < 1) quota.requests = 1;
  return quota;
}
}  // namespace

bool Quota::acquire(Slot& slot, const StopSignal* stop) {
  for (;;) {
    if (stop && *stop) return false;
    const auto wait = tryAcquire(slot);
    if (wait == std::chrono::nanoseconds(0)) return true;
    if (stop) {
      if (!clock_.sleepUnlessStopped(wait, *stop)) return false;
    } else {
      clock_.sleepFor(wait);
    }
  }
}

void QuotaSlot::end() noexcept {
  if (!slot_) return;
  const Slot slot = slot_;
  slot_ = Slot{};
  try {
    quota_.end(slot);
  } catch (...) {
    // See the header: the deadline bound stays, which is safe.
  }
}

SlidingWindowLimiter::SlidingWindowLimiter(Clock& clock, WindowQuota quota)
    : Quota(clock), quota_(atLeastOne(quota)) {}

// Time until the pause is over and fewer than N grants end after
// now - (window + margin); forgets the grants that can hold nothing back.
std::chrono::nanoseconds SlidingWindowLimiter::waitLocked(Clock::SteadyTime now) {
  const auto span = quota_.window + quota_.margin;
  std::erase_if(ends_, [&](const auto& grant) { return grant.second + span <= now; });
  std::chrono::nanoseconds wait(0);
  if (paused_until_ > now) wait = paused_until_ - now;
  const auto n = static_cast<std::size_t>(quota_.requests);
  if (ends_.size() >= n) {
    // Grants drop out in the order of their ends: the N-th latest end is the
    // one whose leaving brings the count below N.
    std::vector<Clock::SteadyTime> ends;
    ends.reserve(ends_.size());
    for (const auto& grant : ends_) ends.push_back(grant.second);
    std::nth_element(ends.begin(), ends.begin() + static_cast<std::ptrdiff_t>(n - 1), ends.end(),
                     std::greater<>());
    const Clock::SteadyTime decisive = ends[n - 1];
    std::chrono::nanoseconds full = decisive + span - now;
    // An end in the future is a request's deadline bound: it will usually
    // end (and lower its end) long before.
    if (decisive > now) full = std::min<std::chrono::nanoseconds>(full, kInFlightPoll);
    wait = std::max(wait, full);
  }
  return wait;
}

std::chrono::nanoseconds SlidingWindowLimiter::tryAcquire(Slot& slot) {
  std::lock_guard lock(mutex_);
  const Clock::SteadyTime now = clock_.steady();
  const auto wait = waitLocked(now);
  if (wait > std::chrono::nanoseconds(0)) return wait;
  slot = Slot{next_id_++};
  ends_.emplace(slot.id, now + quota_.request_deadline);
  return std::chrono::nanoseconds(0);
}

void SlidingWindowLimiter::end(Slot slot) {
  if (!slot) return;
  std::lock_guard lock(mutex_);
  const auto grant = ends_.find(slot.id);
  if (grant == ends_.end()) return;  // already forgotten: it held nothing back
  grant->second = std::min(grant->second, clock_.steady());
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
  return static_cast<std::size_t>(std::count_if(ends_.begin(), ends_.end(), [&](const auto& grant) {
    return grant.second + quota_.window > now;
  }));
}

RateLimiter::RateLimiter(Clock& clock, RateLimitSettings settings)
    : writes_(std::make_unique<SlidingWindowLimiter>(
          clock, WindowQuota{settings.writes_per_minute, std::chrono::seconds(60), settings.margin,
                             settings.request_deadline})),
      reads_(std::make_unique<SlidingWindowLimiter>(
          clock, WindowQuota{settings.reads_per_minute, std::chrono::seconds(60), settings.margin,
                             settings.request_deadline})) {}

RateLimiter::RateLimiter(std::unique_ptr<Quota> writes, std::unique_ptr<Quota> reads)
    : writes_(std::move(writes)), reads_(std::move(reads)) {}

}  // namespace passerelle::connectors

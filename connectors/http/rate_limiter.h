// RateLimiter: client-side quotas of the lba API (30 writes and 120 reads a
// minute per API key), driven by an injectable Clock.
//
// Scheme: a sliding log, not a refilled token bucket. A continuously refilled
// bucket of burst N lets 2N-1 requests through in just over one window (N at
// once, then N more as the bucket refills), which a service counting "N per
// minute" refuses. Here each SlidingWindowLimiter remembers the send times of
// its last N grants and grants a new one at time t only if the oldest of
// those is at least `window + margin` before t. Proof that no window of
// length `window` ever holds more than N grants: take any N+1 consecutive
// grants g0 < ... < gN; gN was granted when g0 was the oldest of the last N,
// so gN >= g0 + window + margin > g0 + window. Any interval of length
// `window` (open or closed) therefore holds at most N of them. The margin
// (default 1 s) absorbs the difference between when we grant and when the
// service counts (network latency, its clock). Sustained rate under a
// backlog: N per (window + margin), i.e. 30 per 61 s = 98.4% of the quota.
//
// pauseUntil() (after a 429, honouring Retry-After) forbids every grant
// before that steady instant; a pause never shortens an earlier one.
//
// Quota is the interface the clients use; SlidingWindowLimiter is the
// in-process one. The quota belongs to the API key, not to a process: the
// daemon's store keeps the same sliding log for every process using a key
// (daemon/store/shared_quota.h implements Quota there, by the same rule).
//
// acquire() waits for a slot through the Clock, outside any lock; given a
// StopSignal, the wait (however long the pause) ends as soon as stop is
// requested, and no slot is taken then.
//
// Thread safety: every member is safe to call from several threads (a mutex
// guards the log).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

#include "connectors/host/clock.h"

namespace passerelle::connectors {

struct WindowQuota {
  int requests = 30;                                           // at most this many...
  std::chrono::nanoseconds window = std::chrono::seconds(60);  // ...in any such window
  std::chrono::nanoseconds margin = std::chrono::seconds(1);   // extra spacing, see above
};

// A quota of requests: every request takes a slot first.
class Quota {
 public:
  explicit Quota(Clock& clock) : clock_(clock) {}
  virtual ~Quota() = default;
  // Takes a slot now and returns zero, or takes nothing and returns how long
  // to wait before a slot may be free (another thread may take it first).
  virtual std::chrono::nanoseconds tryAcquire() = 0;
  // No grant for `delay` from now (a 429's Retry-After); never shortens an
  // earlier pause.
  virtual void pauseFor(std::chrono::nanoseconds delay) = 0;
  // Blocks (through the Clock) until a slot is taken and returns true; with
  // `stop`, returns false without a slot once stop is requested (checked
  // before the first try, and waking the wait).
  bool acquire(const StopSignal* stop = nullptr);

 protected:
  Clock& clock_;
};

class SlidingWindowLimiter final : public Quota {
 public:
  SlidingWindowLimiter(Clock& clock, WindowQuota quota);

  std::chrono::nanoseconds tryAcquire() override;
  void pauseFor(std::chrono::nanoseconds delay) override;
  // No grant before `until` (e.g. a 429's Retry-After).
  void pauseUntil(Clock::SteadyTime until);
  Clock::SteadyTime pausedUntil() const;
  // Grants in the last window, for status displays and tests.
  std::size_t grantsInWindow() const;

 private:
  std::chrono::nanoseconds waitLocked(Clock::SteadyTime now) const;

  const WindowQuota quota_;
  mutable std::mutex mutex_;
  std::deque<Clock::SteadyTime> grants_;  // at most quota_.requests, oldest first
  Clock::SteadyTime paused_until_{};
};

// The lba API's two quotas: writes (POST/PUT) and reads (GET) are counted
// separately by the service, so they are limited separately here.
struct RateLimitSettings {
  int writes_per_minute = 30;
  int reads_per_minute = 120;
  std::chrono::nanoseconds margin = std::chrono::seconds(1);
};

class RateLimiter {
 public:
  // In-process quotas (one process alone on its key: tests, benchmarks).
  RateLimiter(Clock& clock, RateLimitSettings settings = {});
  // Quotas kept elsewhere (the store, shared by every process of the key).
  RateLimiter(std::unique_ptr<Quota> writes, std::unique_ptr<Quota> reads);
  Quota& writes() { return *writes_; }
  Quota& reads() { return *reads_; }

 private:
  std::unique_ptr<Quota> writes_;
  std::unique_ptr<Quota> reads_;
};

}  // namespace passerelle::connectors

// StopSignal: "stop as soon as you can", raised once (SIGTERM) and heard by
// every wait of the program: the quota's pauses (Retry-After), the poller's
// stability windows, curl transfers in flight (through flag(), read by the
// progress callback).
//
// A wait on a StopSignal is a condition variable wait, so a request wakes it
// at once instead of at the end of its sleep. Waits on time go through
// Clock::sleepUnlessStopped so that tests move a ManualClock instead of
// sleeping; waitFor() is the real-time wait that SystemClock uses.
//
// Thread safety: every member may be called from any thread at any time;
// request() is idempotent and wakes every waiter.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace passerelle::connectors {

class StopSignal {
 public:
  StopSignal() = default;
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // Raises the signal for good and wakes every waitFor().
  void request();
  bool requested() const noexcept { return requested_.load(); }
  explicit operator bool() const noexcept { return requested(); }
  // The raw flag, for callbacks that can only poll (curl's progress
  // function, DropFolder::download's `cancel`).
  const std::atomic<bool>& flag() const noexcept { return requested_; }

  // Blocks for `d` of real (steady) time or until request(), whichever comes
  // first. Returns true when stop was requested.
  bool waitFor(std::chrono::nanoseconds d) const;

 private:
  std::atomic<bool> requested_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
};

}  // namespace passerelle::connectors

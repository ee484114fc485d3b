// Clock: the passage of time, injectable so that stability windows, expiries,
// backoff delays and rate limits are tested without sleeping.
//
// SystemClock reads the real clocks; ManualClock is moved by hand in tests
// (sleepFor() advances it at once). now() is wall-clock time (for dates and
// files' modification times), steady() is monotonic (for delays and rates).
// sleepUnlessStopped() is the wait of a daemon that must stop promptly
// (SIGTERM): it ends early when the StopSignal is raised.
//
// Thread safety: SystemClock is stateless and thread-safe. ManualClock is
// thread-safe (its state is guarded by a mutex), so a test may advance it
// while a worker reads it; its sleep hook runs on the sleeping thread.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

#include "connectors/host/stop_signal.h"

namespace passerelle::connectors {

class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using SteadyTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual WallTime now() const = 0;
  virtual SteadyTime steady() const = 0;
  // Blocks the caller for `d` (ManualClock: advances instead).
  virtual void sleepFor(std::chrono::nanoseconds d) = 0;
  // Blocks for `d` unless `stop` is raised before (or during) the wait.
  // Returns false when it ended because of `stop`.
  virtual bool sleepUnlessStopped(std::chrono::nanoseconds d, const StopSignal& stop) = 0;
};

class SystemClock final : public Clock {
 public:
  WallTime now() const override { return std::chrono::system_clock::now(); }
  SteadyTime steady() const override { return std::chrono::steady_clock::now(); }
  void sleepFor(std::chrono::nanoseconds d) override;
  bool sleepUnlessStopped(std::chrono::nanoseconds d, const StopSignal& stop) override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(WallTime start = WallTime(std::chrono::seconds(1'780'000'000)))
      : wall_(start) {}
  WallTime now() const override {
    std::lock_guard lock(mutex_);
    return wall_;
  }
  SteadyTime steady() const override {
    std::lock_guard lock(mutex_);
    return steady_;
  }
  void sleepFor(std::chrono::nanoseconds d) override { advance(d); }
  // Runs the sleep hook (what happens "meanwhile": a test raises the stop
  // signal there), then advances by `d` unless `stop` is raised.
  bool sleepUnlessStopped(std::chrono::nanoseconds d, const StopSignal& stop) override {
    std::function<void(std::chrono::nanoseconds)> hook;
    {
      std::lock_guard lock(mutex_);
      hook = sleep_hook_;
    }
    if (!stop && hook) hook(d);
    if (stop) return false;
    advance(d);
    return true;
  }
  // Called with the duration of every sleepUnlessStopped() before it advances.
  void onSleep(std::function<void(std::chrono::nanoseconds)> hook) {
    std::lock_guard lock(mutex_);
    sleep_hook_ = std::move(hook);
  }
  void advance(std::chrono::nanoseconds d) {
    std::lock_guard lock(mutex_);
    wall_ += std::chrono::duration_cast<WallTime::duration>(d);
    steady_ += std::chrono::duration_cast<SteadyTime::duration>(d);
  }

 private:
  mutable std::mutex mutex_;
  WallTime wall_;
  SteadyTime steady_{};
  std::function<void(std::chrono::nanoseconds)> sleep_hook_;
};

}  // namespace passerelle::connectors

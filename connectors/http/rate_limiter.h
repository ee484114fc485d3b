// RateLimiter: client-side quotas of the lba API (30 writes and 120 reads a
// minute per API key), driven by an injectable Clock.
//
// Scheme: a sliding log, not a refilled token bucket. A continuously refilled
// bucket of burst N lets 2N-1 requests through in just over one window (N at
// once, then N more as the bucket refills), which a service counting "N per
// minute" refuses.
//
// The service counts a request when it arrives: at some instant s between
// our grant and the request's end (its answer came back, or we gave up on
// it); a loaded network or service can put s seconds after the grant. So the
// log keeps, for each grant, an `end` bound: while the request is in flight,
// grant + request_deadline (the longest the client lets a request live, so an
// upper bound of its end); once the request is over (end()), the time it
// ended. Rule: a grant at time t only if fewer than N logged grants have
// end > t - (window + margin), and no pause runs.
//
// Proof that the service never counts more than N requests in a window of
// length `window`: suppose N+1 were counted within one. Take the one granted
// last, aN, at g_aN <= s_aN. When aN was granted, the N others already were,
// so by the rule at least one of them, ak, had end_ak <= g_aN - window -
// margin then; an end only ever decreases, from the deadline bound to the
// real end, so s_ak <= end_ak. Hence s_aN - s_ak >= window + margin > window:
// a contradiction. (With a zero margin, s_aN - s_ak >= window still keeps
// every half-open window (t - window, t] at N.) The margin (default 1 s)
// absorbs what the rule cannot see: clocks of processes on several hosts
// (SharedQuota), bytes still on the wire when we give up, the service's own
// clock. The bound holds only if a request really is over by grant +
// request_deadline: the client's timeouts must fit in it (lba_client.h,
// lbaRequestDeadline). Sustained rate under a backlog: N per (window + margin
// + the requests' duration), i.e. 30 per 61 s = 98.4% of the quota with
// instant answers, a little less with real ones.
//
// A grant still in flight counts until its deadline bound: when such a bound
// decides the wait, tryAcquire() returns at most kInFlightPoll instead,
// because the request will usually end much sooner (and free the slot
// window + margin after). The bound itself only decides for a request never
// ended: its process was killed mid-request, and its grant stops counting by
// itself at grant + request_deadline + window + margin (no stall for ever).
//
// pauseUntil() (after a 429, honouring Retry-After) forbids every grant
// before that steady instant; a pause never shortens an earlier one.
//
// Quota is the interface the clients use; SlidingWindowLimiter is the
// in-process one. The quota belongs to the API key, not to a process: the
// daemon's store keeps the same log for every process using a key
// (daemon/store/shared_quota.h implements Quota there, by the same rule).
// A grant is a Slot (an id); the client ends it after its request through a
// QuotaSlot, which ends it however the request went (a throw included).
//
// acquire() waits for a slot through the Clock, outside any lock; given a
// StopSignal, the wait (however long the pause) ends as soon as stop is
// requested, and no slot is taken then.
//
// Thread safety: every member of SlidingWindowLimiter is safe to call from
// several threads (a mutex guards the log), with several requests in flight
// at once: each is known by its slot's id. A QuotaSlot belongs to the thread
// of its request.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "connectors/host/clock.h"

namespace passerelle::connectors {

struct WindowQuota {
  int requests = 30;                                           // at most this many...
  std::chrono::nanoseconds window = std::chrono::seconds(60);  // ...in any such window
  std::chrono::nanoseconds margin = std::chrono::seconds(1);   // extra spacing, see above
  // The longest a request may live after its grant (its in-flight end bound).
  std::chrono::nanoseconds request_deadline = std::chrono::seconds(60);
};

// The longest tryAcquire() asks to wait when the wait hangs on a request in
// flight. An lba request takes tenths of a second to a few seconds: a
// quarter of a second loses little of a freed slot, and costs a SharedQuota
// waiter four short transactions a second. Not the margin: it may be zero
// (a busy loop), and a second would waste up to a second per such wait.
inline constexpr std::chrono::milliseconds kInFlightPoll{250};

// One grant of a quota: the request it lets through, known by an id so that
// its end can be recorded while other requests are in flight.
struct Slot {
  std::int64_t id = 0;  // 0: no slot taken
  explicit operator bool() const { return id != 0; }
};

// A quota of requests: every request takes a slot first, and ends it when it
// is over.
class Quota {
 public:
  explicit Quota(Clock& clock) : clock_(clock) {}
  virtual ~Quota() = default;
  // Takes a slot now, stores it in `slot` and returns zero; or takes nothing
  // (`slot` left as it is) and returns how long to wait before a slot may be
  // free (another thread may take it first).
  virtual std::chrono::nanoseconds tryAcquire(Slot& slot) = 0;
  // The request of `slot` is over (answered, failed, abandoned): from now on
  // its grant counts until now + window + margin rather than until its
  // deadline bound. Ending an empty, unknown or already ended slot changes
  // nothing.
  virtual void end(Slot slot) = 0;
  // No grant for `delay` from now (a 429's Retry-After); never shortens an
  // earlier pause.
  virtual void pauseFor(std::chrono::nanoseconds delay) = 0;
  // Blocks (through the Clock) until a slot is taken into `slot` and returns
  // true; with `stop`, returns false without a slot once stop is requested
  // (checked before the first try, and waking the wait).
  bool acquire(Slot& slot, const StopSignal* stop = nullptr);

 protected:
  Clock& clock_;
};

// A slot of a quota for the scope of one request: ended by end() or, at the
// latest, by the destructor (a throwing request included), since a slot
// never ended would hold its place until its deadline bound.
class QuotaSlot {
 public:
  explicit QuotaSlot(Quota& quota) : quota_(quota) {}
  ~QuotaSlot() { end(); }
  QuotaSlot(const QuotaSlot&) = delete;
  QuotaSlot& operator=(const QuotaSlot&) = delete;

  // Quota::acquire() into this slot.
  bool acquire(const StopSignal* stop = nullptr) { return quota_.acquire(slot_, stop); }
  // Ends the slot now, once. A failure to record the end (the store gone) is
  // swallowed: the grant keeps its deadline bound, still a valid bound, and
  // the request's outcome matters more than an earlier free slot.
  void end() noexcept;
  Slot slot() const { return slot_; }

 private:
  Quota& quota_;
  Slot slot_;
};

class SlidingWindowLimiter final : public Quota {
 public:
  SlidingWindowLimiter(Clock& clock, WindowQuota quota);

  std::chrono::nanoseconds tryAcquire(Slot& slot) override;
  void end(Slot slot) override;
  void pauseFor(std::chrono::nanoseconds delay) override;
  // No grant before `until` (e.g. a 429's Retry-After).
  void pauseUntil(Clock::SteadyTime until);
  Clock::SteadyTime pausedUntil() const;
  // Grants the service may have counted in the last window (ended within it,
  // or still in flight), for status displays and tests.
  std::size_t grantsInWindow() const;

 private:
  std::chrono::nanoseconds waitLocked(Clock::SteadyTime now);

  const WindowQuota quota_;
  mutable std::mutex mutex_;
  // Slot id -> end (bound while in flight). Only grants that may still hold
  // one back are kept: at most N once pruned.
  std::map<std::int64_t, Clock::SteadyTime> ends_;
  std::int64_t next_id_ = 1;
  Clock::SteadyTime paused_until_{};
};

// The lba API's two quotas: writes (POST/PUT) and reads (GET) are counted
// separately by the service, so they are limited separately here.
struct RateLimitSettings {
  int writes_per_minute = 30;
  int reads_per_minute = 120;
  std::chrono::nanoseconds margin = std::chrono::seconds(1);
  std::chrono::nanoseconds request_deadline = WindowQuota{}.request_deadline;
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

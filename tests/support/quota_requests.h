// Requests through a connectors::Quota, for the tests of the in-process
// SlidingWindowLimiter and of the store's SharedQuota: answered at once, or
// many concurrent ones of random durations whose counting instants (when the
// service counts each, anywhere between its grant and its end) are returned
// for the test to check the bound on.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <queue>
#include <random>
#include <vector>

#include "connectors/http/rate_limiter.h"

namespace passerelle::testing {

// Takes a slot (waiting if need be) and ends it.
inline void instantRequest(connectors::Quota& quota) {
  connectors::Slot slot;
  REQUIRE(quota.acquire(slot));
  quota.end(slot);
}

// tryAcquire() of a request ended at once when granted.
inline std::chrono::nanoseconds tryInstant(connectors::Quota& quota) {
  connectors::Slot slot;
  const auto wait = quota.tryAcquire(slot);
  if (wait == std::chrono::nanoseconds(0)) quota.end(slot);
  return wait;
}

struct RequestSimulation {
  int callers = 3;
  std::size_t requests = 120;            // counted requests to simulate
  std::chrono::milliseconds deadline{};  // the quota's request_deadline
  unsigned seed = 1;
};

// `callers` callers each take a slot from quota(caller), hold it for a random
// time (answered at once, as long as the deadline allows, anything up to it,
// mostly a quarter of that), end it and think a little; about one request in
// a hundred is never ended (its process died: a new one takes over). The
// service counts each request at a random instant of [grant, end], often an
// extreme. Time is driven through now() and advance().
template <typename TimePoint>
struct SimulatedRequests {
  std::vector<TimePoint> counted;  // when the service counted each, sorted
  std::size_t most_in_flight = 0;  // requests in flight at once, at most
};

template <typename TimePoint>
SimulatedRequests<TimePoint> simulateRequests(
    const RequestSimulation& sim, const std::function<connectors::Quota&(int)>& quota,
    const std::function<TimePoint()>& now,
    const std::function<void(std::chrono::nanoseconds)>& advance) {
  using std::chrono::milliseconds;
  std::mt19937 random(sim.seed);
  std::uniform_int_distribution<int> percent(0, 99);
  std::uniform_int_distribution<long> duration_ms(0, sim.deadline.count());
  std::uniform_int_distribution<long> think_ms(0, 3000);
  // Events by time: a caller ready to take a slot, or a request ending.
  struct Event {
    TimePoint at;
    int caller;
    connectors::Slot ending;  // empty: the caller wants a slot
    bool operator>(const Event& o) const { return at > o.at; }
  };
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
  for (int c = 0; c < sim.callers; ++c) events.push({now(), c, {}});
  SimulatedRequests<TimePoint> out;
  std::vector<TimePoint>& counted = out.counted;
  std::size_t in_flight = 0;
  while (counted.size() < sim.requests) {
    const Event e = events.top();
    events.pop();
    if (e.at > now()) advance(e.at - now());
    connectors::Quota& q = quota(e.caller);
    if (e.ending) {
      q.end(e.ending);
      --in_flight;
      events.push({e.at + milliseconds(think_ms(random)), e.caller, {}});
      continue;
    }
    connectors::Slot slot;
    const auto wait = q.tryAcquire(slot);
    if (wait > std::chrono::nanoseconds(0)) {
      events.push(
          {e.at + std::chrono::duration_cast<typename TimePoint::duration>(wait), e.caller, {}});
      continue;
    }
    const int kind = percent(random);
    const bool dies = kind == 99;
    milliseconds duration(0);
    if (kind >= 30 && kind < 40) {
      duration = sim.deadline;
    } else if (kind >= 40 && kind < 50) {
      duration = milliseconds(duration_ms(random));
    } else if (kind >= 50) {
      duration = dies ? sim.deadline : milliseconds(duration_ms(random) / 4);
    }
    const int where = percent(random);
    const long span_ms = duration.count();
    const long offset = where < 33   ? 0
                        : where < 66 ? span_ms
                                     : std::uniform_int_distribution<long>(0, span_ms)(random);
    counted.push_back(e.at + milliseconds(offset));
    if (dies) {
      events.push({e.at + duration + milliseconds(1), e.caller, {}});
    } else {
      out.most_in_flight = std::max(out.most_in_flight, ++in_flight);
      events.push({e.at + duration, e.caller, slot});
    }
  }
  std::sort(counted.begin(), counted.end());
  return out;
}

}  // namespace passerelle::testing

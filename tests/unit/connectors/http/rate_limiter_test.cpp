// The sliding-log limiter on a ManualClock: under a long backlog, never more
// than N grants in any window and a sustained rate close to the quota; a
// request counts until it ended (a slow one holds its slot longer, one never
// ended until its deadline); and, requests being counted by the service
// anywhere between grant and end, a simulation of many concurrent requests
// never shows the service more than N in a window.
#include "connectors/http/rate_limiter.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <stdexcept>
#include <vector>

#include "tests/support/quota_requests.h"

using namespace std::chrono_literals;
namespace pc = passerelle::connectors;
using passerelle::testing::instantRequest;
using passerelle::testing::tryInstant;

namespace {

// Max grants inside any closed interval [t, t + window]: with sorted times it
// is enough to start windows at each grant.
std::size_t maxInAnyWindow(const std::vector<pc::Clock::SteadyTime>& times,
                           std::chrono::nanoseconds window) {
  std::size_t best = 0, j = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    while (j < times.size() && times[j] <= times[i] + window) ++j;
    best = std::max(best, j - i);
  }
  return best;
}

}  // namespace

TEST_SUITE("rate_limiter") {
  TEST_CASE("a backlog never exceeds 30 per 60 s and sustains at least 95%") {
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock);  // defaults: 30 writes, 120 reads
    std::vector<pc::Clock::SteadyTime> grants;
    const auto start = clock.steady();
    for (int i = 0; i < 3000; ++i) {
      instantRequest(limiter.writes());
      grants.push_back(clock.steady());
    }
    CHECK(maxInAnyWindow(grants, 60s) == 30);
    // Any 31 consecutive grants span strictly more than 60 s.
    for (std::size_t i = 0; i + 30 < grants.size(); ++i) CHECK(grants[i + 30] - grants[i] > 60s);
    const double minutes = std::chrono::duration<double>(grants.back() - start).count() / 60.0;
    const double per_minute = static_cast<double>(grants.size()) / minutes;
    CHECK(per_minute <= 30.0);
    CHECK(per_minute >= 0.95 * 30.0);
  }

  TEST_CASE("irregular callers with random delays never exceed the quota either") {
    pc::ManualClock clock;
    pc::SlidingWindowLimiter limiter(clock, {30, 60s, 0s});  // no margin: the bare rule
    std::mt19937 random(42);
    std::uniform_int_distribution<int> delay_ms(0, 5000);
    std::vector<pc::Clock::SteadyTime> grants;
    for (int i = 0; i < 2000; ++i) {
      clock.advance(std::chrono::milliseconds(delay_ms(random)));
      if (i % 7 == 0) clock.advance(90s);  // idle spells refill the window
      instantRequest(limiter);
      grants.push_back(clock.steady());
    }
    // Half-open windows (t-60, t]: at most 30 (a closed window may hold 31
    // only when the margin is zero, which is why the default margin is 1 s).
    for (std::size_t i = 0; i + 30 < grants.size(); ++i) CHECK(grants[i + 30] - grants[i] >= 60s);
  }

  TEST_CASE("tryAcquire reports the wait and takes nothing when it must wait") {
    pc::ManualClock clock;
    pc::SlidingWindowLimiter limiter(clock, {2, 60s, 1s});
    CHECK(tryInstant(limiter) == 0ns);
    clock.advance(10s);
    CHECK(tryInstant(limiter) == 0ns);
    pc::Slot slot;
    CHECK(limiter.tryAcquire(slot) == 51s);  // first grant's end + 61 s
    CHECK_FALSE(slot);                       // nothing was taken
    CHECK(limiter.tryAcquire(slot) == 51s);
    CHECK(limiter.grantsInWindow() == 2);
    clock.advance(51s);
    CHECK(limiter.tryAcquire(slot) == 0ns);
    CHECK(slot);
  }

  TEST_CASE("pauseUntil (429 Retry-After) delays every grant and never shortens") {
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock);
    limiter.writes().pauseFor(60s);
    limiter.writes().pauseFor(5s);  // shorter: ignored
    CHECK(tryInstant(limiter.writes()) == 60s);
    CHECK(tryInstant(limiter.reads()) == 0ns);  // reads are a separate quota
    const auto before = clock.steady();
    instantRequest(limiter.writes());
    CHECK(clock.steady() - before == 60s);
  }

  TEST_CASE("reads default to 120 per minute") {
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock);
    for (int i = 0; i < 120; ++i) CHECK(tryInstant(limiter.reads()) == 0ns);
    CHECK(tryInstant(limiter.reads()) == 61s);
  }
}

TEST_SUITE("rate_limiter request ends") {
  TEST_CASE("a request counts until its end: a slow one pushes its slot's return back") {
    pc::ManualClock clock;
    pc::SlidingWindowLimiter limiter(clock, {30, 60s, 1s, 60s});
    const auto start = clock.steady();
    pc::Slot slow;
    REQUIRE(limiter.tryAcquire(slow) == 0ns);
    for (int i = 0; i < 29; ++i) CHECK(tryInstant(limiter) == 0ns);
    CHECK(tryInstant(limiter) == 61s);  // the 29 answered at once leave first
    clock.advance(20s);
    limiter.end(slow);  // its answer came 20 s after the grant
    limiter.end(slow);  // ending twice changes nothing
    CHECK(tryInstant(limiter) == 41s);
    clock.advance(41s);
    for (int i = 0; i < 29; ++i) CHECK(tryInstant(limiter) == 0ns);
    // The service may have counted the slow request as late as start + 20 s:
    // its slot comes back at start + 81 s, not 61 s.
    CHECK(tryInstant(limiter) == 20s);
    clock.advance(20s);
    CHECK(clock.steady() - start == 81s);
    CHECK(limiter.grantsInWindow() == 29);  // the slow one has left the window too
    CHECK(tryInstant(limiter) == 0ns);
  }

  TEST_CASE("a request never ended (its process died) stops counting after its deadline") {
    pc::ManualClock clock;
    pc::SlidingWindowLimiter limiter(clock, {1, 60s, 1s, 30s});
    const auto start = clock.steady();
    pc::Slot lost;
    REQUIRE(limiter.tryAcquire(lost) == 0ns);  // never ended
    CHECK(limiter.grantsInWindow() == 1);
    // While its bound is ahead, the waits are short polls; once it has
    // passed, the wait is exact: 30 s + 61 s after the grant, not for ever.
    std::vector<std::chrono::nanoseconds> sleeps;
    pc::Slot next;
    for (;;) {
      const auto wait = limiter.tryAcquire(next);
      if (wait == 0ns) break;
      sleeps.push_back(wait);
      clock.advance(wait);
    }
    CHECK(clock.steady() - start == 91s);
    REQUIRE(sleeps.size() == 121);
    CHECK(std::count(sleeps.begin(), sleeps.end(), pc::kInFlightPoll) == 120);
    CHECK(sleeps.back() == 61s);
    CHECK(limiter.grantsInWindow() == 1);  // the new one; the lost one is forgotten
    limiter.end(lost);                     // too late to matter: harmless
    limiter.end(pc::Slot{});
    limiter.end(next);
    CHECK(tryInstant(limiter) == 61s);
  }

  TEST_CASE("QuotaSlot ends its slot when the request throws, and only once") {
    pc::ManualClock clock;
    pc::SlidingWindowLimiter limiter(clock, {1, 60s, 1s, 60s});
    try {
      pc::QuotaSlot slot(limiter);
      REQUIRE(slot.acquire());
      clock.advance(3s);
      throw std::runtime_error("transfer failed");
    } catch (const std::runtime_error&) {
    }
    CHECK(tryInstant(limiter) == 61s);  // ended at +3 s, not still in flight
    clock.advance(61s);
    pc::QuotaSlot slot(limiter);
    REQUIRE(slot.acquire());
    CHECK(slot.slot());
    slot.end();
    CHECK_FALSE(slot.slot());
    slot.end();
    CHECK(tryInstant(limiter) == 61s);
  }

  TEST_CASE("acquire waits for a slot held by a request in flight by polling, not its bound") {
    pc::ManualClock clock;
    pc::SlidingWindowLimiter limiter(clock, {1, 60s, 1s, 60s});
    pc::Slot busy;
    REQUIRE(limiter.tryAcquire(busy) == 0ns);
    // The request ends after 2 s (another thread, here the sleep hook).
    pc::StopSignal stop;
    clock.onSleep([&](std::chrono::nanoseconds d) {
      CHECK(d <= pc::kInFlightPoll + 61s);
      if (clock.steady().time_since_epoch() >= 2s) limiter.end(busy);
    });
    const auto start = clock.steady();
    pc::Slot slot;
    CHECK(limiter.acquire(slot, &stop));
    // Ended at the first poll from 2 s on: the slot is free 61 s later.
    CHECK(clock.steady() - start == 2s + 61s);
  }

  // The service counts each request at some instant s in [grant, end]. Many
  // requests from several concurrent callers, with random durations (a few
  // as long as the deadline allows, a few never ended: their process died),
  // counted at random instants, often at the extremes: no window of length
  // `window` ever holds more than N counts.
  TEST_CASE("randomized: whenever the service counts, no window holds more than N") {
    struct Setting {
      pc::WindowQuota quota;
      int callers;
    };
    for (const Setting setting : {Setting{{30, 60s, 1s, 30s}, 8}, Setting{{5, 10s, 1s, 20s}, 3},
                                  Setting{{3, 10s, 0s, 15s}, 6}}) {
      CAPTURE(setting.quota.requests);
      pc::ManualClock clock;
      pc::SlidingWindowLimiter limiter(clock, setting.quota);
      const auto run = passerelle::testing::simulateRequests<pc::Clock::SteadyTime>(
          {setting.callers, 3000,
           std::chrono::duration_cast<std::chrono::milliseconds>(setting.quota.request_deadline),
           static_cast<unsigned>(setting.quota.requests * 7919 + setting.callers)},
          [&](int) -> pc::Quota& { return limiter; }, [&] { return clock.steady(); },
          [&](std::chrono::nanoseconds d) { clock.advance(d); });
      const auto& counted = run.counted;
      const auto n = static_cast<std::size_t>(setting.quota.requests);
      if (setting.quota.margin > 0ns) {
        CHECK(maxInAnyWindow(counted, setting.quota.window) <= n);  // closed windows
      }
      // Half-open windows (t - window, t] even without a margin.
      for (std::size_t i = 0; i + n < counted.size(); ++i) {
        CHECK(counted[i + n] - counted[i] >= setting.quota.window);
      }
      CHECK(run.most_in_flight > 1);  // the callers did overlap
    }
  }
}

TEST_SUITE("rate_limiter stopping") {
  TEST_CASE("a Retry-After pause is waited out unless stop is requested") {
    pc::ManualClock clock;
    pc::SlidingWindowLimiter limiter(clock, pc::WindowQuota{30, 60s, 1s});
    limiter.pauseFor(300s);
    pc::StopSignal stop;
    const auto start = clock.steady();
    pc::Slot slot;
    CHECK(limiter.acquire(slot, &stop));  // nobody asks to stop: the pause runs out
    CHECK(clock.steady() - start >= 300s);
    CHECK(limiter.grantsInWindow() == 1);
  }

  TEST_CASE("stop during a Retry-After pause ends the wait at once, without a slot") {
    pc::ManualClock clock;
    pc::SlidingWindowLimiter limiter(clock, pc::WindowQuota{30, 60s, 1s});
    limiter.pauseFor(300s);
    pc::StopSignal stop;
    int sleeps = 0;
    clock.onSleep([&](std::chrono::nanoseconds) {
      ++sleeps;
      stop.request();
    });
    const auto start = clock.steady();
    pc::Slot slot;
    CHECK_FALSE(limiter.acquire(slot, &stop));
    CHECK_FALSE(slot);
    CHECK(sleeps == 1);
    CHECK(clock.steady() == start);
    CHECK(limiter.grantsInWindow() == 0);
    // Stopped: not even a free slot is taken any more.
    clock.onSleep({});
    clock.advance(400s);
    CHECK_FALSE(limiter.acquire(slot, &stop));
    CHECK_FALSE(slot);
    CHECK(limiter.grantsInWindow() == 0);
  }

  TEST_CASE("a full quota's wait ends on stop too") {
    pc::ManualClock clock;
    pc::SlidingWindowLimiter limiter(clock, pc::WindowQuota{2, 60s, 1s});
    pc::StopSignal stop;
    pc::Slot first, second, third;
    CHECK(limiter.acquire(first, &stop));
    CHECK(limiter.acquire(second, &stop));
    CHECK(first.id != second.id);
    limiter.end(first);
    limiter.end(second);
    clock.onSleep([&](std::chrono::nanoseconds d) {
      CHECK(d == 61s);
      stop.request();
    });
    CHECK_FALSE(limiter.acquire(third, &stop));
    CHECK(limiter.grantsInWindow() == 2);
  }
}

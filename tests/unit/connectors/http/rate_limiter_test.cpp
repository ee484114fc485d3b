// The sliding-log limiter under a long backlog, on a ManualClock: never more
// than N grants in any window, and a sustained rate close to the quota.
#include "connectors/http/rate_limiter.h"

#include <doctest/doctest.h>

#include <random>
#include <vector>

using namespace std::chrono_literals;
namespace pc = passerelle::connectors;

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
      limiter.writes().acquire();
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
      limiter.acquire();
      grants.push_back(clock.steady());
    }
    // Half-open windows (t-60, t]: at most 30 (a closed window may hold 31
    // only when the margin is zero, which is why the default margin is 1 s).
    for (std::size_t i = 0; i + 30 < grants.size(); ++i) CHECK(grants[i + 30] - grants[i] >= 60s);
  }

  TEST_CASE("tryAcquire reports the wait and takes nothing when it must wait") {
    pc::ManualClock clock;
    pc::SlidingWindowLimiter limiter(clock, {2, 60s, 1s});
    CHECK(limiter.tryAcquire() == 0ns);
    clock.advance(10s);
    CHECK(limiter.tryAcquire() == 0ns);
    CHECK(limiter.tryAcquire() == 51s);  // first grant + 61 s
    CHECK(limiter.tryAcquire() == 51s);  // nothing was taken
    CHECK(limiter.grantsInWindow() == 2);
    clock.advance(51s);
    CHECK(limiter.tryAcquire() == 0ns);
  }

  TEST_CASE("pauseUntil (429 Retry-After) delays every grant and never shortens") {
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock);
    limiter.writes().pauseFor(60s);
    limiter.writes().pauseFor(5s);  // shorter: ignored
    CHECK(limiter.writes().tryAcquire() == 60s);
    CHECK(limiter.reads().tryAcquire() == 0ns);  // reads are a separate quota
    const auto before = clock.steady();
    limiter.writes().acquire();
    CHECK(clock.steady() - before == 60s);
  }

  TEST_CASE("reads default to 120 per minute") {
    pc::ManualClock clock;
    pc::RateLimiter limiter(clock);
    for (int i = 0; i < 120; ++i) CHECK(limiter.reads().tryAcquire() == 0ns);
    CHECK(limiter.reads().tryAcquire() == 61s);
  }
}

TEST_SUITE("rate_limiter stopping") {
  TEST_CASE("a Retry-After pause is waited out unless stop is requested") {
    pc::ManualClock clock;
    pc::SlidingWindowLimiter limiter(clock, pc::WindowQuota{30, 60s, 1s});
    limiter.pauseFor(300s);
    pc::StopSignal stop;
    const auto start = clock.steady();
    CHECK(limiter.acquire(&stop));  // nobody asks to stop: the pause runs out
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
    CHECK_FALSE(limiter.acquire(&stop));
    CHECK(sleeps == 1);
    CHECK(clock.steady() == start);
    CHECK(limiter.grantsInWindow() == 0);
    // Stopped: not even a free slot is taken any more.
    clock.onSleep({});
    clock.advance(400s);
    CHECK_FALSE(limiter.acquire(&stop));
    CHECK(limiter.grantsInWindow() == 0);
  }

  TEST_CASE("a full quota's wait ends on stop too") {
    pc::ManualClock clock;
    pc::SlidingWindowLimiter limiter(clock, pc::WindowQuota{2, 60s, 1s});
    pc::StopSignal stop;
    CHECK(limiter.acquire(&stop));
    CHECK(limiter.acquire(&stop));
    clock.onSleep([&](std::chrono::nanoseconds d) {
      CHECK(d == 61s);
      stop.request();
    });
    CHECK_FALSE(limiter.acquire(&stop));
    CHECK(limiter.grantsInWindow() == 2);
  }
}

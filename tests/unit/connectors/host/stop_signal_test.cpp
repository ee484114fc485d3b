// StopSignal and the waits that end on it: a stop requested before or during
// a wait ends it without letting the time pass (ManualClock's sleep hook is
// "meanwhile"), and a real-time wait of an hour is woken by another thread.
#include "connectors/host/stop_signal.h"

#include <doctest/doctest.h>

#include <thread>

#include "connectors/host/clock.h"

using namespace std::chrono_literals;
namespace pc = passerelle::connectors;

TEST_SUITE("stop_signal") {
  TEST_CASE("a ManualClock sleep runs its full length unless stop is requested") {
    pc::ManualClock clock;
    pc::StopSignal stop;
    const auto start = clock.steady();
    CHECK(clock.sleepUnlessStopped(300s, stop));
    CHECK(clock.steady() - start == 300s);
  }

  TEST_CASE("stop requested during a ManualClock sleep ends it without the time passing") {
    pc::ManualClock clock;
    pc::StopSignal stop;
    std::chrono::nanoseconds asked{0};
    clock.onSleep([&](std::chrono::nanoseconds d) {
      asked = d;
      stop.request();  // SIGTERM while asleep
    });
    const auto start = clock.steady();
    CHECK_FALSE(clock.sleepUnlessStopped(300s, stop));
    CHECK(asked == 300s);
    CHECK(clock.steady() == start);
    // Requested for good: a later sleep does not even start.
    clock.onSleep({});
    CHECK_FALSE(clock.sleepUnlessStopped(1s, stop));
    CHECK(clock.steady() == start);
  }

  TEST_CASE("request() is idempotent and seen through flag() and operator bool") {
    pc::StopSignal stop;
    CHECK_FALSE(stop);
    CHECK_FALSE(stop.flag().load());
    stop.request();
    stop.request();
    CHECK(stop);
    CHECK(stop.requested());
    CHECK(stop.flag().load());
  }

  TEST_CASE("a real-time wait of an hour is woken by a request from another thread") {
    pc::SystemClock clock;
    pc::StopSignal stop;
    // No timing assertion: the test would hang for an hour if the wake-up
    // were lost; the request may come before or during the wait.
    std::thread requester([&] { stop.request(); });
    const bool slept = clock.sleepUnlessStopped(1h, stop);
    requester.join();
    CHECK_FALSE(slept);
    CHECK(stop.waitFor(1h));  // already requested: returns at once
  }
}

// PollSchedule: interval with jitter, doubling delays after failures up to a
// ceiling, reset by a success.
#include "daemon/service/poll_schedule.h"

#include <doctest/doctest.h>

using namespace passerelle::daemon;
using std::chrono::milliseconds;

TEST_CASE("a success waits the interval, give or take the jitter") {
  PollSchedule s({milliseconds(60'000), 0.1, milliseconds(30'000), milliseconds(3'600'000)});
  CHECK(s.afterSuccess(0.5) == milliseconds(60'000));
  CHECK(s.afterSuccess(0.0) == milliseconds(54'000));
  CHECK(s.afterSuccess(0.9999) <= milliseconds(66'000));
  CHECK(s.afterSuccess(0.9999) > milliseconds(65'990));
}

TEST_CASE("failures double the delay up to the ceiling; a success resets it") {
  PollSchedule s({milliseconds(60'000), 0.0, milliseconds(30'000), milliseconds(300'000)});
  CHECK(s.afterFailure(0.5) == milliseconds(30'000));
  CHECK(s.afterFailure(0.5) == milliseconds(60'000));
  CHECK(s.afterFailure(0.5) == milliseconds(120'000));
  CHECK(s.afterFailure(0.5) == milliseconds(240'000));
  CHECK(s.afterFailure(0.5) == milliseconds(300'000));
  for (int i = 0; i < 100; ++i) CHECK(s.afterFailure(0.99) <= milliseconds(300'000));
  CHECK(s.consecutiveFailures() == 105);
  CHECK(s.afterSuccess(0.5) == milliseconds(60'000));
  CHECK(s.consecutiveFailures() == 0);
  CHECK(s.afterFailure(0.5) == milliseconds(30'000));
}

TEST_CASE("the first poll after start is spread over one interval") {
  PollSchedule s({milliseconds(60'000), 0.1, milliseconds(30'000), milliseconds(3'600'000)});
  CHECK(s.initialDelay(0.0) == milliseconds(0));
  CHECK(s.initialDelay(0.5) == milliseconds(30'000));
}

// `push` and `daemon --once` exit statuses (README "Operator commands and
// exit statuses"): 2 when anything failed, waits for a retry or is paused;
// offers that are not eligible are reported, not a failure for cron.
#include <doctest/doctest.h>

#include "daemon/cli/command.h"
#include "daemon/cli/push_command.h"

namespace pd = passerelle::daemon;

TEST_CASE("push exit status: 0 when delivered or not eligible, 2 when work is left") {
  pd::PushCounts c;
  CHECK(pd::pushExitCode(c) == pd::kExitOk);
  c.sent = 10;
  c.unchanged = 3;
  c.not_eligible = 4;  // France Travail: offers without consent, every day
  CHECK(pd::pushExitCode(c) == pd::kExitOk);
  CHECK_FALSE(pd::pushIncomplete(c));

  pd::PushCounts failed = c;
  failed.failed = 1;
  CHECK(pd::pushExitCode(failed) == pd::kExitFailure);
  pd::PushCounts retried = c;
  retried.retried = 1;
  CHECK(pd::pushExitCode(retried) == pd::kExitFailure);
  pd::PushCounts paused = c;
  paused.paused = true;
  CHECK(pd::pushExitCode(paused) == pd::kExitFailure);
  pd::PushCounts lost = c;
  lost.lost_leases = 1;
  CHECK(pd::pushIncomplete(lost));
}

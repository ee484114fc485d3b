// Requests answered at once, for the tests of a connectors::Quota (the
// in-process SlidingWindowLimiter and the store's SharedQuota): a slot taken,
// then ended straight away.
#pragma once

#include <doctest/doctest.h>

#include <chrono>

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

}  // namespace passerelle::testing

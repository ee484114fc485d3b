// LbaDestination: La bonne alternance (shared/specs/destinations/lba.md) as a
// Destination: every poll interval, rolling expirations queued, the queue
// drained batch by batch under the write quota, then publishing statuses
// read. The work on each movement is LbaPush's (lba_push.h); this class sets
// it up from the configuration (API key read from its secret at each push,
// so a replaced key is taken without a reload).
//
// Thread safety: see destination.h.
#pragma once

#include <memory>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/destinations/destination.h"

namespace passerelle::daemon {

bool lbaEnabled(const Config& config);
std::unique_ptr<Destination> makeLbaDestination(const Config& config, const connectors::Host& host,
                                                connectors::Clock& clock);

}  // namespace passerelle::daemon

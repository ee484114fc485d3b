// DestinationJob: a destination (destinations/destination.h) as a job of the
// daemon's loop: every interval, or at its times of day, it opens the store,
// pushes what is due and logs what it did. The destination says when it
// wants to run; the loop owns the backoff after a failed run.
//
// Thread safety: the Service runs a job one call at a time (service.h); each
// run opens its own connection.
#pragma once

#include <string>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/service/service.h"

namespace passerelle::daemon {

// One job per destination the configuration enables.
Jobs buildDestinationJobs(const Config& config, const std::string& store_url,
                          const connectors::Host& host, connectors::Clock& clock);

}  // namespace passerelle::daemon

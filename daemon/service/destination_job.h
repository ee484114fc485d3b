// DestinationJob: a destination (destinations/destination.h) as a job of the
// daemon's loop: every interval, or at its times of day, it opens the store,
// pushes what is due and logs what it did. The destination says when it
// wants to run; the loop owns the backoff after a failed run.
//
// Several daemons: a destination that runs at times of day (France
// Travail's batches) takes a job lease per slot (store/job_lease.h) before
// it pushes, renewed while it works, so that each slot runs once across the
// daemons; a daemon that finds the slot held checks back when that lease
// ends (its owner may have died), and one that finds it done waits for the
// next slot. Pushes every interval (lba) run in every daemon: the outbox's
// claims keep them apart, renewed while they work (PushRequest::renew_claims).
//
// Thread safety: the Service runs a job one call at a time (service.h); each
// run opens its own connection.
#pragma once

#include <string>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/service/service.h"
#include "daemon/store/job_lease.h"

namespace passerelle::daemon {

// One job per destination the configuration enables. `slots` (nullptr: no
// job leases, a lone process) keeps scheduled runs to one daemon; it must
// outlive the jobs.
Jobs buildDestinationJobs(const Config& config, const std::string& store_url,
                          const connectors::Host& host, connectors::Clock& clock,
                          const JobLeases* slots = nullptr);

}  // namespace passerelle::daemon

// FranceTravailDestination: France Travail's partner feed (shared/specs/
// destinations/france-travail.md) as a Destination: at its configured times
// of day (Europe/Paris), one file of everything pending, uploaded or
// spooled, then the archive pruned. A refused file fails the run, so the
// daemon's job backs off and tries again; its movements stay pending. It
// takes the full stock (`reconcile --full-stock`). The work on the batch is
// FranceTravailPush's (france_travail_push.h).
//
// Thread safety: see destination.h.
#pragma once

#include <memory>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/destinations/destination.h"

namespace passerelle::daemon {

bool franceTravailEnabled(const Config& config);
std::unique_ptr<Destination> makeFranceTravailDestination(const Config& config,
                                                          const connectors::Host& host,
                                                          connectors::Clock& clock);

}  // namespace passerelle::daemon

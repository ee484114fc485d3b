// `passerelle push [--destination lba|france-travail] [--once] [--ref PARTNER:REF]
// [--config FILE]` and `passerelle retry [--destination D] [--ref PARTNER:REF]`
// (operations.md). --ref acts on one offer: push claims only its movements
// (OutboxSettings::only_partner); retry re-queues only its failed ones and
// leaves a destination's pause alone.
//
// push drains the enabled destinations' queues now: lba until nothing is
// due (with --once: one batch of claim_batch movements), then its
// publishing statuses; france-travail one batch (one file with everything
// pending). It takes part in the outbox like a daemon would: running it
// while the daemon runs never sends a movement twice.
// Exit status: 0 everything claimed was delivered (or had nothing to send);
// 1 done, but some offers were not eligible or refused for good (400, or
// attempts exhausted): operators should look, like rejected rows of an
// import; 2 something could not be delivered now (destination paused on
// 401, file refused, errors to be retried), or a store/configuration failure.
//
// retry re-queues failed movements (all destinations, or one) and lifts a
// destination's pause (after a 401 the operator replaced the key).
//
// Thread safety: main thread only, like the whole command line.
#pragma once

#include <CLI/CLI.hpp>

#include "daemon/cli/command.h"
#include "daemon/config/config.h"
#include "daemon/store/destination_state.h"

namespace passerelle::daemon {

void addPushCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host);
void addRetryCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host);

// The exit status for a destination's counts (see above).
int pushExitCode(const PushCounts& counts);

}  // namespace passerelle::daemon

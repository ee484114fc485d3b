// `passerelle reconcile [--dry-run] [--full-stock] [--json] [--config FILE]`
// (operations.md "Reconciliation"): the command line around reconcile()
// (reconciliation.h).
//
// Opens the configured store, runs the reconciliation and, when lba is
// enabled and this is not a dry run, refreshes its state over the network
// (rolling-expiration refresh queued, publishing statuses read), as the
// lba push does. Prints what it did (each count; --json: one object) and
// logs one summary line with the counts. When another
// reconciliation is running it says so and exits 0, doing nothing.
// Exit status: 0 no drift, 1 drift found (fixed unless --dry-run), 2 failure.
//
// Thread safety: main thread only, like the whole command line.
#pragma once

#include <CLI/CLI.hpp>

#include "daemon/cli/command.h"

namespace passerelle::daemon {

void addReconcileCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host);

}  // namespace passerelle::daemon

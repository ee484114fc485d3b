// `passerelle import --partner P [--format F] [--dry-run] [--config FILE] FILE...`:
// import files by hand, exactly as if they had been dropped (operations.md).
// The partner must be configured (exit 64 otherwise, naming the configured
// ones). --dry-run imports each file in a transaction that is rolled back
// (ImportRequest::dry_run) and reports what it would do, each file against
// the store as it is now; nothing is written.
//
// Each file is one transaction (offer_import.h). Exit status: 0 when every
// file was imported (or was a duplicate), 1 when rows were rejected, 2 when a
// file was refused, quarantined or failed. A failure (store, I/O) stops the
// remaining files: for delta partners applying a later file after a missing
// one would be wrong.
//
// Thread safety: main thread only, like the whole command line.
#pragma once

#include <CLI/CLI.hpp>

#include "daemon/cli/command.h"

namespace passerelle::daemon {

void addImportCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host);

}  // namespace passerelle::daemon

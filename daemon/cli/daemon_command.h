// `passerelle daemon [--once] [--config FILE]`: the long-running service
// (operations.md "Service"). Loads the configuration, makes sure the store is
// reachable and migrated (only then READY=1), and runs the Service with one
// DropFolderPoller per partner. SIGHUP re-reads the configuration and keeps
// the running one if the new one is refused. `--once`: one poll of every
// partner with its imports, then exit (for tests, cron and debugging).
//
// Thread safety: main thread only.
#pragma once

#include <CLI/CLI.hpp>

#include "daemon/cli/command.h"

namespace passerelle::daemon {

void addDaemonCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host);

}  // namespace passerelle::daemon

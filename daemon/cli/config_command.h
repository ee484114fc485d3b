// `passerelle config check [--config FILE] [--connect]`: validate the
// configuration and the secrets' permissions without starting anything
// (operations.md); as root, also whether the service user could read the
// secrets; with --connect, try every connection (connection_check.h).
// Exit 0 when all is well, 2 when the file, a secret or a connection fails.
//
// Thread safety: main thread only, like the whole command line.
#pragma once

#include <CLI/CLI.hpp>

#include "daemon/cli/command.h"

namespace passerelle::daemon {

void addConfigCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host);

}  // namespace passerelle::daemon

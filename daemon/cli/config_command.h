// `passerelle config check [--config FILE]`: validate the configuration and
// the secrets' permissions without starting anything (operations.md).
//
// Thread safety: main thread only, like the whole command line.
#pragma once

#include <CLI/CLI.hpp>

#include "daemon/cli/command.h"

namespace passerelle::daemon {

void addConfigCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host);

}  // namespace passerelle::daemon

// `passerelle check --format F [--partner P] [--config FILE] [--json|--summary] FILE`:
// parse and validate one export with no store (offer.md, operations.md).
//
// Thread safety: main thread only.
#pragma once

#include <CLI/CLI.hpp>

#include "daemon/cli/command.h"

namespace passerelle::daemon {

void addCheckCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host);

}  // namespace passerelle::daemon

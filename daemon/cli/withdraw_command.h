// `passerelle withdraw --partner P [--ref R]... [--yes] [--config FILE]`
// (operations.md, "Partners must exist"): withdrawing a partner's offers is
// deliberate. Without --yes it shows what it would withdraw (how many, and
// the first references) and changes nothing (exit 1); with --yes it
// withdraws them through the store's normal path (offer_merge.h
// withdrawOffers(): status, history, a closing movement per destination),
// under the partner's import lock so that no import runs meanwhile.
// Only offers not withdrawn yet are concerned; a --ref the store does not
// know is reported and changes nothing. The partner must be configured
// (exit 64).
//
// Thread safety: main thread only, like the whole command line.
#pragma once

#include <CLI/CLI.hpp>

#include "daemon/cli/command.h"

namespace passerelle::daemon {

void addWithdrawCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host);

}  // namespace passerelle::daemon

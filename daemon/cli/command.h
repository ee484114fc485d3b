// Command: how each `passerelle` subcommand plugs into the command line.
//
// Each command lives in its own file pair and exposes one add...Command()
// function that declares its CLI11 subcommand and options and sets a callback.
// The callback stores the exit status in ExitStatus (operations.md: 0 success,
// 1 done with rejected rows or drift, 2 failure, 64 usage error). Failures of
// the machine, network or store are exceptions, caught once in main().
// A command that asks the system (environment, user ids, secrets) does it
// through the Host main() made and passes to its add...Command().
//
// Thread safety: the command line is parsed on the main thread only.
#pragma once

#include "connectors/host/host.h"

namespace passerelle::daemon {

enum ExitCode : int {
  kExitOk = 0,
  kExitRejects = 1,
  kExitFailure = 2,
  kExitUsage = 64,
};

struct ExitStatus {
  int code = kExitOk;
};

}  // namespace passerelle::daemon

// `passerelle dashboard hash-password`: the line to put in an account's
// password_hash_file (dashboard.md "Accounts"). The password is read from
// standard input (never from the command line, where `ps` and the shell's
// history would see it), without echo when it is a terminal; the hash
// (password_hash.h: scrypt) is printed on standard output.
//
// Thread safety: main thread only, like the whole command line.
#pragma once

#include <CLI/CLI.hpp>

#include "daemon/cli/command.h"

namespace passerelle::daemon {

void addDashboardCommand(CLI::App& app, ExitStatus& status);

}  // namespace passerelle::daemon

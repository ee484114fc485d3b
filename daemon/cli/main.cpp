// passerelle: partners' apprenticeship offers, from their drop folders to the
// national services. One program, one subcommand per job (operations.md).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "daemon/cli/check_command.h"
#include "daemon/cli/command.h"
#include "daemon/cli/command_line.h"
#include "daemon/cli/config_command.h"
#include "daemon/cli/daemon_command.h"
#include "daemon/cli/dashboard_command.h"
#include "daemon/cli/import_command.h"
#include "daemon/cli/offer_command.h"
#include "daemon/cli/push_command.h"
#include "daemon/cli/reconcile_command.h"
#include "daemon/cli/status_command.h"
#include "daemon/cli/store_commands.h"
#include "daemon/cli/withdraw_command.h"
#include "daemon/log/event_log.h"

int main(int argc, char** argv) {
  using namespace passerelle::daemon;
  // The one Host of the program: every command asks the system through it.
  const passerelle::connectors::SystemHost host;
  // Under systemd, the journal; else text until a command says otherwise.
  EventLog::configure(EventLog::detectOutput(host, false));
  CLI::App app{
      "passerelle: apprenticeship offers from partners' drop folders to the national services"};
  app.set_version_flag("--version", "passerelle " PASSERELLE_VERSION);
  app.require_subcommand(1);
  ExitStatus status;
  addCheckCommand(app, status, host);
  addDaemonCommand(app, status, host);
  addConfigCommand(app, status, host);
  addDashboardCommand(app, status);
  addImportCommand(app, status, host);
  addStoreCommands(app, status, host);
  addPushCommand(app, status, host);
  addRetryCommand(app, status, host);
  addReconcileCommand(app, status, host);
  addStatusCommand(app, status, host);
  addWithdrawCommand(app, status, host);
  addOfferCommand(app, status, host);
  std::vector<std::string> commands;
  for (CLI::App* command : app.get_subcommands({})) {
    commands.push_back(command->get_name());
    command->footer(exitStatusHelp(command->get_name()));
  }
  // CLI11 wants the arguments after the program name, in reverse order.
  std::vector<std::string> args =
      normalizeArguments(std::vector<std::string>(argv + 1, argv + argc));
  if (const auto word = requestedCommand(args);
      word && std::find(commands.begin(), commands.end(), *word) == commands.end()) {
    const auto closest = closestName(*word, commands);
    std::fprintf(stderr, "passerelle: `%s` is not a command%s (passerelle --help lists them)\n",
                 word->c_str(), closest ? ("; did you mean `" + *closest + "`?").c_str() : "");
    return kExitUsage;
  }
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "passerelle: %s\n", e.what());
    return kExitFailure;
  }
  return status.code;
}

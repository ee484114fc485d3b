#include "daemon/cli/dashboard_command.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "daemon/dashboard/password_hash.h"

namespace passerelle::daemon {
namespace {

// One line of standard input, echo off while a terminal types it.
std::string readPassword() {
  termios saved{};
  const bool terminal = ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal) {
    std::fputs("Mot de passe : ", stderr);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fputs("\n", stderr);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int runHashPassword() {
  const std::string password = readPassword();
  if (password.empty()) {
    std::fprintf(stderr, "passerelle: no password on standard input\n");
    return kExitUsage;
  }
  std::printf("%s\n", hashPassword(password).c_str());
  return kExitOk;
}

}  // namespace

void addDashboardCommand(CLI::App& app, ExitStatus& status) {
  CLI::App* dashboard = app.add_subcommand("dashboard", "The partners' dashboard");
  dashboard->require_subcommand(1);
  CLI::App* hash = dashboard->add_subcommand(
      "hash-password",
      "Read a password on standard input, print its hash for a password_hash_file");
  hash->callback([&status] { status.code = runHashPassword(); });
}

}  // namespace passerelle::daemon

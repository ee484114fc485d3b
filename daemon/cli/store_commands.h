// Store commands: `passerelle migrate`, `runs`, `rejects`, `offers` and
// `approve` (operations.md), plus the session helper shared with `import`.
//
// Each command loads the configuration (--config, $PASSERELLE_CONFIG, or the
// default), refuses to run as root against the service user's state
// directory (wrong_user_guard.h), resolves the store (a libpq URI, or the embedded server), brings
// the schema up to date (a no-op when current; a newer schema is refused) and
// does its work. Store errors are exceptions, caught at the command's edge,
// logged on stderr with their context, and turned into exit status 2.
//
// Thread safety: main thread only, like the whole command line.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <pqxx/pqxx>

#include "connectors/host/host.h"
#include "daemon/cli/command.h"
#include "daemon/config/config.h"

namespace passerelle::daemon {

// Thrown when the command runs as the wrong user (wrong_user_guard.h);
// runGuarded() prints it and exits 64.
class WrongUser : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A configured, migrated store session for one command.
struct StoreSession {
  Config config;
  std::unique_ptr<pqxx::connection> connection;
};
// Throws ConfigError, StoreError, SchemaTooNewError or pqxx errors.
StoreSession openStoreSession(const std::optional<std::string>& config_path,
                              const connectors::Host& host);

// One event in the log (event_log.h): MESSAGE key=value...
void logEvent(const std::string& message,
              const std::vector<std::pair<std::string, std::string>>& fields);

// Runs `body`, turning every exception into a logged failure (exit 2).
int runGuarded(const std::string& what,
               const std::vector<std::pair<std::string, std::string>>& context,
               const std::function<int()>& body);

// "would withdraw: A, B and N more" (previews of approve, import --dry-run).
void printWithdrawnPreview(const std::vector<std::string>& refs, long total);

// Declares migrate, runs, rejects, offers and approve.
void addStoreCommands(CLI::App& app, ExitStatus& status, const connectors::Host& host);

}  // namespace passerelle::daemon

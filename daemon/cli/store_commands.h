// Store commands: `passerelle migrate`, `runs`, `rejects`, `offers` and
// `approve` (operations.md), plus the session helper shared with `import`.
//
// Each command loads the configuration (--config, $PASSERELLE_CONFIG, or the
// default), resolves the store (a libpq URI, or the embedded server), brings
// the schema up to date (a no-op when current; a newer schema is refused) and
// does its work. Store errors are exceptions, caught at the command's edge,
// logged on stderr with their context, and turned into exit status 2.
//
// Thread safety: main thread only, like the whole command line.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <pqxx/pqxx>

#include "connectors/host/host.h"
#include "daemon/cli/command.h"
#include "daemon/config/config.h"

namespace passerelle::daemon {

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

// Declares migrate, runs, rejects, offers and approve.
void addStoreCommands(CLI::App& app, ExitStatus& status, const connectors::Host& host);

}  // namespace passerelle::daemon

// `passerelle config check` (config_command.h).
#include "daemon/cli/config_command.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/host/clock.h"
#include "daemon/cli/connection_check.h"
#include "daemon/config/config.h"
#include "daemon/config/secrets.h"
#include "daemon/dashboard/password_hash.h"
#include "formats/dialect_registry.h"

namespace passerelle::daemon {
namespace {

struct ConfigCheckOptions {
  std::string config_path;
  bool connect = false;
};

// --connect: one line per connection; failures are problems.
std::size_t reportConnections(const Config& config, const connectors::Host& host,
                              const std::string& prefix) {
  connectors::SystemClock clock;
  std::size_t failures = 0;
  for (const ConnectionResult& r : checkConnections(config, host, clock)) {
    if (r.ok) {
      std::printf("%s: %s %s\n", r.subject.c_str(),
                  r.tried ? "ok:" : "not tried:", r.message.c_str());
    } else {
      ++failures;
      std::fprintf(stderr, "%s: %s: %s\n", prefix.c_str(), r.subject.c_str(), r.message.c_str());
    }
  }
  return failures;
}

// A dashboard account whose hash file holds no `dashboard hash-password`
// line could never log in: said now rather than at the first login.
std::vector<std::string> dashboardHashProblems(const Config& config, const connectors::Host& host) {
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < config.dashboard.accounts.size(); ++i) {
    const DashboardAccount& a = config.dashboard.accounts[i];
    try {
      if (!wellFormedPasswordHash(readSecret(host, a.password_hash_file))) {
        problems.push_back("dashboard.account[" + std::to_string(i) + "] (" + a.login +
                           ").password_hash_file: " + a.password_hash_file +
                           ": not a hash from `passerelle dashboard hash-password`");
      }
    } catch (const std::exception&) {
      // unreadable: checkConfig() already says why
    }
  }
  return problems;
}

int runConfigCheck(const ConfigCheckOptions& options, const connectors::Host& host) {
  std::optional<std::string> cli;
  if (!options.config_path.empty()) cli = options.config_path;
  const ConfigPath where = resolveConfigPath(cli, host);
  Config config;
  try {
    config = loadConfig(where, formats::DialectRegistry::instance().names(), host);
  } catch (const ConfigError& e) {
    for (const auto& problem : e.problems()) std::fprintf(stderr, "%s\n", problem.c_str());
    std::fprintf(stderr, "configuration refused: %zu problem%s\n", e.problems().size(),
                 e.problems().size() == 1 ? "" : "s");
    return kExitFailure;
  }
  const std::string source = config.source_path.empty()
                                 ? "no file at " + where.path + ", defaults apply"
                                 : config.source_path;
  // Messages start with the file they are about, as a compiler's do.
  const std::string prefix = config.source_path.empty() ? "passerelle" : config.source_path;
  for (const auto& warning : configWarnings(config)) {
    std::fprintf(stderr, "%s: warning: %s\n", prefix.c_str(), warning.c_str());
  }
  // As root: what the service user would meet (a secret only root can read).
  for (const auto& warning : serviceUserWarnings(config, host)) {
    std::fprintf(stderr, "%s: warning: %s\n", prefix.c_str(), warning.c_str());
  }
  std::vector<std::string> problems = checkConfig(config, host);
  for (const std::string& problem : dashboardHashProblems(config, host))
    problems.push_back(problem);
  if (!problems.empty()) {
    for (const auto& problem : problems) {
      std::fprintf(stderr, "%s: %s\n", prefix.c_str(), problem.c_str());
    }
    std::fprintf(stderr, "configuration refused: %zu problem%s\n", problems.size(),
                 problems.size() == 1 ? "" : "s");
    return kExitFailure;
  }
  std::string destinations;
  if (config.lba.enabled) destinations += "lba";
  if (config.france_travail.enabled) {
    if (!destinations.empty()) destinations += ", ";
    destinations += std::string("france-travail (") + toString(config.france_travail.mode) + ")";
  }
  if (destinations.empty()) destinations = "none";
  if (options.connect) {
    const std::size_t failures = reportConnections(config, host, prefix);
    if (failures > 0) {
      std::fprintf(stderr, "connections failed: %zu\n", failures);
      return kExitFailure;
    }
  }
  std::printf("configuration OK: %zu partner%s, destinations: %s (%s)\n", config.partners.size(),
              config.partners.size() == 1 ? "" : "s", destinations.c_str(), source.c_str());
  return kExitOk;
}

}  // namespace

void addConfigCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host) {
  CLI::App* config = app.add_subcommand("config", "Inspect the configuration");
  config->require_subcommand(1);
  auto options = std::make_shared<ConfigCheckOptions>();
  CLI::App* check =
      config->add_subcommand("check", "Validate the configuration and the secrets' permissions");
  check->add_option("--config", options->config_path,
                    "Configuration file (default: $PASSERELLE_CONFIG, else " +
                        std::string(kDefaultConfigPath) + ")");
  check->add_flag("--connect", options->connect,
                  "Also try every connection: the store, each partner's server (login and "
                  "listing), each destination's authentication");
  check->callback([options, &status, &host] { status.code = runConfigCheck(*options, host); });
}

}  // namespace passerelle::daemon

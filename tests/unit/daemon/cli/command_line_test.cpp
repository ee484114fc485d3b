// The command line's safety nets (command_line.h, timestamp.h,
// wrong_user_guard.h): --config anywhere, the closest command, Paris times
// with their offset, and root refused against the service user's state.
#include "daemon/cli/command_line.h"

#include <doctest/doctest.h>

#include "daemon/cli/timestamp.h"
#include "daemon/cli/wrong_user_guard.h"

using namespace passerelle;
using Args = std::vector<std::string>;

namespace {
const Args kCommands = {"check", "import", "status", "runs", "offers", "offer", "reconcile"};
}

TEST_CASE("command line: --config and -c before the subcommand move after it") {
  using daemon::normalizeArguments;
  CHECK(normalizeArguments({"--config", "a.toml", "status", "--json"}) ==
        Args{"status", "--json", "--config", "a.toml"});
  CHECK(normalizeArguments({"-c", "a.toml", "status"}) == Args{"status", "--config", "a.toml"});
  CHECK(normalizeArguments({"-ca.toml", "runs"}) == Args{"runs", "--config", "a.toml"});
  CHECK(normalizeArguments({"--config=a.toml", "runs"}) == Args{"runs", "--config", "a.toml"});
  CHECK(normalizeArguments({"status", "-c", "a.toml"}) == Args{"status", "--config", "a.toml"});
  // Before `--` only: after it, every word is a file.
  CHECK(normalizeArguments({"-c", "a.toml", "import", "--partner", "p", "--", "-c"}) ==
        Args{"import", "--partner", "p", "--config", "a.toml", "--", "-c"});
  CHECK(daemon::requestedCommand({"--config", "status", "runs"}) ==
        std::optional<std::string>("runs"));
  CHECK_FALSE(daemon::requestedCommand({"--help"}).has_value());
}

TEST_CASE("command line: a mistyped command names the closest one") {
  using daemon::closestName;
  CHECK(closestName("stauts", kCommands) == std::optional<std::string>("status"));
  CHECK(closestName("imprt", kCommands) == std::optional<std::string>("import"));
  CHECK(closestName("reconsile", kCommands) == std::optional<std::string>("reconcile"));
  CHECK_FALSE(closestName("frobnicate", kCommands).has_value());
  CHECK(daemon::exitStatusHelp("status").find("1 something needs attention") != std::string::npos);
  CHECK(daemon::exitStatusHelp("runs").find("64 usage error") != std::string::npos);
}

TEST_CASE("timestamps: RFC 3339 in Europe/Paris with the offset of the day") {
  CHECK(daemon::formatTimestamp(1796186174) == "2026-12-02T05:36:14+01:00");  // 04:36:14Z
  CHECK(daemon::formatTimestamp(1783000000) == "2026-07-02T15:46:40+02:00");
}

TEST_CASE("wrong user: root against the service user's state directory is refused") {
  daemon::Config config;
  config.daemon.state_dir = "/var/lib/passerelle";
  connectors::FakeHost host;
  host.addAccount({0, 0, "root", "/root"})
      .addAccount({998, 998, "passerelle", "/var/lib/passerelle"});

  host.setUserIds(998, 998).setOwner("/var/lib/passerelle", 998);
  CHECK_FALSE(daemon::wrongUserRefusal(host, config).has_value());  // the service user

  host.setUserIds(0, 0);
  const auto refusal = daemon::wrongUserRefusal(host, config);
  REQUIRE(refusal.has_value());
  CHECK(refusal->find("sudo -u passerelle passerelle status") != std::string::npos);

  // Not there yet, embedded store, the account exists: creating it as root
  // would give it the wrong owner.
  connectors::FakeHost fresh;
  fresh.setUserIds(0, 0).addAccount({998, 998, "passerelle", "/var/lib/passerelle"});
  CHECK(daemon::wrongUserRefusal(fresh, config).has_value());
  // A root-owned state directory (a root-run demo, a test) is root's own.
  fresh.setOwner("/var/lib/passerelle", 0);
  CHECK_FALSE(daemon::wrongUserRefusal(fresh, config).has_value());
  // Another state directory that does not exist yet is created by whoever runs.
  config.daemon.state_dir = "/tmp/demo/state";
  CHECK_FALSE(daemon::wrongUserRefusal(host, config).has_value());
}

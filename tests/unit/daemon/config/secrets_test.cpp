// Tests of daemon/config/secrets: where a secret is read from, what is
// refused, and that no message holds the secret. Files and variables come
// from a FakeHost (SystemHost's reading of real files: host_test.cpp).
#include "daemon/config/secrets.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "connectors/host/host.h"

namespace passerelle::daemon {
namespace {

using connectors::FakeHost;

TEST_CASE("secrets: permissions, newline, content never in messages") {
  FakeHost host;
  const std::string file = "/etc/passerelle/secret";

  host.addFile(file, "hunter2\n", 0600);
  CHECK(readSecret(host, file) == "hunter2");
  host.addFile(file, "hunter2\r\n", 0400);
  CHECK(readSecret(host, file) == "hunter2");

  host.addFile(file, "hunter2\n", 0644);
  try {
    readSecret(host, file);
    FAIL("a world-readable secret was accepted");
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    CHECK(message.find(file) != std::string::npos);
    CHECK(message.find("0644") != std::string::npos);
    CHECK(message.find("hunter2") == std::string::npos);
  }
  host.addFile(file, "hunter2\n", 0640);
  CHECK_THROWS_WITH_AS(readSecret(host, file), doctest::Contains("mode 0640"), std::runtime_error);
  host.addFile(file, "\n", 0600);
  CHECK_THROWS_WITH_AS(readSecret(host, file), doctest::Contains("empty"), std::runtime_error);
  host.addFile(file, std::string(64 * 1024 + 1, 'k'), 0600);
  CHECK_THROWS_WITH_AS(readSecret(host, file), doctest::Contains("larger than 64 KiB"),
                       std::runtime_error);
  host.addFile(file, std::string(64 * 1024, 'k'), 0600);
  CHECK(readSecret(host, file).size() == 64 * 1024);
  CHECK_THROWS_WITH_AS(readSecret(host, "/etc/passerelle/missing"),
                       doctest::Contains("secret file /etc/passerelle/missing: cannot open"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(readSecret(host, ""), doctest::Contains("no file named"),
                       std::runtime_error);
}

TEST_CASE("secrets from systemd's credentials directory") {
  FakeHost host;
  // systemd makes credentials readable by the service only, but their mode is
  // systemd's business: a 0644 file there is accepted.
  host.addFile("/run/credentials/passerelle.service/lba", "from-credentials\n", 0644)
      .addFile("/etc/passerelle/lba", "from-file\n", 0600)
      .addFile("/etc/passerelle/other", "other-file\n", 0600);
  CHECK(readSecret(host, "/etc/passerelle/lba") == "from-file");
  host.set("CREDENTIALS_DIRECTORY", "/run/credentials/passerelle.service");
  CHECK(readSecret(host, "/etc/passerelle/lba") == "from-credentials");
  CHECK(readSecret(host, "lba") == "from-credentials");
  // Not in the credentials directory: the file itself.
  CHECK(readSecret(host, "/etc/passerelle/other") == "other-file");
  // Set but empty: as if unset.
  host.set("CREDENTIALS_DIRECTORY", "");
  CHECK(readSecret(host, "/etc/passerelle/lba") == "from-file");
}

TEST_CASE("secretProblem: the reason, without the secret") {
  FakeHost host;
  host.addFile("/s/ok", "fine\n", 0600).addFile("/s/open", "p4ssw0rd\n", 0604);
  CHECK_FALSE(secretProblem(host, "/s/ok").has_value());
  const auto problem = secretProblem(host, "/s/open");
  REQUIRE(problem.has_value());
  CHECK(problem->find("secret file /s/open: mode 0604") == 0);
  CHECK(problem->find("p4ssw0rd") == std::string::npos);
}

}  // namespace
}  // namespace passerelle::daemon

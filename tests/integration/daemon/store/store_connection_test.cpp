// Messages of a store that cannot be reached or refuses the login: where it
// is (host, port, database, user), never the password; a refused login names
// the user and the secret file (tests/servers/pg_auth_server.py plays a
// server that refuses every password).
#include "daemon/store/store_connection.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/store/embedded_postgres.h"
#include "tests/support/test_server_process.h"

using namespace passerelle;
using passerelle::testing::TestServer;

namespace {

std::string failureOf(const std::string& url) {
  try {
    daemon::openStore(url);
  } catch (const daemon::StoreError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("store: where a URL points, without its password") {
  CHECK(daemon::describeStore("postgresql://bob:pw@db.example:6543/offers?sslmode=require") ==
        "db.example:6543/offers (user bob)");
  CHECK(daemon::describeStore("postgresql:///passerelle?host=%2Frun%2Fpg&port=5433&user=p") ==
        "/run/pg:5433/passerelle (user p)");
  CHECK(daemon::describeStore("postgresql://localhost/x?password=secret") == "localhost:5432/x");
}

TEST_CASE("store: a login refused without a password says so and names the key") {
  TestServer server("pg_auth_server.py");
  const std::string url =
      "postgresql://bob@127.0.0.1:" + std::to_string(server.port()) + "/offers?sslmode=disable";
  const std::string message = failureOf(url);
  CHECK(message.find("refused the login of user bob") != std::string::npos);
  CHECK(message.find("127.0.0.1:" + std::to_string(server.port()) + "/offers") !=
        std::string::npos);
  CHECK(message.find("store.password_file") != std::string::npos);
}

TEST_CASE("store: store.password_file is read as a secret; a refused one is named") {
  TestServer server("pg_auth_server.py");
  connectors::FakeHost host;
  host.addFile("/etc/passerelle/secrets/db", "wrong-password\n");
  daemon::Config config;
  config.store.url =
      "postgresql://carol@127.0.0.1:" + std::to_string(server.port()) + "/offers?sslmode=disable";
  config.store.password_file = "/etc/passerelle/secrets/db";
  const std::string url = daemon::resolveStoreUrl(config, host);
  CHECK(url.find("password=wrong-password") != std::string::npos);
  const std::string message = failureOf(url);
  CHECK(message.find("refused the login of user carol") != std::string::npos);
  CHECK(message.find("/etc/passerelle/secrets/db") != std::string::npos);
  CHECK(message.find("wrong-password") == std::string::npos);

  // From the credentials directory first, like every other secret.
  host.set("CREDENTIALS_DIRECTORY", "/run/credentials/passerelle.service")
      .addFile("/run/credentials/passerelle.service/db", "from-credentials");
  CHECK(daemon::resolveStoreUrl(config, host).find("password=from-credentials") !=
        std::string::npos);
}

TEST_CASE("store: a server that is not there is named, with what libpq says") {
  // A port nothing listens on: the one just released by a closed server.
  int port = 0;
  {
    TestServer server("pg_auth_server.py");
    port = server.port();
  }
  const std::string message =
      failureOf("postgresql://dave:pw@127.0.0.1:" + std::to_string(port) + "/offers");
  CHECK(message.find("cannot connect to the store at 127.0.0.1:" + std::to_string(port) +
                     "/offers (user dave)") != std::string::npos);
  CHECK(message.find("pw") == std::string::npos);
}

TEST_CASE("store: a connection lost under a session is explained") {
  const pqxx::broken_connection lost("Could not obtain client encoding: not connected.");
  const std::string message =
      daemon::explainStoreFailure("postgresql://eve@db.example/offers", lost);
  CHECK(message.find("the store at db.example:5432/offers (user eve) cannot be reached") == 0);
  const std::runtime_error other("disk full");
  CHECK(daemon::explainStoreFailure("postgresql://eve@db.example/offers", other) == "disk full");
}

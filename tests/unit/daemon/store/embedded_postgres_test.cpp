// Tests of daemon/embedded_postgres: a real private server in a temporary
// state directory (a few seconds: initdb, start, stop).
#include "daemon/store/embedded_postgres.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <pqxx/pqxx>
#include <string>

#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "tests/unit/daemon/test_support.h"

namespace passerelle::daemon {
namespace {

using testing::TempDir;

// The real system (its user ids, the accounts the server may run as, the
// environment) seen through a FakeHost, plus PG* variables that would break
// PostgreSQL's programs if they reached them: they must not.
connectors::FakeHost realSystemWithPgVariables() {
  const connectors::SystemHost system;
  connectors::FakeHost host;
  for (const std::string& entry : system.environment()) {
    const std::size_t eq = entry.find('=');
    if (eq != std::string::npos) host.set(entry.substr(0, eq), entry.substr(eq + 1));
  }
  host.setUserIds(system.effectiveUserId(), system.realUserId());
  for (const char* name : {"postgres", "nobody"}) {
    if (auto account = system.account(std::string(name))) host.addAccount(*account);
  }
  if (auto me = system.account(system.effectiveUserId())) host.addAccount(*me);
  host.set("PGOPTIONS", "-c no_such_setting=1");
  host.set("PGDATABASE", "no_such_database");
  return host;
}

int selectOne(const std::string& uri) {
  pqxx::connection connection(uri);
  pqxx::work work(connection);
  return work.exec1("SELECT 1")[0].as<int>();
}

TEST_CASE("the embedded store starts, is reused, and stops") {
  TempDir dir;
  // Under root the server runs as an unprivileged account, which must be able
  // to traverse the (mkdtemp, 0700) temporary directory.
  ::chmod(dir.path().c_str(), 0711);
  const std::filesystem::path state = dir.path() / "state";
  const connectors::FakeHost host = realSystemWithPgVariables();

  EmbeddedPostgres server(host, state);
  const std::string uri = server.start();
  CHECK(uri.rfind("postgresql:///passerelle?host=", 0) == 0);
  CHECK(uri == server.connectionUri());
  CHECK(server.running());
  CHECK(selectOne(uri) == 1);
  CHECK(std::filesystem::exists(state / "postgresql" / "data" / "PG_VERSION"));
  CHECK(std::filesystem::exists(server.logFile()));

  // The socket directory is private: trust authentication relies on it.
  struct stat st {};
  REQUIRE(::stat(server.socketDir().c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);

  {
    // Another instance (another command) on the same state directory reuses
    // the running server.
    EmbeddedPostgres again(host, state);
    CHECK(again.running());
    CHECK(again.start() == uri);
    CHECK(selectOne(uri) == 1);
  }

  Config config = defaultConfig(host);
  config.daemon.state_dir = state.string();
  CHECK(resolveStoreUrl(config, host) == uri);
  config.store.url = "postgresql://elsewhere/db";
  CHECK(resolveStoreUrl(config, host) == "postgresql://elsewhere/db");

  server.stop();
  CHECK_FALSE(server.running());
  CHECK_THROWS(selectOne(uri));
  server.stop();  // stopping a stopped server is fine

  // Started again on the existing cluster; the database is still there.
  CHECK(server.start() == uri);
  CHECK(selectOne(uri) == 1);
  server.stop();
}

TEST_CASE("the PostgreSQL programs are found") {
  const std::filesystem::path bin = EmbeddedPostgres::findBinDir();
  CHECK(std::filesystem::exists(bin / "initdb"));
  CHECK(std::filesystem::exists(bin / "pg_ctl"));
}

}  // namespace
}  // namespace passerelle::daemon

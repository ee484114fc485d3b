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
  // The real system: the server runs as a real account, with the real
  // environment (less its PG* variables).
  const connectors::SystemHost host;

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

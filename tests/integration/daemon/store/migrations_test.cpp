// Migrations: from an empty database, re-run, and a newer database refused.
#include <doctest/doctest.h>

#include "daemon/store/store_migrations.h"
#include "tests/integration/daemon/store_test_support.h"

using namespace passerelle;
using store_test::TestStore;

TEST_CASE("migrations: applied from empty, re-run is a no-op, newer schema refused") {
  TestStore store;  // already migrated once
  pqxx::connection& db = store.db();
  CHECK(store.scalar("SELECT max(version) FROM schema_migrations") ==
        std::to_string(daemon::programSchemaVersion()));
  for (const char* table : {"partners", "offers", "offer_history", "file_ledger", "import_runs",
                            "run_rejects", "run_warnings", "outbox_movements", "destinations"}) {
    CAPTURE(table);
    CHECK(store.scalar(std::string("SELECT to_regclass('public.") + table + "')::text") == table);
  }
  CHECK(store.count("SELECT count(*) FROM destinations") == 2);

  const daemon::MigrationReport again = daemon::migrate(db);
  CHECK(again.applied.empty());
  CHECK(again.from_version == again.to_version);
  CHECK(store.count("SELECT count(*) FROM schema_migrations") ==
        static_cast<long>(daemon::embeddedMigrations().size()));

  {
    pqxx::work tx(db);
    tx.exec("INSERT INTO schema_migrations (version, name) VALUES (999, '999_future')");
    tx.commit();
  }
  CHECK_THROWS_AS(daemon::migrate(db), daemon::SchemaTooNewError);
  try {
    daemon::migrate(db);
  } catch (const daemon::SchemaTooNewError& e) {
    CHECK(std::string(e.what()).find("newer than this program") != std::string::npos);
  }
}

TEST_CASE("migrations: an empty database gets every migration in one go") {
  TestStore store;
  {
    pqxx::work tx(store.db());
    tx.exec("DROP SCHEMA public CASCADE");
    tx.exec("CREATE SCHEMA public");
    tx.commit();
  }
  const daemon::MigrationReport report = daemon::migrate(store.db());
  CHECK(report.from_version == 0);
  CHECK(report.applied.size() == daemon::embeddedMigrations().size());
  CHECK(store.count("SELECT count(*) FROM offers") == 0);
}

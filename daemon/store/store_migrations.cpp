#include "daemon/store/store_migrations.h"

#include <algorithm>

namespace passerelle::daemon {
namespace {

void createMigrationsTable(pqxx::work& tx) {
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "  version integer PRIMARY KEY,"
      "  name text NOT NULL,"
      "  applied_at timestamptz NOT NULL DEFAULT now())");
}

int databaseVersion(pqxx::work& tx) {
  return tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
}

}  // namespace

int programSchemaVersion() {
  int version = 0;
  for (const Migration& m : embeddedMigrations()) version = std::max(version, m.version);
  return version;
}

MigrationReport migrate(pqxx::connection& connection) {
  pqxx::work tx(connection);
  // Transaction-scoped: released by commit or rollback, even if we die.
  tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockClass) + ", " +
          std::to_string(kMigrationLockId) + ")");
  createMigrationsTable(tx);

  MigrationReport report;
  report.from_version = databaseVersion(tx);
  const int known = programSchemaVersion();
  if (report.from_version > known) {
    throw SchemaTooNewError("the store's schema is at version " +
                            std::to_string(report.from_version) + ", newer than this program (" +
                            std::to_string(known) +
                            "): upgrade passerelle before using this database");
  }
  for (const Migration& m : embeddedMigrations()) {
    if (m.version <= report.from_version) continue;
    tx.exec(m.sql);
    tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                   m.name);
    report.applied.emplace_back(m.name);
  }
  report.to_version = std::max(report.from_version, known);
  tx.commit();
  return report;
}

}  // namespace passerelle::daemon

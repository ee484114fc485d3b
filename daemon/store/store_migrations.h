// StoreMigrations: the store's schema, as numbered migrations
// (schema/NNN_name.sql, embedded into the program at build time by
// schema/embed_schema.cmake, so the installed program needs no schema dir).
//
// migrate() applies the missing migrations in ONE transaction under an
// advisory lock, so that two processes starting together (daemon and a
// manual `passerelle migrate`) neither interleave nor half-apply; each
// applied version is recorded in schema_migrations. Re-running is a no-op. A
// database that has a version this program does not know (written by a newer
// program) is refused with SchemaTooNewError, before anything is written.
//
// Thread safety: migrate() uses the given connection only; run it from one
// thread per connection. Concurrent migrate() calls on different connections
// are serialised by the server.
#pragma once

#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "daemon/store/store_connection.h"

namespace passerelle::daemon {

struct Migration {
  int version;
  const char* name;  // file name without .sql, e.g. "001_offer_store"
  const char* sql;
};

// Every migration of schema/, by version (generated source).
const std::vector<Migration>& embeddedMigrations();

class SchemaTooNewError : public StoreError {
 public:
  using StoreError::StoreError;
};

struct MigrationReport {
  int from_version = 0;  // 0: empty database
  int to_version = 0;
  std::vector<std::string> applied;  // names, in order
};

// Advisory lock key (two-int form) serialising migrations.
inline constexpr int kMigrationLockClass = 0x70617373;  // "pass"
inline constexpr int kMigrationLockId = 1;

// Applies what is missing. Throws SchemaTooNewError or pqxx errors.
MigrationReport migrate(pqxx::connection& connection);

// The highest version this program knows.
int programSchemaVersion();

}  // namespace passerelle::daemon

#include "daemon/store/store_connection.h"

namespace passerelle::daemon {

std::unique_ptr<pqxx::connection> openStore(const std::string& url) {
  std::unique_ptr<pqxx::connection> connection;
  try {
    connection = std::make_unique<pqxx::connection>(url);
  } catch (const pqxx::broken_connection& e) {
    throw StoreError(std::string("cannot connect to the store: ") + e.what());
  }
  // Session settings, once: statements then rely on them.
  pqxx::nontransaction setup(*connection);
  setup.exec("SET TIME ZONE 'Europe/Paris'");
  setup.exec("SET application_name = 'passerelle'");
  // Imports stage whole files in temporary tables: keep them in memory
  // (allocated only when used; must be set before the first temporary table).
  setup.exec("SET temp_buffers = '128MB'");
  setup.commit();
  return connection;
}

}  // namespace passerelle::daemon

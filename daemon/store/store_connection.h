// StoreConnection: opening a session on the offer store (PostgreSQL, libpqxx).
//
// Every session is set up the same way: time zone Europe/Paris (timestamps
// printed by the read commands are Paris local time, like the vendors'
// dates) and an application_name that makes the daemon's sessions easy to
// spot in pg_stat_activity. Store failures are exceptions (StoreError or
// pqxx's own), caught at the command's edge.
//
// Thread safety: a pqxx::connection must be used by one thread at a time;
// open one connection per thread. The functions here are reentrant.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include <pqxx/pqxx>

namespace passerelle::daemon {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Connects to a libpq URI or key=value string. Throws StoreError with the
// server's message (never the password: libpq does not echo it).
std::unique_ptr<pqxx::connection> openStore(const std::string& url);

}  // namespace passerelle::daemon

// StoreConnection: opening a session on the offer store (PostgreSQL, libpqxx).
//
// Every session is set up the same way: time zone Europe/Paris (timestamps
// printed by the read commands are Paris local time, like the vendors'
// dates) and an application_name that makes the daemon's sessions easy to
// spot in pg_stat_activity. Store failures are exceptions (StoreError or
// pqxx's own), caught at the command's edge.
//
// Messages about the store say where it is (host, port, database, user) and
// never the password: libpq's raw words ("fe_sendauth: no password supplied",
// "Could not obtain client encoding") are explained, a refused login names
// the user and the secret file its password was read from
// (store.password_file, remembered by withStorePassword()).
//
// Thread safety: a pqxx::connection must be used by one thread at a time;
// open one connection per thread. The functions here are reentrant; the
// record of password files is guarded by a mutex.
#pragma once

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>

#include <pqxx/pqxx>

namespace passerelle::daemon {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Connects to a libpq URI. Throws StoreError saying where the store is and
// why it could not be reached (never the password).
std::unique_ptr<pqxx::connection> openStore(const std::string& url);

// `url` with `password` as libpq's password parameter. `password_file` is
// remembered for this store (host, port, database, user) so that a refused
// login can name it.
std::string withStorePassword(const std::string& url, const std::string& password,
                              const std::string& password_file);

// Where a store URL points, for messages: `host:port/database (user U)`;
// the password and other parameters are left out.
std::string describeStore(const std::string& url);

// A store failure in words an operator can act on: a lost or refused
// connection says the store cannot be reached and where it is; any other
// failure keeps its own message.
std::string explainStoreFailure(const std::string& url, const std::exception& failure);

}  // namespace passerelle::daemon

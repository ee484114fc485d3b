// EmbeddedPostgres: the store's private PostgreSQL server when the
// configuration says `store.url = "embedded"` (operations.md), so that a
// demonstration or a small installation needs no database administration.
//
// The cluster lives under `<state_dir>/postgresql`: `data/` (the cluster,
// created by initdb on first use), `run/` (the Unix socket; no TCP listener at
// all) and `log/postgresql.log`. Authentication is `trust`, which is safe only
// because the socket directory is private (mode 0700): nobody but the owner
// (and root) can reach the socket.
//
// When the process runs as root, the cluster belongs to and the server runs as
// an unprivileged account (the owner of an existing data directory, else the
// `postgres` system user, else `nobody`): PostgreSQL refuses to run as root.
// Root still connects through the private socket directory.
//
// The server is left running when a command exits, so that later commands
// (and the daemon, and the reconciliation timer) reuse it instead of paying a
// start each time; it is shut down with the machine or by stop(), which
// exists mainly for the tests. start() takes a lock file so that two
// processes starting at once do not both run initdb or pg_ctl start.
//
// Who the process runs as, the accounts and the environment given to the
// programs come from the Host (connectors/host/host.h).
//
// All the spawning of PostgreSQL's programs is in this file. Failures are
// EmbeddedPostgresError exceptions naming the log file to read.
//
// Thread safety: an instance is not thread-safe; use it from one thread. Two
// instances (or processes) on the same state_dir are serialised by the lock.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "connectors/host/host.h"

namespace passerelle::daemon {

struct Config;

class EmbeddedPostgresError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class EmbeddedPostgres {
 public:
  // `bin_dir`: PostgreSQL's programs; empty means /usr/lib/postgresql/15/bin,
  // else the newest /usr/lib/postgresql/*/bin.
  EmbeddedPostgres(const connectors::Host& host, std::filesystem::path state_dir,
                   std::filesystem::path bin_dir = {});

  // Creates the cluster if needed, starts the server unless it already runs,
  // creates the `passerelle` database if missing, and returns a libpq URI
  // such as `postgresql:///passerelle?host=%2Fvar%2Flib%2F...&user=passerelle`.
  std::string start();

  // Stops the server (pg_ctl stop -m fast) if it runs.
  void stop();

  // Whether the server of this cluster runs (pg_ctl status).
  bool running();

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path logFile() const { return dir_ / "log" / "postgresql.log"; }
  std::filesystem::path socketDir() const { return dir_ / "run"; }
  // The URI start() returns, without starting anything.
  std::string connectionUri() const;

  static std::filesystem::path findBinDir();

 private:
  struct Account {
    bool switch_user = false;  // only when running as root
    unsigned uid = 0;
    unsigned gid = 0;
    std::string name;
  };

  void chooseAccount();
  void prepareDirectories();
  void initCluster();
  void writeSettings();
  void ensureDatabase();
  int pgCtl(const std::vector<std::string>& args, std::string* output);

  const connectors::Host& host_;
  std::filesystem::path state_dir_;
  std::filesystem::path bin_dir_;
  std::filesystem::path dir_;
  Account account_;
};

// The store's connection URI: config.store.url, or, for "embedded", the URI of
// the private server under config.daemon.state_dir, started if needed. With
// store.password_file, the password read from it is part of the URI: never
// log the result, describeStore() (store_connection.h) says where it points.
std::string resolveStoreUrl(const Config& config, const connectors::Host& host);

}  // namespace passerelle::daemon

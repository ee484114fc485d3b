// ConnectionCheck: `passerelle config check --connect` tries every connection
// the configuration describes, the way the daemon would make it, and says for
// each failure what to check (operations.md "What operators can rely on"):
//  - the store: a session opened (a refused login names the user and the
//    secret file); the embedded store is not started by a check;
//  - each partner's drop folder: login and one listing; an untrusted
//    certificate points at `ca_file` / `pinned_pubkey`, a refused login at
//    `user` and the secret file, a TLS mode that does not fit the port at
//    `tls`;
//  - each enabled destination: its authentication (Destination::probe()).
// Nothing is written anywhere: no file is taken, no offer sent.
//
// Thread safety: main thread only, like the whole command line.
#pragma once

#include <string>
#include <vector>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"

namespace passerelle::daemon {

struct ConnectionResult {
  std::string subject;  // "store", "partner cfa-a", "destination lba"
  bool tried = true;
  bool ok = true;
  std::string message;  // what worked, or what failed and what to check
};

std::vector<ConnectionResult> checkConnections(const Config& config, const connectors::Host& host,
                                               connectors::Clock& clock);

}  // namespace passerelle::daemon

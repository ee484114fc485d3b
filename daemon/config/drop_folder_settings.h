// DropFolderSettings from a partner's configuration: what the connector
// (connectors/drop) needs to reach the partner's folder, its password read
// from the secret file (secrets.h). Used by the daemon's polls and by
// `config check --connect`, so that both reach the folder the same way.
//
// Thread safety: reentrant; reads through the Host, which is thread-safe.
#pragma once

#include "connectors/drop/drop_folder.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"

namespace passerelle::daemon {

// Throws std::runtime_error when the secret cannot be read.
connectors::DropFolderSettings dropFolderSettings(const PartnerConfig& partner,
                                                  const connectors::Host& host);

}  // namespace passerelle::daemon
